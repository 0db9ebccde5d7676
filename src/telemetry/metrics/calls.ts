import type { Call, MatrixSelector, SubqueryExpr } from './ast.js';
import type { Evaluator } from './evaluate.js';
import { absentLabels, DATE, histogramQuantile, labelJoin, labelReplace, mapValues, MATH } from './functions.js';
import { dropMetricName, labelsKey } from './labels.js';
import { RANGE_FUNCTIONS, type Window } from './rangeFunctions.js';
import { newSeries, PromQLEvalError, seriesBlock, type StepSeries, type Value } from './values.js';

/**
 * Function calls: range-vector functions window by window over each series, the rest on the
 * evaluated arguments (functions.ts), with the special cases Prometheus makes (timestamp() of a
 * selector reads the samples' own times; absent() builds its labels from the matchers).
 */

function rangeFunction(ev: Evaluator, call: Call, matrixArg: number): StepSeries[] {
  const kernel = RANGE_FUNCTIONS[call.func]!;
  const input = ev.rangeInput(call.args[matrixArg] as MatrixSelector | SubqueryExpr);
  const params = call.args.map((arg, index) => (index === matrixArg ? undefined : ev.scalar(arg)));
  if (call.func === 'holt_winters') checkHoltWinters(params[1]!, params[2]!);
  const keepName = call.func === 'last_over_time';
  const out: StepSeries[] = [];
  const seen = new Set<string>();
  // The scalar arguments at the current step, overwritten in place (resizing an array per step
  // was the costliest line of a rate() over 1,000 series).
  const scalars = params.filter((param): param is Float64Array => param !== undefined);
  const stepParams = new Array<number>(scalars.length).fill(0);
  const columns = seriesBlock(input.runs.length, ev.steps);
  input.runs.forEach((run, index) => {
    const { t } = run;
    const result = columns(index, keepName ? run.labels : dropMetricName(run.labels));
    const window: Window = { t, v: run.v, lo: 0, hi: 0, ts: 0, start: 0, end: 0, rangeMs: input.rangeMs };
    let any = false;
    for (let s = 0; s < ev.steps; s++) {
      const end = input.refs[s]!;
      const start = end - input.rangeMs;
      while (window.lo < t.length && t[window.lo]! < start) window.lo++;
      if (window.hi < window.lo) window.hi = window.lo;
      while (window.hi < t.length && t[window.hi]! <= end) window.hi++;
      window.start = start;
      window.end = end;
      window.ts = ev.times[s]!;
      for (let p = 0; p < scalars.length; p++) stepParams[p] = scalars[p]![s]!;
      const value = kernel(window, stepParams);
      if (value === undefined) continue;
      result.present[s] = 1;
      result.values[s] = value;
      any = true;
    }
    if (!any) return;
    const key = labelsKey(result.labels);
    if (seen.has(key)) throw new PromQLEvalError('vector cannot contain metrics with the same labelset');
    seen.add(key);
    result.key = key;
    out.push(result);
  });
  return out;
}

export function evalCall(ev: Evaluator, call: Call): Value {
  const { func, args } = call;
  const vector = (series: StepSeries[]): Value => ({ type: 'vector', series });
  if (RANGE_FUNCTIONS[func]) return vector(rangeFunction(ev, call, func === 'quantile_over_time' ? 1 : 0));
  if (MATH[func]) return vector(mapValues(ev.vector(args[0]!), ev.steps, MATH[func]));
  if (DATE[func]) {
    const fn = DATE[func];
    if (!args.length) return vector([constantSeries(ev, (s) => fn(ev.times[s]! / 1000))]);
    return vector(mapValues(ev.vector(args[0]!), ev.steps, fn));
  }
  switch (func) {
    case 'time':
      return { type: 'scalar', values: ev.times.map((t) => t / 1000) };
    case 'pi':
      return { type: 'scalar', values: new Float64Array(ev.steps).fill(Math.PI) };
    case 'vector': {
      const values = ev.scalar(args[0]!);
      return vector([constantSeries(ev, (s) => values[s]!)]);
    }
    case 'scalar': {
      const series = ev.vector(args[0]!);
      const values = new Float64Array(ev.steps);
      for (let s = 0; s < ev.steps; s++) {
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
      const series = ev.vector(args[0]!);
      const min = ev.scalar(args[1]!);
      const max = ev.scalar(args[2]!);
      const clamped = mapValues(series, ev.steps, (x, s) => Math.max(min[s]!, Math.min(max[s]!, x)));
      // Prometheus answers nothing at a step where max < min.
      for (const one of clamped) for (let s = 0; s < ev.steps; s++) if (max[s]! < min[s]!) one.present[s] = 0;
      return vector(clamped.filter((one) => one.present.includes(1)));
    }
    case 'clamp_min': {
      const min = ev.scalar(args[1]!);
      return vector(mapValues(ev.vector(args[0]!), ev.steps, (x, s) => Math.max(x, min[s]!)));
    }
    case 'clamp_max': {
      const max = ev.scalar(args[1]!);
      return vector(mapValues(ev.vector(args[0]!), ev.steps, (x, s) => Math.min(x, max[s]!)));
    }
    case 'round': {
      const series = ev.vector(args[0]!);
      const nearest = args[1] ? ev.scalar(args[1]) : new Float64Array(ev.steps).fill(1);
      return vector(mapValues(series, ev.steps, (x, s) => {
        const inverse = 1 / nearest[s]!;
        return Math.floor(x * inverse + 0.5) / inverse;
      }));
    }
    case 'timestamp': {
      let arg = args[0]!;
      while (arg.kind === 'paren') arg = arg.expr;
      if (arg.kind === 'selector') return vector(ev.selector(arg, true).map((one) => ({ ...one, labels: dropMetricName(one.labels), key: undefined })).filter(unique()));
      return vector(mapValues(ev.vector(arg), ev.steps, (_x, s) => ev.times[s]! / 1000));
    }
    case 'label_replace':
      return vector(labelReplace(ev.vector(args[0]!), ev.steps, ev.string(args[1]!), ev.string(args[2]!), ev.string(args[3]!), ev.string(args[4]!)));
    case 'label_join':
      return vector(labelJoin(ev.vector(args[0]!), ev.steps, ev.string(args[1]!), ev.string(args[2]!), args.slice(3).map((arg) => ev.string(arg))));
    case 'sort':
    case 'sort_desc':
      return vector(ev.vector(args[0]!));
    case 'histogram_quantile': {
      const q = ev.scalar(args[0]!);
      return vector(histogramQuantile(q, ev.vector(args[1]!), ev.steps));
    }
    case 'absent':
    case 'absent_over_time':
      return vector(absent(ev, call));
    case 'histogram_count':
    case 'histogram_sum':
    case 'histogram_fraction':
      // Native histograms only; the store holds floats, which these functions skip.
      for (const arg of args) ev.eval(arg);
      return vector([]);
    default:
      throw new PromQLEvalError(`function "${func}" is not implemented`);
  }
}

/** One series with no labels, valued `fn(step)` at every step. */
function constantSeries(ev: Evaluator, fn: (step: number) => number): StepSeries {
  const series = newSeries({}, ev.steps);
  series.present.fill(1);
  for (let s = 0; s < ev.steps; s++) series.values[s] = fn(s);
  return series;
}

function absent(ev: Evaluator, call: Call): StepSeries[] {
  const arg = call.args[0]!;
  const present = new Uint8Array(ev.steps);
  if (call.func === 'absent') {
    for (const one of ev.vector(arg)) for (let s = 0; s < ev.steps; s++) present[s] ||= one.present[s]!;
  } else {
    const input = ev.rangeInput(arg as MatrixSelector | SubqueryExpr);
    for (const run of input.runs) {
      let lo = 0;
      for (let s = 0; s < ev.steps; s++) {
        const end = input.refs[s]!;
        while (lo < run.t.length && run.t[lo]! < end - input.rangeMs) lo++;
        if (lo < run.t.length && run.t[lo]! <= end) present[s] = 1;
      }
    }
  }
  const selector = arg.kind === 'selector' ? arg : arg.kind === 'matrix' ? arg.selector : undefined;
  const result = newSeries(selector ? absentLabels(selector.matchers) : {}, ev.steps);
  for (let s = 0; s < ev.steps; s++) {
    if (present[s]) continue;
    result.present[s] = 1;
    result.values[s] = 1;
  }
  return result.present.includes(1) ? [result] : [];
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
