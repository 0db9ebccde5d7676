import { z } from 'zod';
import { performAction, type Effects } from '../actions/perform.js';
import type { PageState } from '../actions/pageState.js';
import type { ElementRef } from '../cdp/elementRef.js';
import { formatEffects } from '../format/effectsFormat.js';
import { durableSelectors } from '../journey/selectors.js';
import { frameKeyOfRef, resolveRef } from '../snapshot/refs.js';
import { UNPRINTABLE } from '../util/text.js';
import { logsTool } from './logsTool.js';
import { tracesTool } from './tracesTool.js';
import type { ToolResponse } from './response.js';

/** Output budgets, in characters. About four characters make a token. */
export const BUDGET = {
  snapshot: 8_000,
  search: 6_000,
  diff: 2_500,
  newPage: 3_000,
} as const;

/** A ref from a snapshot (e12): explained once, in snapshot's description. */
export const refParam = z.string();

/** Text to type: a number given for it (a quantity, a PIN) is typed as its digits. */
export const textParam = z.preprocess((value) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value), z.string());

/**
 * A name, label, id or path given to a tool: refused when it holds control, bidi-override or
 * escape characters (they make a name read as something else in answers, files and terminals).
 */
export const nameParam = z.string().min(1).refine((value) => !UNPRINTABLE.test(value), 'must not contain control, bidi-override or escape characters');

/** A recording's label ("before", "after"), as record_start and journey_run take it. */
export const recordingLabel = z.string().regex(/^\w[\w.-]{0,39}$/, 'labels are 1-40 letters, digits, dots, dashes or underscores, starting with a letter or digit');

/** `button "Search"` for a ref, from the latest outline (or just the ref when it is not there). */
export function describeRef(state: PageState, ref: string): string {
  const line = state.lineOf(ref);
  if (!line) return ref;
  // Role and name only: states and values ([value="1"]) would be stale once the action ran.
  const head = /^\S+(?: "(?:[^"\\]|\\.)*")?/.exec(line.body)?.[0] ?? line.body;
  return `${head.slice(0, 120)} [${ref}]`;
}

/**
 * What a journey step needs to find this element again after a reload: durable selectors (never
 * the ref). Taken before acting, since the action may remove it.
 */
export async function journeyTarget(state: PageState, ref: string, element: ElementRef): Promise<StepLocator> {
  const selectors = await durableSelectors(state, ref, element);
  const key = frameKeyOfRef(ref);
  // Inside an iframe, the selectors hold in that frame's document: the step says which frame.
  const frame = key ? state.page.frame(key)?.path() : undefined;
  return frame?.length ? { selectors, frame } : { selectors };
}

/** How a Recorder step finds its element: selectors, and for an element inside an iframe, the frame's path. */
export interface StepLocator {
  selectors: string[][];
  frame?: number[];
}

/** What an action on one element leaves for its report and its journey step. */
export interface ElementAction<T> {
  /** `button "Search" [e12]`. */
  target: string;
  /** Durable selectors (and frame) for the journey step, taken before acting: the action may remove the element. */
  locator: StepLocator;
  effects: Effects;
  /** What `act` returned; undefined when it did not finish (a dialog opened and blocks the page). */
  result: T | undefined;
}

/**
 * The one path of click, type, hover and select_option: find the ref's element, describe it,
 * take its durable selectors, run `act` on it as one performAction, and let go of it whatever
 * happens. `what` names the action for timeouts and recordings (given the target's description
 * and the element, before acting).
 */
export async function actOnRef<T>(
  state: PageState,
  ref: string,
  what: (target: string, element: ElementRef) => string | Promise<string>,
  act: (element: ElementRef) => Promise<T>,
): Promise<ElementAction<T>> {
  const element = await resolveRef(state.page, ref);
  try {
    const target = describeRef(state, ref);
    const locator = await journeyTarget(state, ref, element);
    const label = await what(target, element);
    let result: T | undefined;
    const effects = await performAction(
      state,
      async () => {
        result = await act(element);
      },
      { what: label },
    );
    return { target, locator, effects, result };
  } finally {
    await element.dispose();
  }
}

/** A click step's offset: the middle of the element (only click steps have one, so only click measures it). */
export async function clickOffset(element: ElementRef): Promise<{ x: number; y: number }> {
  const box = await element.box().catch(() => null);
  return { x: Math.round((box?.width ?? 2) / 2), y: Math.round((box?.height ?? 2) / 2) };
}

/** Writes a one-line headline and the action's effects report. */
export function reportEffects(response: ToolResponse, headline: string, effects: Effects): void {
  response.text(headline);
  response.text(formatEffects(effects, { diffBudget: BUDGET.diff, newPageBudget: BUDGET.newPage, logsTool: logsTool.name, tracesTool: tracesTool.name }));
}
