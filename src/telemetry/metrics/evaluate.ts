import type { AggregateExpr, AtModifier, BinaryExpr, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from './ast.js';
import { aggregate } from './aggregate.js';
import { scalarScalar, setOperation, vectorScalar, vectorVector } from './binary.js';
import { evalCall } from './calls.js';
import { dropMetricName, labelsKey } from './labels.js';
import type { MetricStore, SeriesData } from './store.js';
import { PromQLEvalError, seriesBlock, type SampleRun, type StepSeries, type Value } from './values.js';

/**
 * Evaluates a checked PromQL tree over a run of evaluation steps, as Prometheus 2.42's engine
 * does: every node yields its value at all steps at once (an instant query is one step). Vector
 * selectors take the newest sample at most `lookbackMs` old (5 minutes) unless it is a stale
 * marker; range selectors take the samples in [t − range, t]; `offset` and `@` move t; subqueries
 * evaluate their expression at steps aligned to multiples of their resolution.
 */

export interface EvalRange {
  start: number;
  end: number;
  /** Milliseconds between steps (any positive number for a single step). */
  interval: number;
  /** The outer query's start and end, for `@ start()` and `@ end()`. */
  queryStart: number;
  queryEnd: number;
}

export interface EvalOptions {
  lookbackMs: number;
  /** A subquery's resolution when it gives none (Prometheus: the global evaluation interval, 1m by default). */
  defaultSubqueryStepMs: number;
  /** Samples a query may load from the store plus the per-step values its selectors make, all selectors together. */
  maxSamples: number;
}

export const DEFAULT_EVAL_OPTIONS: EvalOptions = { lookbackMs: 5 * 60_000, defaultSubqueryStepMs: 60_000, maxSamples: 10_000_000 };

interface Budget {
  samples: number;
}

/** Range-vector input to a function: samples per series and the window's end at each step. */
export interface RangeInput {
  runs: SampleRun[];
  refs: Float64Array;
  rangeMs: number;
}

export class Evaluator {
  readonly steps: number;
  readonly times: Float64Array;

  constructor(
    private readonly store: MetricStore,
    private readonly range: EvalRange,
    private readonly options: EvalOptions = DEFAULT_EVAL_OPTIONS,
    private readonly budget: Budget = { samples: 0 },
  ) {
    this.steps = Math.floor((range.end - range.start) / range.interval) + 1;
    this.times = new Float64Array(this.steps);
    for (let s = 0; s < this.steps; s++) this.times[s] = range.start + s * range.interval;
  }

  eval(expr: Expr): Value {
    switch (expr.kind) {
      case 'number':
        return { type: 'scalar', values: new Float64Array(this.steps).fill(expr.value) };
      case 'string':
        return { type: 'string', value: expr.value };
      case 'paren':
        return this.eval(expr.expr);
      case 'unary':
        return this.unary(expr.op, this.eval(expr.expr));
      case 'selector':
        return { type: 'vector', series: this.selector(expr, false) };
      case 'matrix':
      case 'subquery':
        return { type: 'matrix', series: this.matrixAtFirstStep(expr) };
      case 'call':
        return evalCall(this, expr);
      case 'aggregate':
        return { type: 'vector', series: this.aggregate(expr) };
      case 'binary':
        return this.binary(expr);
    }
  }

  vector(expr: Expr): StepSeries[] {
    const value = this.eval(expr);
    if (value.type !== 'vector') throw new PromQLEvalError(`expected an instant vector, got ${value.type}`);
    return value.series;
  }

  scalar(expr: Expr): Float64Array {
    const value = this.eval(expr);
    if (value.type !== 'scalar') throw new PromQLEvalError(`expected a scalar, got ${value.type}`);
    return value.values;
  }

  string(expr: Expr): string {
    const value = this.eval(expr);
    if (value.type !== 'string') throw new PromQLEvalError(`expected a string, got ${value.type}`);
    return value.value;
  }

  private atTime(at: AtModifier): number {
    return at.kind === 'time' ? at.ms : at.kind === 'start' ? this.range.queryStart : this.range.queryEnd;
  }

  /** The time each step looks at after `offset` and `@`. */
  private refTimes(offsetMs: number, at: AtModifier | undefined): Float64Array {
    const refs = new Float64Array(this.steps);
    const fixed = at ? this.atTime(at) : undefined;
    for (let s = 0; s < this.steps; s++) refs[s] = (fixed ?? this.times[s]!) - offsetMs;
    return refs;
  }

  private load(selector: VectorSelector, minT: number, maxT: number): SeriesData[] {
    const data = this.store.select(selector.matchers, minT, maxT);
    // The samples read, and the per-step column each series becomes: both are held in memory.
    for (const series of data) this.budget.samples += series.t.length + this.steps;
    if (this.budget.samples > this.options.maxSamples) {
      throw new PromQLEvalError(`query processing would load too many samples into memory in query execution (more than ${this.options.maxSamples.toLocaleString('en-US')})`);
    }
    return data;
  }

  /** An instant vector selector: the newest sample within the lookback at each step. */
  selector(selector: VectorSelector, timestamps: boolean): StepSeries[] {
    const refs = this.refTimes(selector.offsetMs, selector.at);
    const lookback = this.options.lookbackMs;
    const data = this.load(selector, refs[0]! - lookback, refs[this.steps - 1]!);
    const out: StepSeries[] = [];
    const columns = seriesBlock(data.length, this.steps);
    for (const [index, series] of data.entries()) {
      const { t, v, stale } = series;
      const result = columns(index, series.labels);
      result.key = series.key;
      let j = 0;
      let any = false;
      for (let s = 0; s < this.steps; s++) {
        const ref = refs[s]!;
        while (j < t.length && t[j]! <= ref) j++;
        const k = j - 1;
        if (k < 0 || t[k]! < ref - lookback || (stale && stale[k])) continue;
        result.present[s] = 1;
        result.values[s] = timestamps ? t[k]! / 1000 : v[k]!;
        any = true;
      }
      if (any) out.push(result);
    }
    return out;
  }

  rangeInput(expr: MatrixSelector | SubqueryExpr): RangeInput {
    if (expr.kind === 'matrix') {
      const { selector, rangeMs } = expr;
      const refs = this.refTimes(selector.offsetMs, selector.at);
      const runs = this.load(selector, refs[0]! - rangeMs, refs[this.steps - 1]!).map(withoutStale);
      return { runs, refs, rangeMs };
    }
    const refs = this.refTimes(expr.offsetMs, expr.at);
    const step = expr.stepMs ?? this.options.defaultSubqueryStepMs;
    const start = Math.ceil((refs[0]! - expr.rangeMs) / step) * step;
    const end = refs[this.steps - 1]!;
    const runs: SampleRun[] = [];
    if (end >= start) {
      const inner = new Evaluator(this.store, { ...this.range, start, end, interval: step }, this.options, this.budget);
      for (const series of inner.vector(expr.expr)) {
        const t: number[] = [];
        const v: number[] = [];
        for (let s = 0; s < inner.steps; s++) {
          if (!series.present[s]) continue;
          t.push(inner.times[s]!);
          v.push(series.values[s]!);
        }
        runs.push({ labels: series.labels, t: Float64Array.from(t), v: Float64Array.from(v) });
      }
    }
    return { runs, refs, rangeMs: expr.rangeMs };
  }

  /** A range vector as the answer of an instant query: the samples in the window of the (single) step. */
  private matrixAtFirstStep(expr: MatrixSelector | SubqueryExpr): SampleRun[] {
    const { runs, refs, rangeMs } = this.rangeInput(expr);
    const end = refs[0]!;
    const out: SampleRun[] = [];
    for (const run of runs) {
      let lo = 0;
      while (lo < run.t.length && run.t[lo]! < end - rangeMs) lo++;
      let hi = lo;
      while (hi < run.t.length && run.t[hi]! <= end) hi++;
      if (hi > lo) out.push({ labels: run.labels, t: run.t.slice(lo, hi), v: run.v.slice(lo, hi) });
    }
    return out;
  }

  private aggregate(expr: AggregateExpr): StepSeries[] {
    let param: Float64Array | undefined;
    let label: string | undefined;
    if (expr.param) {
      if (expr.op === 'count_values') label = this.string(expr.param);
      else param = this.scalar(expr.param);
    }
    const series = this.vector(expr.expr);
    return aggregate({ op: expr.op, grouping: expr.grouping, without: expr.without, series, steps: this.steps, ...(param ? { param } : {}), ...(label !== undefined ? { label } : {}) });
  }

  private binary(expr: BinaryExpr): Value {
    const lhs = this.eval(expr.lhs);
    const rhs = this.eval(expr.rhs);
    if (lhs.type === 'scalar' && rhs.type === 'scalar') return { type: 'scalar', values: scalarScalar(expr, lhs.values, rhs.values) };
    if (lhs.type === 'vector' && rhs.type === 'scalar') return { type: 'vector', series: vectorScalar(expr, lhs.series, rhs.values, false, this.steps) };
    if (lhs.type === 'scalar' && rhs.type === 'vector') return { type: 'vector', series: vectorScalar(expr, rhs.series, lhs.values, true, this.steps) };
    if (lhs.type === 'vector' && rhs.type === 'vector') {
      const op = expr.op;
      if (op === 'and' || op === 'or' || op === 'unless') return { type: 'vector', series: setOperation(op, lhs.series, rhs.series, expr.matching!, this.steps) };
      return { type: 'vector', series: vectorVector(expr, lhs.series, rhs.series, this.steps) };
    }
    throw new PromQLEvalError('binary expression must contain only scalar and instant vector types');
  }

  private unary(op: '+' | '-', value: Value): Value {
    if (op === '+') return value;
    if (value.type === 'scalar') return { type: 'scalar', values: value.values.map((x) => -x) };
    if (value.type !== 'vector') throw new PromQLEvalError('unary expression only allowed on expressions of type scalar or instant vector');
    const seen = new Set<string>();
    const series = value.series.map((one) => {
      const labels = dropMetricName(one.labels);
      const key = labelsKey(labels);
      if (seen.has(key)) throw new PromQLEvalError('vector cannot contain metrics with the same labelset');
      seen.add(key);
      return { labels, key, values: one.values.map((x) => -x), present: one.present };
    });
    return { type: 'vector', series };
  }
}

function withoutStale(series: SeriesData): SampleRun {
  const { stale } = series;
  if (!stale || !stale.includes(1)) return { labels: series.labels, t: series.t, v: series.v };
  const keep: number[] = [];
  for (let i = 0; i < stale.length; i++) if (!stale[i]) keep.push(i);
  return { labels: series.labels, t: Float64Array.from(keep, (i) => series.t[i]!), v: Float64Array.from(keep, (i) => series.v[i]!) };
}
