import { z } from 'zod';
import type { Effects } from '../actions/perform.js';
import type { PageState } from '../actions/pageState.js';
import { formatEffects } from '../format/effectsFormat.js';
import type { ToolResponse } from './response.js';

/** Output budgets, in characters. About four characters make a token. */
export const BUDGET = {
  snapshot: 8_000,
  search: 6_000,
  diff: 2_500,
  newPage: 3_000,
} as const;

export const refParam = z.string().describe('Element ref from a snapshot, e.g. "e12".');

/** `button "Search"` for a ref, from the latest outline (or just the ref when it is not there). */
export function describeRef(state: PageState, ref: string): string {
  const line = state.lastOutline()?.lines.find((candidate) => candidate.ref === ref);
  if (!line) return ref;
  return line.body.replace(/ \[ref=[^\]]+\]/, '').replace(/: .*$/, '').slice(0, 120) + ` [${ref}]`;
}

/** Writes a one-line headline and the action's effects report. */
export function reportEffects(response: ToolResponse, headline: string, effects: Effects): void {
  response.text(headline);
  response.text(formatEffects(effects, { diffBudget: BUDGET.diff, newPageBudget: BUDGET.newPage }));
}
