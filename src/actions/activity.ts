/**
 * What an action set off inside the page, watched from inside the page. Everything in the two
 * exported page functions runs in a frame (serialised by DevTools), so each is self-contained.
 *
 * `pageActivity` installs, once per document, a tracker that
 * - counts DOM mutations (a cheap "did the page change since?" mark) and remembers the last one;
 * - wraps setTimeout / setInterval / requestAnimationFrame and their clear functions, so it knows
 *   which timers and frames are still pending and which action each belongs to;
 * - wraps navigator.geolocation's getCurrentPosition / watchPosition, whose answer comes back as
 *   a callback from the browser (a "Locate me" button shows its result only then).
 * Legible registers it to run in every new document before the page's own scripts
 * (Page.addScriptToEvaluateOnNewDocument), so a script that keeps its own reference to
 * setTimeout still gets the wrapper.
 *
 * Ownership: a timer or frame belongs to the action that was being watched when it was asked
 * for, except one asked for from inside another timer's or frame's callback, which inherits that
 * callback's owner. So a polling loop that the page started before the action stays the page's
 * (owner 0) and is never waited for, while a chain the action started (a timer that sets a timer,
 * a requestAnimationFrame loop) stays the action's. Only timers with a delay of at most
 * `timerLimitMs` are counted at all.
 *
 * A chain also keeps its owner across an `await`: the code after it runs later, outside the
 * callback (`async function poll() { await fetch(u); setTimeout(poll, 50) }`). So a callback's
 * owner stays in force through the microtasks that follow it (the promise reactions it set off,
 * up to CHAIN_HOPS deep; they all run before any other task), and fetch() and a Response's body
 * readers hand the owner of their caller to the code that awaits them. What a chain awaits
 * otherwise (an XMLHttpRequest's events, a message) falls back to the rule above: the action
 * being watched then.
 */

/** The tracker in each document, under Symbol.for('legible.activity'). */
interface Tracker {
  mutations: number;
  lastMutation: number;
  /** The action being watched (0 before the first). */
  action: number;
  timerLimitMs: number;
  /** Pending timers of actions: id -> [action, due time]. Deleted when they run or are cleared. */
  timers: Map<number, [number, number]>;
  /** Pending animation frames: id -> action. */
  frames: Map<number, number>;
  /** Location requests not answered yet (a watch until its first answer): serial -> action. */
  locating: Map<number, number>;
  /** Owner of the timer or frame callback running now, or of the chain its microtasks continue; -1 outside them. */
  running: number;
  /** Bumped each time a chain's owner comes into force: an older chain's end must not end a newer one. */
  chain: number;
  /** Animations that were already there when the action started. */
  known: WeakSet<Animation>;
  /** When waiting for the action began (its limit counts from then, however often it is asked). */
  waitingSince: number | undefined;
  /** The URLs fetched since the action began, with their owners (bounded): the page's own are not the action's to wait for. */
  fetches: [string, number][];
  wait: typeof setTimeout;
}

/**
 * Installs the tracker if this document has none; with `action` > 0, starts watching that
 * action. Returns the document's mutation count (a mark for "changed since").
 */
export function pageActivity(action: number, timerLimitMs: number): number {
  const key = Symbol.for('legible.activity');
  const host = window as unknown as Record<symbol, Tracker | undefined> & Window & typeof globalThis;
  let tracker = host[key];
  if (!tracker) {
    // Typed loosely on purpose: Node's and the DOM's timer types disagree, and this runs in the page.
    type Schedule = (callback: unknown, delay?: unknown, ...args: unknown[]) => number;
    type Cancel = (id?: number) => void;
    const native = {
      setTimeout: host.setTimeout as unknown as Schedule,
      setInterval: host.setInterval as unknown as Schedule,
      clearTimeout: host.clearTimeout as unknown as Cancel,
      clearInterval: host.clearInterval as unknown as Cancel,
      requestAnimationFrame: host.requestAnimationFrame as unknown as Schedule,
      cancelAnimationFrame: host.cancelAnimationFrame as unknown as Cancel,
    };
    const t: Tracker = {
      mutations: 0,
      lastMutation: performance.now(),
      action: 0,
      timerLimitMs,
      timers: new Map(),
      frames: new Map(),
      locating: new Map(),
      running: -1,
      chain: 0,
      known: new WeakSet(),
      waitingSince: undefined,
      fetches: [],
      wait: native.setTimeout.bind(host) as unknown as typeof setTimeout,
    };
    tracker = t;
    Object.defineProperty(host, key, { value: t, configurable: true, enumerable: false });
    new MutationObserver(() => {
      t.mutations++;
      t.lastMutation = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    const owner = () => (t.running >= 0 ? t.running : t.action);
    // How many microtasks deep a chain's owner holds: each hop re-queues itself behind the
    // reactions queued before it, so the code after an await (and after an await in that) runs
    // while it holds. The microtask queue drains before any other task runs, so no other task
    // (an input event of the next action) ever sees it.
    const CHAIN_HOPS = 16;
    const queue = host.queueMicrotask.bind(host);
    /** Puts `owned` in force from now until the microtasks that follow have run. */
    const enter = (owned: number) => {
      t.running = owned;
      const chain = ++t.chain;
      let hops = 0;
      const hop = () => {
        if (t.chain !== chain) return;
        if (++hops < CHAIN_HOPS) queue(hop);
        else t.running = -1;
      };
      queue(hop);
    };
    /** Runs `callback` as `owned` by that action (and its microtasks after it), after `ran` has forgotten its pending entry. */
    const inContext = (callback: (...args: unknown[]) => unknown, owned: number, ran: () => void) =>
      function (this: unknown, ...args: unknown[]) {
        ran();
        enter(owned);
        return callback.apply(this, args);
      };
    /** `read` (fetch, a body reader) with the owner of its caller in force again where its promise settles. */
    const handOn = <A extends unknown[]>(read: (this: unknown, ...args: A) => Promise<unknown>) =>
      function (this: unknown, ...args: A) {
        const owned = owner();
        return read.apply(this, args).then(
          (value) => {
            enter(owned);
            return value;
          },
          (error: unknown) => {
            enter(owned);
            throw error;
          },
        );
      };
    const timer = (schedule: Schedule): Schedule =>
      function (this: unknown, callback, delay, ...args) {
        // Strings are code to compile: pass them through untouched (and untracked).
        if (typeof callback !== 'function') return schedule.call(host, callback, delay, ...args);
        const owned = owner();
        const ms = Math.max(0, Number(delay) || 0);
        let id = 0;
        // An interval counts until its first tick.
        id = schedule.call(host, inContext(callback as never, owned, () => t.timers.delete(id)), delay, ...args);
        if (owned > 0 && t.timerLimitMs > 0 && ms <= t.timerLimitMs) t.timers.set(id, [owned, performance.now() + ms]);
        return id;
      };
    const clear = (cancel: Cancel, forget: Map<number, unknown>): Cancel =>
      function (this: unknown, id) {
        if (id !== undefined) forget.delete(id);
        cancel.call(host, id);
      };
    const frame: Schedule = function (this: unknown, callback) {
      if (typeof callback !== 'function') return native.requestAnimationFrame.call(host, callback);
      const owned = owner();
      let id = 0;
      id = native.requestAnimationFrame.call(host, inContext(callback as never, owned, () => t.frames.delete(id)));
      if (owned > 0) t.frames.set(id, owned);
      return id;
    };
    const replace = (name: string, value: unknown) => Object.defineProperty(host, name, { value, writable: true, configurable: true, enumerable: true });
    replace('setTimeout', timer(native.setTimeout));
    replace('setInterval', timer(native.setInterval));
    replace('clearTimeout', clear(native.clearTimeout, t.timers));
    replace('clearInterval', clear(native.clearInterval, t.timers));
    replace('requestAnimationFrame', frame);
    replace('cancelAnimationFrame', clear(native.cancelAnimationFrame, t.frames));
    if (typeof host.fetch === 'function') {
      const fetchHandingOn = handOn(host.fetch as never) as (this: unknown, ...args: unknown[]) => Promise<unknown>;
      replace('fetch', function (this: unknown, input: unknown, ...rest: unknown[]) {
        if (t.action > 0) {
          try {
            const url = new URL(input instanceof Request ? input.url : String(input), document.baseURI);
            url.hash = '';
            t.fetches.push([url.href, owner()]);
            if (t.fetches.length > 200) t.fetches.shift();
          } catch {
            // Not a URL: the fetch fails by itself.
          }
        }
        return fetchHandingOn.call(this, input, ...rest);
      });
    }
    const body = host.Response?.prototype as unknown as Record<string, unknown> | undefined;
    for (const name of ['json', 'text', 'arrayBuffer', 'blob', 'formData']) {
      const read = body?.[name];
      if (typeof read === 'function') Object.defineProperty(body, name, { value: handOn(read as never), writable: true, configurable: true, enumerable: true });
    }
    const geolocation = host.navigator.geolocation as Geolocation | undefined;
    let serial = 0;
    for (const name of ['getCurrentPosition', 'watchPosition'] as const) {
      const ask = geolocation?.[name] as ((...args: unknown[]) => number | undefined) | undefined;
      if (!geolocation || typeof ask !== 'function') continue;
      const wrapped = function (this: unknown, success: unknown, failure?: unknown, options?: unknown) {
        if (typeof success !== 'function') return ask.call(geolocation, success, failure, options);
        const owned = owner();
        const id = ++serial;
        if (owned > 0) t.locating.set(id, owned);
        const answered = () => t.locating.delete(id);
        const onFailure = typeof failure === 'function' ? inContext(failure as never, owned, answered) : (() => answered()) as never;
        return ask.call(geolocation, inContext(success as never, owned, answered), onFailure, options);
      };
      Object.defineProperty(geolocation, name, { value: wrapped, writable: true, configurable: true, enumerable: true });
    }
  }
  if (action > 0) {
    tracker.action = action;
    tracker.timerLimitMs = timerLimitMs;
    tracker.waitingSince = undefined;
    tracker.fetches = [];
    for (const animation of document.getAnimations()) tracker.known.add(animation);
  }
  return tracker.mutations;
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
 * The URLs fetched since `action` began only by chains that are not its own (the page's polling,
 * an earlier action's): not that action's requests to wait for. Empty when the document is not
 * watching `action`.
 */
export function fetchedOnlyByOthers(action: number): string[] {
  const t = (window as unknown as Record<symbol, Tracker | undefined>)[Symbol.for('legible.activity')];
  if (!t || t.action !== action) return [];
  const mine = new Set(t.fetches.filter(([, owner]) => owner === action).map(([url]) => url));
  return [...new Set(t.fetches.filter(([url, owner]) => owner !== action && !mine.has(url)).map(([url]) => url))].slice(0, 50);
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
