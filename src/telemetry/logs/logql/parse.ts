import type { LRParser } from '@lezer/lr';
import type { Query } from './ast.js';
import { CHAIN_LIMIT, chainLimitText, parseWatchingChains } from '../../grammarLimit.js';
import { LogqlError, suggestFix } from './errors.js';
import { QueryConverter } from './convertMetric.js';
import { child, type Node } from './syntaxTree.js';

/**
 * LogQL text → the query Legible runs. The grammar is Grafana's own (`@grafana/lezer-logql`
 * 0.3.0, the last release whose `engines` allow Node 20; 0.4 needs Node 24), so what parses here
 * parses in Loki; convertMetric.ts and convertLog.ts turn its concrete syntax tree into the small
 * AST of ast.ts and refuse, with the position, what Legible does not run. Here: loading the
 * grammar, parsing, and the syntax errors (with a corrected query when one of the usual fixes parses).
 */

let grammar: LRParser | undefined;

/**
 * Loads the grammar. Done on the first LogQL query rather than at start-up (the bundle leaves it
 * out), so tools/list does not wait for its parse tables.
 */
export async function loadLogql(): Promise<void> {
  grammar ??= (await import('@grafana/lezer-logql')).parser;
}

function parser(): LRParser {
  if (!grammar) throw new Error('The LogQL grammar is not loaded yet: await loadLogql() first.');
  return grammar;
}

/** Parses a query (after `await loadLogql()`); a LogqlError says where and what was wrong. */
export function parseLogql(text: string): Query {
  const query = text.trim();
  if (!query) throw new LogqlError('The query is empty.', query, 0, '{app="api"}');
  const { tree, cut } = parseWatchingChains(parser(), query);
  let error: Node | undefined;
  tree.iterate({
    enter(ref) {
      if (error) return false;
      if (ref.type.isError) error = ref.node;
      return undefined;
    },
  });
  if (error) {
    if (cut) throw tooLong(query, cut.from, tree);
    throw syntaxError(query, error);
  }
  const expr = child(tree.topNode, 'Expr', query);
  return new QueryConverter(query).expr(expr);
}

function syntaxError(query: string, node: Node): LogqlError {
  const context = ancestors(node);
  const at = node.from;
  const token = /^\S*/.exec(query.slice(at))?.[0] ?? '';
  let message: string;
  if (at >= query.length) message = 'the query ends too early';
  else message = `unexpected ${JSON.stringify(token.slice(0, 30))}`;
  if (context.includes('LabelFilter')) message += ' in a label filter; text values are double-quoted, numbers and durations are not: level="error", status>=500, duration>2s';
  else if (context.includes('Matcher') || context.includes('Matchers')) message += ' in a label matcher; values are double-quoted: app="api"';
  else if (context.includes('LineFilter')) message += ' in a line filter; it takes a quoted string: |= "timeout"';
  else if (context.includes('LogRangeExpr')) message += '; a range aggregation needs a log query and a range: count_over_time({app="api"}[5m])';
  else if (context.includes('Selector')) message += '; a query starts with a stream selector: {app="api"}';
  else if (context.includes('PipelineStage') || context.includes('PipelineExpr')) message += '; stages are |= != |~ !~ "text", | json, | logfmt, | regexp, | line_format, | label_format, | drop, | keep, | decolorize, or a label filter';
  return new LogqlError(`LogQL syntax error at column ${at + 1}: ${message}.`, query, at, suggestFix(query, at, (candidate) => parsesCleanly(candidate)));
}

/** A query whose chain of stages, filters or operations is longer than the grammar's parser takes (grammarLimit.ts). */
function tooLong(query: string, from: number, tree: ReturnType<LRParser['parse']>): LogqlError {
  // Stages: each `| …`, and each line filter (consecutive ones share one PipelineStage node).
  let stages = 0;
  tree.iterate({
    enter(ref) {
      if (ref.name === 'LineFilter' || (ref.name === 'PipelineStage' && ref.node.firstChild?.name !== 'LineFilters')) stages++;
    },
  });
  const what = stages > CHAIN_LIMIT.links ? `pipeline stages (the parser read ${stages} of them)` : 'pipeline stages, and/or filters or binary operations';
  return new LogqlError(
    `LogQL: ${chainLimitText('LogQL', what)}.`,
    query,
    from,
    undefined,
    `Shorten it: up to ${CHAIN_LIMIT.links} stages always parse. Join line filters into one regular expression (|~ "timeout|refused"), join label filters into one regexp (level=~"warn|error"), or split the query in two.`,
  );
}

function parsesCleanly(candidate: string): boolean {
  let clean = true;
  parser().parse(candidate).iterate({
    enter(ref) {
      if (ref.type.isError) clean = false;
      return clean ? undefined : false;
    },
  });
  if (!clean) return false;
  try {
    parseLogql(candidate);
    return true;
  } catch {
    return false;
  }
}

function ancestors(node: Node): string[] {
  const out: string[] = [];
  for (let at: Node | null = node.parent; at; at = at.parent) out.push(at.name);
  return out;
}
