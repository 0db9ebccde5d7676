import type { PartialParse, Tree } from '@lezer/common';

/**
 * The one limit the three query grammars (LogQL, PromQL, TraceQL: all Lezer parsers) share. Lezer
 * guards against trees too deep to walk: once one left-recursive chain (a pipeline's stages, `and`
 * / `or` filters, `a + b + c …`) spans 2,000 characters, it counts its further links, and past 300
 * it ends the chain by force, which reads as a syntax error where nothing is wrong (a 600-stage
 * LogQL pipeline failed with 'unexpected ""' at column 4117). The limit is a constant inside
 * @lezer/lr, so Legible cannot lift it: it watches the parse for it and says so.
 */

/** Lezer's constants (Recover.MinBigReduction, Rec.MaxLeftAssociativeReductionCount in @lezer/lr 1.4). */
export const CHAIN_LIMIT = { chars: 2_000, links: 300 } as const;

/** What a Lezer parser offers for parsing step by step. */
interface StepParser {
  startParse(input: string): PartialParse;
}

/** The counters @lezer/lr keeps on a parse for that guard (internal: absent in another version, which then finds no cut). */
interface ChainCounters {
  bigReductionCount?: number;
  lastBigReductionStart?: number;
}

/**
 * Parses `text` as `parser.parse` does, step by step, and says whether the chain guard ended a
 * chain by force (`cut`: where that chain starts). The same tree as `parser.parse(text)`.
 */
export function parseWatchingChains(parser: StepParser, text: string): { tree: Tree; cut?: { from: number } } {
  const parse = parser.startParse(text) as PartialParse & ChainCounters;
  let cut: { from: number } | undefined;
  for (;;) {
    // advance() forces the chain out once the count is past the limit: look just before it does.
    if (!cut && (parse.bigReductionCount ?? 0) > CHAIN_LIMIT.links) cut = { from: parse.lastBigReductionStart ?? 0 };
    const tree = parse.advance();
    if (tree) return { tree, ...(cut ? { cut } : {}) };
  }
}

/** The sentence an error gives for a chain cut by force: what happened and the limit. */
export function chainLimitText(language: string, chain: string): string {
  return (
    `the query is longer than ${language}'s grammar parser takes: a chain of ${chain} goes on for more than ${CHAIN_LIMIT.links} links after ` +
    `its first ${CHAIN_LIMIT.chars.toLocaleString('en-US')} characters, where the parser (Lezer's, as Grafana's editors use) stops such chains`
  );
}
