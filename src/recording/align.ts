import type { ActionMark } from './store.js';

/** One stretch of the output timeline: each side plays [start, end) of its own video, frozen on its last frame to fill `length`. */
export interface Segment {
  left: { start: number; end: number };
  right: { start: number; end: number };
  /** Output length in ms: the longer of the two (0 when two actions came at the same moment). */
  length: number;
}

export interface Alignment {
  segments: Segment[];
  /** True when both recordings had the same actions, so they were kept in step action by action. */
  inStep: boolean;
  /** Captions on the output timeline. */
  captions: { at: number; until: number; text: string }[];
  durationMs: number;
}

/** An action label without its element ref ("Clicking button "Go" [e12]" → "Clicking button "Go""). */
export function stripRefs(label: string): string {
  return label.replace(/\s*\[(?:ref=)?f?\d*e\d+\]/g, '');
}

/** Action labels without element refs or typed text, which differ between runs of the same steps. */
export function normaliseAction(label: string): string {
  return stripRefs(label)
    .replace(/^Typing ".*?" into/, 'Typing into')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

const CAPTION_MS = 2_500;

/**
 * Lines two recordings up. When both contain the same sequence of actions, each action starts at
 * the same moment on both sides (the side that got there first holds its frame); otherwise they
 * are aligned at the start only.
 */
export function alignRecordings(left: { durationMs: number; actions: ActionMark[] }, right: { durationMs: number; actions: ActionMark[] }): Alignment {
  const inStep =
    left.actions.length > 0 &&
    left.actions.length === right.actions.length &&
    left.actions.every((action, i) => normaliseAction(action.label) === normaliseAction(right.actions[i]!.label));
  const clamp = (at: number, duration: number) => Math.max(0, Math.min(at, duration));
  const leftMarks = inStep ? left.actions.map((a) => clamp(a.at, left.durationMs)) : [];
  const rightMarks = inStep ? right.actions.map((a) => clamp(a.at, right.durationMs)) : [];
  const leftBounds = [0, ...leftMarks, left.durationMs];
  const rightBounds = [0, ...rightMarks, right.durationMs];
  const segments: Segment[] = [];
  for (let i = 0; i < leftBounds.length - 1; i++) {
    const l = { start: leftBounds[i]!, end: Math.max(leftBounds[i]!, leftBounds[i + 1]!) };
    const r = { start: rightBounds[i]!, end: Math.max(rightBounds[i]!, rightBounds[i + 1]!) };
    const length = Math.max(l.end - l.start, r.end - r.start);
    segments.push({ left: l, right: r, length });
  }
  const durationMs = segments.reduce((sum, s) => sum + s.length, 0);
  const captions: Alignment['captions'] = [];
  if (inStep) {
    let t = segments.length ? segments[0]!.length : 0;
    left.actions.forEach((action, i) => {
      // The segment this action starts: its caption lasts about as long (2.5 s at most, 0.8 s at least).
      const following = segments[i + 1]?.length;
      captions.push({ at: t, until: t + Math.min(CAPTION_MS, Math.max(following ?? CAPTION_MS, 800)), text: stripRefs(action.label) });
      t += following ?? 0;
    });
  } else {
    for (const [side, actions] of [['left', left.actions], ['right', right.actions]] as const) {
      for (const action of actions) captions.push({ at: action.at, until: action.at + CAPTION_MS, text: `${side === 'left' ? '◀' : '▶'} ${stripRefs(action.label)}` });
    }
  }
  return { segments, inStep, captions, durationMs };
}

/**
 * Where one side's own video is at a moment of the aligned timeline: inside the segment that
 * holds the moment, or on that segment's last frame while the side waits for the other.
 */
export function sideTime(alignment: Alignment, at: number, side: 'left' | 'right'): number {
  let start = 0;
  for (const segment of alignment.segments) {
    const own = segment[side];
    if (at < start + segment.length || segment === alignment.segments.at(-1)) {
      // A frozen side shows the frame just before its segment's end (the next segment starts at the end).
      return Math.max(own.start, Math.min(own.start + Math.max(0, at - start), own.end - 40));
    }
    start += segment.length;
  }
  return 0;
}

/** How long after an action its effect is shown: long enough to have settled, unless the next action comes first. */
export const AFTER_ACTION_MS = 900;
/** A moment shown "after" an action keeps this far before the next action starts. */
const BEFORE_NEXT_MS = 60;

/** The moment to show what action `i` of a recording did: 0.9 s after it, but before the next action starts and within the video. */
export function afterAction(actions: ActionMark[], i: number, durationMs: number): number {
  const at = actions[i]!.at;
  const until = Math.min(actions[i + 1]?.at ?? Infinity, durationMs) - BEFORE_NEXT_MS;
  return Math.max(at, Math.min(at + AFTER_ACTION_MS, until));
}

/**
 * Matching moments of two recordings for a pixel diff: after each action both took (by its label
 * without refs, in order), each side at its own afterAction moment; at most `max`.
 */
export function matchingMoments(a: { actions: ActionMark[]; durationMs: number }, b: { actions: ActionMark[]; durationMs: number }, max: number): { label: string; left: number; right: number }[] {
  const moments: { label: string; left: number; right: number }[] = [];
  let j = 0;
  for (const [i, action] of a.actions.entries()) {
    const k = b.actions.findIndex((other, index) => index >= j && normaliseAction(other.label) === normaliseAction(action.label));
    if (k < 0) continue;
    moments.push({ label: stripRefs(action.label), left: afterAction(a.actions, i, a.durationMs), right: afterAction(b.actions, k, b.durationMs) });
    j = k + 1;
    if (moments.length >= max) break;
  }
  return moments;
}
