import { AGGREGATE_OPS, FUNCTIONS } from './ast.js';
import { parseExpr } from './parse.js';
import { PromQLSyntaxError } from './parseError.js';

/**
 * A corrected version of a query that failed to parse, when one of the common slips explains
 * the error: an unknown function name (the closest known one), brackets left open, an unquoted
 * label value, a range function without a range, a range where an instant vector belongs, a
 * comparison of scalars without `bool`, a duration with a wrong unit. Each repair is kept only
 * if the repaired query parses; up to three repairs are combined.
 */
export function suggestFix(query: string, error: PromQLSyntaxError): string | undefined {
  let current = query;
  let failure: PromQLSyntaxError | undefined = error;
  for (let round = 0; round < 3 && failure; round++) {
    let next: string | undefined;
    let nextFailure: PromQLSyntaxError | undefined;
    for (const candidate of repairs(current, failure)) {
      if (candidate === current) continue;
      try {
        parseExpr(candidate);
        return candidate;
      } catch (problem) {
        if (!(problem instanceof PromQLSyntaxError)) continue;
        // Keep the first repair that moves the error further right: it fixed something.
        if (!next && problem.from > failure.from) {
          next = candidate;
          nextFailure = problem;
        }
      }
    }
    if (!next) return undefined;
    current = next;
    failure = nextFailure;
  }
  return undefined;
}

/** Example queries, for errors no repair explains. */
export const EXAMPLES = [
  'http_requests_total{job="api", status=~"5.."}',
  'sum by (job) (rate(http_requests_total[5m]))',
  'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
];

function* repairs(query: string, error: PromQLSyntaxError): Generator<string> {
  const { reason, from, to } = error;
  const unknown = /^unknown function "(.+)"$/.exec(reason);
  if (unknown) {
    const name = unknown[1]!;
    for (const known of closest(name, [...Object.keys(FUNCTIONS), ...AGGREGATE_OPS])) yield query.slice(0, from) + known + query.slice(to);
  }
  if (/label values are quoted/.test(reason)) {
    const value = /^[^\s,}]+/.exec(query.slice(from))?.[0];
    if (value) yield `${query.slice(0, from)}"${value}"${query.slice(from + value.length)}`;
  }
  if (/expected type range vector/.test(reason)) {
    yield `${query.slice(0, to)}[5m]${query.slice(to)}`;
  }
  if (/expected type instant vector.*got range vector/.test(reason)) {
    yield `${query.slice(0, from)}rate(${query.slice(from, to)})${query.slice(to)}`;
  }
  if (/comparisons between scalars must use BOOL/.test(reason)) {
    yield query.replace(/(==|!=|>=|<=|>|<)/, '$1 bool');
  }
  if (/bad duration|unexpected "\d/.test(reason)) {
    const match = /^(\d+)([a-zA-Z]*)/.exec(query.slice(from));
    if (match) for (const unit of ['m', 's', 'h']) yield query.slice(0, from) + match[1] + unit + query.slice(from + match[0].length);
  }
  if (/offset|@ modifier/.test(reason) && /must be preceded/.test(reason)) {
    // (foo) offset 5m → foo offset 5m
    yield query.replace(/\(\s*([A-Za-z_:][\w:]*(?:\{[^}]*\})?)\s*\)/, '$1');
  }
  if (/no offset or @ modifiers allowed before the range/.test(reason)) {
    yield query.replace(/((?:offset\s+-?\w+|@\s*\S+)\s*)(\[[^\]]+\])/, '$2 $1').trim();
  }
  const closed = closeBrackets(query);
  if (closed !== query) yield closed;
}

/** The query with its open ( { [ and quotes closed, in order. */
function closeBrackets(query: string): string {
  const open: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < query.length; i++) {
    const ch = query[i]!;
    if (quote) {
      if (ch === '\\' && quote !== '`') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '#') {
      const end = query.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if (ch === '(') open.push(')');
    else if (ch === '{') open.push('}');
    else if (ch === '[') open.push(']');
    else if (ch === ')' || ch === '}' || ch === ']') {
      if (open[open.length - 1] === ch) open.pop();
    }
  }
  return query.trimEnd() + (quote ?? '') + open.reverse().join('');
}

/**
 * Known names nearest to `name`, best first: a small edit distance (at most a third of the name,
 * and at least 2), one name inside the other, or a long common prefix (`http_request_` of
 * `http_request_total` and `http_request_duration_seconds_bucket`).
 */
export function closest(name: string, known: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const candidate of new Set(known)) {
    const other = candidate.toLowerCase();
    let score = editDistance(lower, other);
    if (other.includes(lower) || lower.includes(other)) score = Math.min(score, 1 + Math.abs(other.length - lower.length) / 10);
    let prefix = 0;
    while (prefix < lower.length && lower[prefix] === other[prefix]) prefix++;
    if (prefix >= 4 && prefix >= 0.6 * Math.min(lower.length, other.length)) score = Math.min(score, 2 + Math.abs(other.length - prefix) / 10);
    if (score <= Math.max(2, lower.length / 3)) scored.push({ name: candidate, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((entry) => entry.name);
}

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
