import { LegibleError } from '../../../util/errors.js';

/** Queries that show the language, for errors that have no better example. */
export const LOGQL_EXAMPLES = [
  '{app="api"} |= "timeout"',
  '{app="api", stream="stderr"} | json | level="error"',
  'sum by (level) (count_over_time({app="api"} | json [5m]))',
];

/**
 * A query Legible cannot run: the message says where (column, and the query with a caret under
 * that column) and what was wrong; the hint gives a corrected query when one was found, else
 * examples.
 */
export class LogqlError extends LegibleError {
  constructor(message: string, query: string, at: number, example?: string, extra?: string) {
    const shown = query.length > 120 ? `${query.slice(Math.max(0, at - 60), at + 60)}` : query;
    const caretAt = query.length > 120 ? Math.min(at, 60) : at;
    const pointer = `\n  ${shown}\n  ${' '.repeat(Math.max(0, caretAt))}^`;
    const hint = example ? `Try: ${example}` : `${extra ? `${extra} ` : ''}Examples: ${LOGQL_EXAMPLES.join('  ·  ')}`;
    super(`${message}${pointer}`, hint, { kind: 'usage' });
    this.name = 'LogqlError';
  }
}

/**
 * A corrected query for a syntax error at `at`, found by trying the usual mistakes' fixes and
 * keeping the first that parses: an unquoted value, single quotes, a selector without braces or
 * without matchers, a range aggregation without a range, a stray pipe at the end.
 */
export function suggestFix(query: string, at: number, parses: (candidate: string) => boolean): string | undefined {
  const candidates: string[] = [];
  const token = /^[^\s"`,(){}|[\]]+/.exec(query.slice(at))?.[0];
  if (token) candidates.push(`${query.slice(0, at)}"${token}"${query.slice(at + token.length)}`);
  if (query.includes("'")) candidates.push(query.replace(/'([^']*)'/g, (_, body: string) => JSON.stringify(body)));
  if (!query.trimStart().startsWith('{') && !/^[a-z_]+\s*(?:by|without)?\s*\(/.test(query.trim())) {
    const pipe = query.indexOf('|');
    const selector = (pipe < 0 ? query : query.slice(0, pipe)).trim();
    const quoted = selector.replace(/(=~|!~|!=|=)\s*([^"`\s,][^,]*)/g, (_, op: string, value: string) => `${op}${JSON.stringify(value.trim())}`);
    candidates.push(`{${quoted}}${pipe < 0 ? '' : ` ${query.slice(pipe)}`}`);
  }
  if (/\{\s*\}/.test(query)) candidates.push(query.replace(/\{\s*\}/, '{app=~".+"}'));
  if (query.includes('==')) candidates.push(query.replace(/([{,]\s*\w+\s*)==/g, '$1='));
  candidates.push(`${query.slice(0, at).trimEnd()} [5m]${query.slice(at)}`);
  const closing = query.lastIndexOf(')');
  if (closing > 0) candidates.push(`${query.slice(0, closing).trimEnd()} [5m]${query.slice(closing)}`);
  if (/\|\s*$/.test(query)) candidates.push(query.replace(/\|\s*$/, '').trimEnd());
  const closers = unclosed(query);
  if (closers) candidates.push(`${query}${closers}`);
  return candidates.find((candidate) => candidate !== query && parses(candidate));
}

/** The brackets left open at the end of a query (outside strings), closed in order: `{app="x"` → `}`. */
function unclosed(query: string): string {
  const open: string[] = [];
  const pairs: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
  let quote: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const char = query[i]!;
    if (quote) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === '`') quote = char;
    else if (pairs[char]) open.push(pairs[char]!);
    else if (char === open.at(-1)) open.pop();
  }
  return open.reverse().join('');
}
