import type { GoRegex } from '../regex.js';

/**
 * PromQL as Legible evaluates it: the tree parse.ts builds from the Lezer grammar of Prometheus'
 * own UI (@prometheus-io/lezer-promql), after the checks Prometheus' parser makes (argument
 * types, where `offset` and `@` may go, matchers that select something). Times are milliseconds.
 */

/** What an expression evaluates to, in Prometheus' words. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** For `=~` and `!~`: the value compiled, anchored at both ends as Prometheus anchors it. */
  regex?: GoRegex;
}

/** `@ <time>`, `@ start()`, `@ end()`. */
export type AtModifier = { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' };

export interface NumberLiteral {
  kind: 'number';
  value: number;
}

export interface StringLiteral {
  kind: 'string';
  value: string;
}

export interface VectorSelector {
  kind: 'selector';
  /** The metric name when written before the braces (it is also among the matchers). */
  name?: string;
  matchers: Matcher[];
  offsetMs: number;
  at?: AtModifier;
}

export interface MatrixSelector {
  kind: 'matrix';
  /** Carries the offset and `@` of the whole range. */
  selector: VectorSelector;
  rangeMs: number;
}

export interface SubqueryExpr {
  kind: 'subquery';
  expr: Expr;
  rangeMs: number;
  /** Omitted: the default evaluation interval (one minute, as Prometheus' default global config). */
  stepMs?: number;
  offsetMs: number;
  at?: AtModifier;
}

export interface Call {
  kind: 'call';
  func: string;
  args: Expr[];
}

export type AggregateOp = 'sum' | 'avg' | 'count' | 'min' | 'max' | 'group' | 'stddev' | 'stdvar' | 'topk' | 'bottomk' | 'quantile' | 'count_values';

export interface AggregateExpr {
  kind: 'aggregate';
  op: AggregateOp;
  /** topk/bottomk: k; quantile: φ; count_values: the label to write. */
  param?: Expr;
  expr: Expr;
  grouping: string[];
  without: boolean;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export interface VectorMatching {
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** true: `on(labels)`; false: `ignoring(labels)` (the default, with no labels). */
  on: boolean;
  labels: string[];
  /** The labels named in group_left(…) / group_right(…). */
  include: string[];
}

export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** `bool` after a comparison: 0 or 1 instead of filtering. */
  returnBool: boolean;
  /** Set when both sides are vectors. */
  matching?: VectorMatching;
}

export interface UnaryExpr {
  kind: 'unary';
  op: '+' | '-';
  expr: Expr;
}

export interface ParenExpr {
  kind: 'paren';
  expr: Expr;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;

export const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);

/** The type an expression evaluates to (the tree is already checked). */
export function typeOf(expr: Expr): ValueType {
  switch (expr.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'selector':
    case 'aggregate':
      return 'vector';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'call':
      return FUNCTIONS[expr.func]!.returns;
    case 'binary':
      return typeOf(expr.lhs) === 'scalar' && typeOf(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(expr.expr);
  }
}

export interface FunctionSignature {
  args: ValueType[];
  /** How many of the trailing args may be left out. */
  optional: number;
  /** The last arg may be given any number of times, none included (label_join's source labels). */
  variadic?: boolean;
  returns: ValueType;
}

const v = 'vector' as const;
const m = 'matrix' as const;
const s = 'scalar' as const;
const str = 'string' as const;

const sig = (args: ValueType[], returns: ValueType, optional = 0, variadic = false): FunctionSignature => ({ args, returns, optional, variadic });

/** The functions of Prometheus 2.42, with their argument types. */
export const FUNCTIONS: Record<string, FunctionSignature> = {
  abs: sig([v], v),
  absent: sig([v], v),
  absent_over_time: sig([m], v),
  acos: sig([v], v),
  acosh: sig([v], v),
  asin: sig([v], v),
  asinh: sig([v], v),
  atan: sig([v], v),
  atanh: sig([v], v),
  avg_over_time: sig([m], v),
  ceil: sig([v], v),
  changes: sig([m], v),
  clamp: sig([v, s, s], v),
  clamp_max: sig([v, s], v),
  clamp_min: sig([v, s], v),
  cos: sig([v], v),
  cosh: sig([v], v),
  count_over_time: sig([m], v),
  days_in_month: sig([v], v, 1),
  day_of_month: sig([v], v, 1),
  day_of_week: sig([v], v, 1),
  day_of_year: sig([v], v, 1),
  deg: sig([v], v),
  delta: sig([m], v),
  deriv: sig([m], v),
  exp: sig([v], v),
  floor: sig([v], v),
  histogram_count: sig([v], v),
  histogram_sum: sig([v], v),
  histogram_fraction: sig([s, s, v], v),
  histogram_quantile: sig([s, v], v),
  holt_winters: sig([m, s, s], v),
  hour: sig([v], v, 1),
  idelta: sig([m], v),
  increase: sig([m], v),
  irate: sig([m], v),
  label_replace: sig([v, str, str, str, str], v),
  label_join: sig([v, str, str, str], v, 0, true),
  last_over_time: sig([m], v),
  ln: sig([v], v),
  log10: sig([v], v),
  log2: sig([v], v),
  max_over_time: sig([m], v),
  min_over_time: sig([m], v),
  minute: sig([v], v, 1),
  month: sig([v], v, 1),
  pi: sig([], s),
  predict_linear: sig([m, s], v),
  present_over_time: sig([m], v),
  quantile_over_time: sig([s, m], v),
  rad: sig([v], v),
  rate: sig([m], v),
  resets: sig([m], v),
  round: sig([v, s], v, 1),
  scalar: sig([v], s),
  sgn: sig([v], v),
  sin: sig([v], v),
  sinh: sig([v], v),
  sort: sig([v], v),
  sort_desc: sig([v], v),
  sqrt: sig([v], v),
  stddev_over_time: sig([m], v),
  stdvar_over_time: sig([m], v),
  sum_over_time: sig([m], v),
  tan: sig([v], v),
  tanh: sig([v], v),
  time: sig([], s),
  timestamp: sig([v], v),
  vector: sig([s], v),
  year: sig([v], v, 1),
};

export const AGGREGATE_OPS: ReadonlySet<string> = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values']);
