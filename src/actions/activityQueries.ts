/**
 * The questions settling asks the activity tracker (activity.ts) in each frame. Each function
 * runs in a frame (serialised by DevTools), so each is self-contained.
 */
import type { Tracker } from './activity.js';

/** A frame's answer to `pageOwnFetches`. */
export interface OwnFetches {
  /** URLs the action's own chains fetched since it began. */
  mine: string[];
  /** URLs only other chains (the page's loops, an earlier action's) fetched since it began, that were also fetched before, unprompted. */
  others: string[];
}

/**
 * Which URLs fetched since `action` began were its own, and which only the page's own loops' (by
 * the tracker: see "The page's own requests" in activity.ts). Empty when the document is not
 * watching `action`. Settling joins the frames' answers: a URL one frame's action fetched is the
 * action's, whichever frame polls it too.
 */
export function pageOwnFetches(action: number): OwnFetches {
  const t = (window as unknown as Record<symbol, Tracker | undefined>)[Symbol.for('legible.activity')];
  if (!t || t.action !== action || !t.watching) return { mine: [], others: [] };
  const mine = new Set(t.fetches.filter(([, owner]) => owner === action).map(([url]) => url));
  const others = new Set(t.fetches.filter(([url, owner]) => owner !== action && !mine.has(url) && t.unprompted.has(url)).map(([url]) => url));
  return { mine: [...mine].slice(0, 50), others: [...others].slice(0, 50) };
}

/** The action's report is made: fetches from now on are noted as asked unprompted, until the next action. */
export function endWatch(action: number): void {
  const t = (window as unknown as Record<symbol, Tracker | undefined>)[Symbol.for('legible.activity')];
  if (!t || t.action !== action) return;
  t.watching = false;
  t.fetches = [];
}

/** How waiting in one frame ended, and that frame's mutation count then. */
export interface FrameQuiet {
  /** 'quiet'; 'busy' (still changing or waiting at the limit); 'new-document' / 'loading' (the main frame navigated). */
  state: string;
  mutations: number;
  /** What was still going on when waiting stopped ('timers', 'animation frames', 'location requests', 'animations', 'DOM changes'). */
  busy: string[];
}

/**
 * Resolves in the frame once what `action` set off is done: its timers (those due within
 * `timerLimitMs` of the first wait for it) have run, its animation-frame chains and location
 * requests have stopped or been answered and
 * the CSS transitions and animations that started since it began have ended (all waited for up
 * to that limit; still going after it, they are named and the state is 'busy'), and the DOM has
 * been unchanged for `quietMs`; or after `maxMs`, with what was still going on.
 * In the main frame, a document that is not watching this action means the page navigated.
 */
export function waitForActivity(action: number, quietMs: number, maxMs: number, main: boolean): Promise<FrameQuiet> {
  const tracker = (window as unknown as Record<symbol, Tracker | undefined>)[Symbol.for('legible.activity')];
  if (!tracker || tracker.action !== action) {
    const state = !main ? 'quiet' : document.readyState === 'complete' ? 'new-document' : 'loading';
    return Promise.resolve({ state, mutations: tracker?.mutations ?? 0, busy: [] });
  }
  const t = tracker;
  const start = performance.now();
  t.waitingSince ??= start;
  const horizon = t.waitingSince + t.timerLimitMs;
  return new Promise((resolve) => {
    const check = () => {
      const now = performance.now();
      // Frames and animations are waited for until the horizon only, but named while they go on.
      let waiting = false;
      const busy: string[] = [];
      for (const [owner, due] of t.timers.values()) {
        if (owner === action && due <= horizon) {
          busy.push('timers');
          waiting = true;
          break;
        }
      }
      for (const owner of t.frames.values()) {
        if (owner === action) {
          busy.push('animation frames');
          waiting ||= now < horizon;
          break;
        }
      }
      for (const owner of t.locating.values()) {
        if (owner === action) {
          busy.push('location requests');
          waiting ||= now < horizon;
          break;
        }
      }
      for (const animation of document.getAnimations()) {
        if (t.known.has(animation) || animation.playState !== 'running') continue;
        const timing = animation.effect?.getComputedTiming();
        const left =
          timing && typeof timing.endTime === 'number' && typeof timing.localTime === 'number' ? (timing.endTime - timing.localTime) / Math.abs(animation.playbackRate || 1) : Infinity;
        // An endless animation (a spinner) never ends; one that ends past the horizon is not waited for.
        if (now + left <= horizon) {
          busy.push('animations');
          waiting = true;
          break;
        }
      }
      const sinceChange = now - t.lastMutation;
      if (sinceChange < quietMs) {
        busy.push('DOM changes');
        waiting = true;
      }
      // Past the horizon, a chain or animation still going is named: waiting stopped at its limit.
      if (!waiting) return resolve({ state: busy.length ? 'busy' : 'quiet', mutations: t.mutations, busy });
      if (now - start >= maxMs) return resolve({ state: 'busy', mutations: t.mutations, busy });
      t.wait(check, busy.length === 1 && sinceChange < quietMs ? Math.max(5, quietMs - sinceChange) : 10);
    };
    check();
  });
}
