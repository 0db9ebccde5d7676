import { LegibleError, UsageError } from '../../util/errors.js';
import type { Labels } from '../model.js';
import { formatDuration } from '../time.js';
import type { Expr } from './ast.js';
import { typeOf } from './ast.js';
import { DEFAULT_EVAL_OPTIONS, Evaluator, type EvalOptions } from './evaluate.js';
import { compareKeys, labelsKey } from './labels.js';
import { parseExpr, typeName } from './parse.js';
import { pointAt, PromQLSyntaxError, where } from './parseError.js';
import type { MetricStore } from './store.js';
import { EXAMPLES, suggestFix } from './suggest.js';
import { formatValue, PromQLEvalError, type Value } from './values.js';

/**
 * The PromQL engine's public face: `query` (instant) and `queryRange`, answering exactly what the
 * Prometheus HTTP API puts under `data` (`/api/v1/query`, `/api/v1/query_range`), so a real
 * Prometheus can answer instead and one formatter serves both. Errors are LegibleErrors that
 * say where a query failed to parse, with a corrected query when one is found.
 */

export interface PromVectorSample {
  metric: Labels;
  value: [number, string];
}

export interface PromMatrixSeries {
  metric: Labels;
  values: [number, string][];
}

export type PromQueryData =
  | { resultType: 'vector'; result: PromVectorSample[] }
  | { resultType: 'matrix'; result: PromMatrixSeries[] }
  | { resultType: 'scalar'; result: [number, string] }
  | { resultType: 'string'; result: [number, string] };

/** Prometheus refuses range queries with more points per series than this. */
export const MAX_POINTS_PER_SERIES = 11_000;

/** Parses PromQL, or throws a LegibleError that points at the problem and offers a corrected query. */
export function parsePromQL(query: string): Expr {
  try {
    return parseExpr(query);
  } catch (error) {
    if (!(error instanceof PromQLSyntaxError)) throw error;
    const fix = suggestFix(query, error);
    const shown = query.length > 300 ? `${query.slice(0, 300)}…` : query;
    const hint = fix ? `Did you mean: ${fix.length > 300 ? `${fix.slice(0, 300)}…` : fix}` : `Examples: ${EXAMPLES.join('   ')}`;
    throw new UsageError(`PromQL parse error at ${where(query, error.from)}: ${error.reason}\n${pointAt(shown, Math.min(error.from, shown.length), Math.min(error.to, shown.length))}`, hint);
  }
}

export class PromQLEngine {
  readonly options: EvalOptions;

  constructor(
    private readonly store: MetricStore,
    options: Partial<EvalOptions> = {},
  ) {
    this.options = { ...DEFAULT_EVAL_OPTIONS, ...options };
  }

  /** An instant query at `timeMs`, like GET /api/v1/query?time=…. */
  query(query: string, timeMs: number): PromQueryData {
    checkTime(timeMs, 'time');
    const expr = parsePromQL(query);
    const evaluator = new Evaluator(this.store, { start: timeMs, end: timeMs, interval: 1, queryStart: timeMs, queryEnd: timeMs }, this.options);
    const value = run(() => evaluator.eval(expr));
    return instantData(value, timeMs, sortOrder(expr));
  }

  /** A range query, like GET /api/v1/query_range?start=…&end=…&step=…. */
  queryRange(query: string, startMs: number, endMs: number, stepMs: number): PromQueryData {
    checkTime(startMs, 'start');
    checkTime(endMs, 'end');
    if (!(stepMs > 0) || !Number.isFinite(stepMs)) throw new UsageError(`The step must be positive, not ${stepMs} ms.`, 'Give a step such as 15s or 1m.');
    if (endMs < startMs) throw new UsageError('The end of the range is before its start.', 'Swap start and end, or give a later end.');
    const points = Math.floor((endMs - startMs) / stepMs) + 1;
    if (points > MAX_POINTS_PER_SERIES) {
      throw new UsageError(
        `exceeded maximum resolution of 11,000 points per timeseries (${points.toLocaleString('en-US')} steps of ${formatDuration(stepMs)}).`,
        `Use a larger step (at least ${formatDuration(Math.ceil((endMs - startMs) / (MAX_POINTS_PER_SERIES - 1)))}) or a shorter range.`,
      );
    }
    const expr = parsePromQL(query);
    const type = typeOf(expr);
    if (type !== 'scalar' && type !== 'vector') {
      throw new UsageError(
        `invalid expression type "${typeName(type)}" for range query, must be Scalar or instant Vector`,
        type === 'matrix' ? 'Wrap the range in a function such as rate(…[5m]) or avg_over_time(…[5m]), or run it as an instant query.' : undefined,
      );
    }
    const evaluator = new Evaluator(this.store, { start: startMs, end: endMs, interval: stepMs, queryStart: startMs, queryEnd: endMs }, this.options);
    const value = run(() => evaluator.eval(expr));
    return rangeData(value, evaluator.times);
  }
}

function checkTime(ms: number, what: string): void {
  if (!Number.isFinite(ms)) throw new UsageError(`The ${what} of the query is not a time (${ms}).`, 'Give a time as RFC 3339, Unix seconds, or relative such as -15m.');
}

function run(evaluate: () => Value): Value {
  try {
    return evaluate();
  } catch (error) {
    if (!(error instanceof PromQLEvalError)) throw error;
    throw new UsageError(`PromQL: ${error.message}`, evalHint(error.message));
  }
}

function evalHint(message: string): string | undefined {
  if (/duplicate series for the match group|multiple matches for labels/.test(message)) {
    return 'Match on labels that are unique on one side: on(…) or ignoring(…), group_left/group_right for many-to-one, or aggregate a side first (sum by (…) (…)).';
  }
  if (/same labelset/.test(message)) return 'Two series became the same once the metric name was dropped: aggregate them (sum by (…)) or tell them apart with label_replace.';
  if (/too many samples/.test(message)) return 'Select fewer series (more label matchers) or a shorter range.';
  if (/expected an instant vector, got range vector/.test(message)) return 'Wrap the range in a function such as rate(…[5m]) or avg_over_time(…[5m]).';
  if (/is not implemented/.test(message)) return 'docs/promql.md lists the functions the embedded engine runs: use one of those, or a Prometheus of your own (--metrics-url).';
  if (/invalid (regular expression|destination label|source label|smoothing|trend)/.test(message)) return 'Fix the argument the message names.';
  return 'Fix what the message names (the words are Prometheus\' own); docs/promql.md says what the engine runs.';
}

/** sort() / sort_desc() at the top of an instant query order its answer by value (NaN last). */
function sortOrder(expr: Expr): 'asc' | 'desc' | undefined {
  let node = expr;
  while (node.kind === 'paren') node = node.expr;
  if (node.kind === 'call' && (node.func === 'sort' || node.func === 'sort_desc')) return node.func === 'sort' ? 'asc' : 'desc';
  return undefined;
}

function instantData(value: Value, timeMs: number, order: 'asc' | 'desc' | undefined): PromQueryData {
  const t = timeMs / 1000;
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [t, formatValue(value.values[0]!)] };
    case 'string':
      return { resultType: 'string', result: [t, value.value] };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: value.series.map((run) => ({ metric: run.labels, values: Array.from(run.t, (time, i) => [time / 1000, formatValue(run.v[i]!)] as [number, string]) })),
      };
    case 'vector': {
      const present = value.series.filter((series) => series.present[0]);
      if (order) {
        present.sort((a, b) => {
          const x = a.values[0]!;
          const y = b.values[0]!;
          if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
          return order === 'asc' ? x - y : y - x;
        });
      }
      return { resultType: 'vector', result: present.map((series) => ({ metric: series.labels, value: [t, formatValue(series.values[0]!)] })) };
    }
  }
}

function rangeData(value: Value, times: Float64Array): PromQueryData {
  const result: PromMatrixSeries[] = [];
  const add = (metric: Labels, values: Float64Array, present: Uint8Array | undefined) => {
    const points: [number, string][] = [];
    for (let s = 0; s < times.length; s++) if (!present || present[s]) points.push([times[s]! / 1000, formatValue(values[s]!)]);
    if (points.length) result.push({ metric, values: points });
  };
  if (value.type === 'scalar') add({}, value.values, undefined);
  else if (value.type === 'vector') for (const series of value.series) add(series.labels, series.values, series.present);
  const keys = new Map(result.map((series) => [series, labelsKey(series.metric)]));
  result.sort((a, b) => compareKeys(keys.get(a)!, keys.get(b)!));
  return { resultType: 'matrix', result };
}
