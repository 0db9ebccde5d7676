/** The LogQL queries Legible runs, as parse.ts builds them from the official grammar's tree. */

export type MatchOp = '=' | '!=' | '=~' | '!~';
export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

export interface LineFilter {
  kind: 'line';
  op: '|=' | '!=' | '|~' | '!~';
  /** `|= "a" or "b"`: any of them. */
  values: string[];
}

export type LabelFilterExpr =
  | { kind: 'and'; left: LabelFilterExpr; right: LabelFilterExpr }
  | { kind: 'or'; left: LabelFilterExpr; right: LabelFilterExpr }
  | { kind: 'string'; name: string; op: MatchOp; value: string }
  /** A number, a duration (ms) or a byte size compared with a label's value read the same way. */
  | { kind: 'number' | 'duration' | 'bytes'; name: string; op: CompareOp; value: number };

export interface Extraction {
  label: string;
  /** `a.b[0]` for json, a key for logfmt; the label's own name when not given. */
  path: string;
}

export type Stage =
  | LineFilter
  | { kind: 'json' | 'logfmt'; extractions: Extraction[] }
  | { kind: 'regexp'; pattern: string }
  | { kind: 'labelFilter'; expr: LabelFilterExpr }
  | { kind: 'lineFormat'; template: string }
  | { kind: 'labelFormat'; items: { label: string; from?: string; template?: string }[] }
  | { kind: 'drop' | 'keep'; items: { name: string; matcher?: LabelMatcher }[] }
  | { kind: 'decolorize' };

export interface LogQuery {
  kind: 'log';
  matchers: LabelMatcher[];
  stages: Stage[];
}

export type RangeOp =
  | 'count_over_time'
  | 'rate'
  | 'bytes_over_time'
  | 'bytes_rate'
  | 'sum_over_time'
  | 'avg_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'quantile_over_time'
  | 'stddev_over_time'
  | 'stdvar_over_time'
  | 'absent_over_time';

export interface Unwrap {
  label: string;
  conversion?: 'duration' | 'duration_seconds' | 'bytes';
}

export interface Grouping {
  mode: 'by' | 'without';
  labels: string[];
}

export interface RangeAggregation {
  kind: 'range';
  op: RangeOp;
  /** quantile_over_time's φ. */
  parameter?: number;
  query: LogQuery;
  rangeMs: number;
  unwrap?: Unwrap;
  /** Stages after unwrap (label filters on the unwrapped value's errors). */
  grouping?: Grouping;
}

export type VectorOp = 'sum' | 'avg' | 'count' | 'max' | 'min' | 'stddev' | 'stdvar' | 'topk' | 'bottomk';

export interface VectorAggregation {
  kind: 'vector';
  op: VectorOp;
  /** topk's and bottomk's k. */
  parameter?: number;
  grouping?: Grouping;
  inner: MetricQuery;
}

export type MetricQuery = RangeAggregation | VectorAggregation;
export type Query = LogQuery | MetricQuery;

/** The log query at the bottom of a metric query. */
export function logQueryOf(query: Query): LogQuery {
  if (query.kind === 'log') return query;
  return query.kind === 'range' ? query.query : logQueryOf(query.inner);
}

/** The range of the innermost range aggregation. */
export function rangeOf(query: MetricQuery): number {
  return query.kind === 'range' ? query.rangeMs : rangeOf(query.inner);
}
