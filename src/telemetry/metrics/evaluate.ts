import type { AggregateExpr, AtModifier, BinaryExpr, Call, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from './ast.js';
import { aggregate } from './aggregate.js';
import { scalarScalar, setOperation, vectorScalar, vectorVector } from './binary.js';
import { absentLabels, DATE, histogramQuantile, labelJoin, labelReplace, mapValues, MATH } from './functions.js';
import { dropMetricName, labelsKey } from './labels.js';
import { RANGE_FUNCTIONS, type Window } from './rangeFunctions.js';
import type { MetricStore, SeriesData } from './store.js';
import { newSeries, PromQLEvalError, type SampleRun, type StepSeries, type Value } from './values.js';

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
  /** Samples a query may load from the store, all selectors together. */
  maxSamples: number;
}

export const DEFAULT_EVAL_OPTIONS: EvalOptions = { lookbackMs: 5 * 60_000, defaultSubqueryStepMs: 60_000, maxSamples: 10_000_000 };

interface Budget {
  samples: number;
}

/** Range-vector input to a function: samples per series and the window's end at each step. */
interface RangeInput {
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
        return this.call(expr);
      case 'aggregate':
        return { type: 'vector', series: this.aggregate(expr) };
      case 'binary':
        return this.binary(expr);
    }
  }

  private vector(expr: Expr): StepSeries[] {
    const value = this.eval(expr);
    if (value.type !== 'vector') throw new PromQLEvalError(`expected an instant vector, got ${value.type}`);
    return value.series;
  }

  private scalar(expr: Expr): Float64Array {
    const value = this.eval(expr);
    if (value.type !== 'scalar') throw new PromQLEvalError(`expected a scalar, got ${value.type}`);
    return value.values;
  }

  private string(expr: Expr): string {
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
    for (const series of data) this.budget.samples += series.t.length;
    if (this.budget.samples > this.options.maxSamples) {
      throw new PromQLEvalError(`query processing would load too many samples into memory in query execution (more than ${this.options.maxSamples.toLocaleString('en-US')})`);
    }
    return data;
  }

  /** An instant vector selector: the newest sample within the lookback at each step. */
  private selector(selector: VectorSelector, timestamps: boolean): StepSeries[] {
    const refs = this.refTimes(selector.offsetMs, selector.at);
    const lookback = this.options.lookbackMs;
    const data = this.load(selector, refs[0]! - lookback, refs[this.steps - 1]!);
    const out: StepSeries[] = [];
    for (const series of data) {
      const { t, v, stale } = series;
      const result = newSeries(series.labels, this.steps);
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

  private rangeInput(expr: MatrixSelector | SubqueryExpr): RangeInput {
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

  private rangeFunction(call: Call, matrixArg: number): StepSeries[] {
    const kernel = RANGE_FUNCTIONS[call.func]!;
    const input = this.rangeInput(call.args[matrixArg] as MatrixSelector | SubqueryExpr);
    const params = call.args.map((arg, index) => (index === matrixArg ? undefined : this.scalar(arg)));
    if (call.func === 'holt_winters') checkHoltWinters(params[1]!, params[2]!);
    const keepName = call.func === 'last_over_time';
    const out: StepSeries[] = [];
    const seen = new Set<string>();
    const stepParams: number[] = [];
    for (const run of input.runs) {
      const { t } = run;
      const result = newSeries(keepName ? run.labels : dropMetricName(run.labels), this.steps);
      const window: Window = { t, v: run.v, lo: 0, hi: 0, ts: 0, start: 0, end: 0, rangeMs: input.rangeMs };
      let any = false;
      for (let s = 0; s < this.steps; s++) {
        const end = input.refs[s]!;
        const start = end - input.rangeMs;
        while (window.lo < t.length && t[window.lo]! < start) window.lo++;
        if (window.hi < window.lo) window.hi = window.lo;
        while (window.hi < t.length && t[window.hi]! <= end) window.hi++;
        window.start = start;
        window.end = end;
        window.ts = this.times[s]!;
        stepParams.length = 0;
        for (const param of params) if (param) stepParams.push(param[s]!);
        const value = kernel(window, stepParams);
        if (value === undefined) continue;
        result.present[s] = 1;
        result.values[s] = value;
        any = true;
      }
      if (!any) continue;
      const key = labelsKey(result.labels);
      if (seen.has(key)) throw new PromQLEvalError('vector cannot contain metrics with the same labelset');
      seen.add(key);
      result.key = key;
      out.push(result);
    }
    return out;
  }

  private call(call: Call): Value {
    const { func, args } = call;
    const vector = (series: StepSeries[]): Value => ({ type: 'vector', series });
    if (RANGE_FUNCTIONS[func]) return vector(this.rangeFunction(call, func === 'quantile_over_time' ? 1 : 0));
    if (MATH[func]) return vector(mapValues(this.vector(args[0]!), this.steps, MATH[func]));
    if (DATE[func]) {
      const fn = DATE[func];
      if (!args.length) return vector([this.constantSeries((s) => fn(this.times[s]! / 1000))]);
      return vector(mapValues(this.vector(args[0]!), this.steps, fn));
    }
    switch (func) {
      case 'time':
        return { type: 'scalar', values: this.times.map((t) => t / 1000) };
      case 'pi':
        return { type: 'scalar', values: new Float64Array(this.steps).fill(Math.PI) };
      case 'vector': {
        const values = this.scalar(args[0]!);
        return vector([this.constantSeries((s) => values[s]!)]);
      }
      case 'scalar': {
        const series = this.vector(args[0]!);
        const values = new Float64Array(this.steps);
        for (let s = 0; s < this.steps; s++) {
          let count = 0;
          for (const one of series) {
            if (!one.present[s]) continue;
            count++;
            values[s] = one.values[s]!;
          }
          if (count !== 1) values[s] = NaN;
        }
        return { type: 'scalar', values };
      }
      case 'clamp': {
        const series = this.vector(args[0]!);
        const min = this.scalar(args[1]!);
        const max = this.scalar(args[2]!);
        const clamped = mapValues(series, this.steps, (x, s) => Math.max(min[s]!, Math.min(max[s]!, x)));
        // Prometheus answers nothing at a step where max < min.
        for (const one of clamped) for (let s = 0; s < this.steps; s++) if (max[s]! < min[s]!) one.present[s] = 0;
        return vector(clamped.filter((one) => one.present.includes(1)));
      }
      case 'clamp_min': {
        const min = this.scalar(args[1]!);
        return vector(mapValues(this.vector(args[0]!), this.steps, (x, s) => Math.max(x, min[s]!)));
      }
      case 'clamp_max': {
        const max = this.scalar(args[1]!);
        return vector(mapValues(this.vector(args[0]!), this.steps, (x, s) => Math.min(x, max[s]!)));
      }
      case 'round': {
        const series = this.vector(args[0]!);
        const nearest = args[1] ? this.scalar(args[1]) : new Float64Array(this.steps).fill(1);
        return vector(mapValues(series, this.steps, (x, s) => {
          const inverse = 1 / nearest[s]!;
          return Math.floor(x * inverse + 0.5) / inverse;
        }));
      }
      case 'timestamp': {
        let arg = args[0]!;
        while (arg.kind === 'paren') arg = arg.expr;
        if (arg.kind === 'selector') return vector(this.selector(arg, true).map((one) => ({ ...one, labels: dropMetricName(one.labels), key: undefined })).filter(unique()));
        return vector(mapValues(this.vector(arg), this.steps, (_x, s) => this.times[s]! / 1000));
      }
      case 'label_replace':
        return vector(labelReplace(this.vector(args[0]!), this.steps, this.string(args[1]!), this.string(args[2]!), this.string(args[3]!), this.string(args[4]!)));
      case 'label_join':
        return vector(labelJoin(this.vector(args[0]!), this.steps, this.string(args[1]!), this.string(args[2]!), args.slice(3).map((arg) => this.string(arg))));
      case 'sort':
      case 'sort_desc':
        return vector(this.vector(args[0]!));
      case 'histogram_quantile': {
        const q = this.scalar(args[0]!);
        return vector(histogramQuantile(q, this.vector(args[1]!), this.steps));
      }
      case 'absent':
      case 'absent_over_time':
        return vector(this.absent(call));
      case 'histogram_count':
      case 'histogram_sum':
      case 'histogram_fraction':
        // Native histograms only; the store holds floats, which these functions skip.
        for (const arg of args) this.eval(arg);
        return vector([]);
      default:
        throw new PromQLEvalError(`function "${func}" is not implemented`);
    }
  }

  /** One series with no labels, valued `fn(step)` at every step. */
  private constantSeries(fn: (step: number) => number): StepSeries {
    const series = newSeries({}, this.steps);
    series.present.fill(1);
    for (let s = 0; s < this.steps; s++) series.values[s] = fn(s);
    return series;
  }

  private absent(call: Call): StepSeries[] {
    const arg = call.args[0]!;
    const present = new Uint8Array(this.steps);
    if (call.func === 'absent') {
      for (const one of this.vector(arg)) for (let s = 0; s < this.steps; s++) present[s] ||= one.present[s]!;
    } else {
      const input = this.rangeInput(arg as MatrixSelector | SubqueryExpr);
      for (const run of input.runs) {
        let lo = 0;
        for (let s = 0; s < this.steps; s++) {
          const end = input.refs[s]!;
          while (lo < run.t.length && run.t[lo]! < end - input.rangeMs) lo++;
          if (lo < run.t.length && run.t[lo]! <= end) present[s] = 1;
        }
      }
    }
    const selector = arg.kind === 'selector' ? arg : arg.kind === 'matrix' ? arg.selector : undefined;
    const result = newSeries(selector ? absentLabels(selector.matchers) : {}, this.steps);
    for (let s = 0; s < this.steps; s++) {
      if (present[s]) continue;
      result.present[s] = 1;
      result.values[s] = 1;
    }
    return result.present.includes(1) ? [result] : [];
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

function checkHoltWinters(sf: Float64Array, tf: Float64Array): void {
  for (let s = 0; s < sf.length; s++) {
    if (!(sf[s]! > 0 && sf[s]! < 1)) throw new PromQLEvalError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf[s]}`);
    if (!(tf[s]! > 0 && tf[s]! < 1)) throw new PromQLEvalError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf[s]}`);
  }
}

/** A filter that throws Prometheus' error when two series end up with the same labels. */
function unique(): (series: StepSeries) => boolean {
  const builder = new Set<string>();
  return (series) => {
    const key = labelsKey(series.labels);
    if (builder.has(key)) throw new PromQLEvalError('vector cannot contain metrics with the same labelset');
    builder.add(key);
    return true;
  };
}
