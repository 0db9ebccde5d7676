/**
 * Functions over a range vector, one window at a time, with Prometheus 2.42's arithmetic:
 * rate/increase/delta extrapolate to the window's edges (and not below zero for counters),
 * irate/idelta use the last two samples, deriv/predict_linear a least-squares line, the
 * *_over_time family aggregates the window's samples. A window is samples [lo, hi) of one series;
 * stale markers are already left out. `undefined`: no value at this step.
 */

export interface Window {
  t: Float64Array;
  v: Float64Array;
  lo: number;
  /** One past the last sample. */
  hi: number;
  /** The evaluation time of this step (ms). */
  ts: number;
  /** The window's ends (ms): [end − range, end]. */
  start: number;
  end: number;
  rangeMs: number;
}

export type RangeKernel = (w: Window, params: readonly number[]) => number | undefined;

/** Kahan-Babuška summation step, as Prometheus sums some windows: returns [sum, compensation]. */
export function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

function extrapolatedRate(w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  const { t, v, lo, hi } = w;
  const n = hi - lo;
  if (n < 2) return undefined;
  const first = v[lo]!;
  const last = v[hi - 1]!;
  let result = last - first;
  if (isCounter) {
    let prev = first;
    for (let i = lo + 1; i < hi; i++) {
      const current = v[i]!;
      if (current < prev) result += prev;
      prev = current;
    }
  }
  let durationToStart = (t[lo]! - w.start) / 1000;
  const durationToEnd = (w.end - t[hi - 1]!) / 1000;
  const sampledInterval = (t[hi - 1]! - t[lo]!) / 1000;
  const averageBetween = sampledInterval / (n - 1);
  if (isCounter && result > 0 && first >= 0) {
    // A counter does not go below zero: extrapolate no further back than where it would be 0.
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetween * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= w.rangeMs / 1000;
  return result * factor;
}

function instantValue(w: Window, isRate: boolean): number | undefined {
  const { t, v, lo, hi } = w;
  if (hi - lo < 2) return undefined;
  const last = v[hi - 1]!;
  const previous = v[hi - 2]!;
  let result = isRate && last < previous ? last : last - previous;
  const interval = t[hi - 1]! - t[hi - 2]!;
  if (interval === 0) return undefined;
  if (isRate) result /= interval / 1000;
  return result;
}

/** Least squares through the window's samples, x in seconds from `interceptMs`: [slope, intercept]. */
export function linearRegression(w: Window, interceptMs: number): [number, number] {
  const { t, v, lo, hi } = w;
  const initY = v[lo]!;
  let constY = true;
  let n = 0;
  let sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  for (let i = lo; i < hi; i++) {
    const y = v[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    n++;
    const x = (t[i]! - interceptMs) / 1000;
    [sumX, cX] = kahanInc(x, sumX, cX);
    [sumY, cY] = kahanInc(y, sumY, cY);
    [sumXY, cXY] = kahanInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

/** Prometheus' quantile: φ-quantile with linear interpolation between the closest ranks. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort((a, b) => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

function windowValues(w: Window): number[] {
  const out = new Array<number>(w.hi - w.lo);
  for (let i = w.lo; i < w.hi; i++) out[i - w.lo] = w.v[i]!;
  return out;
}

/** Mean with Prometheus' care for infinities (avg_over_time and avg). */
export function meanStep(mean: number, c: number, value: number, count: number): [number, number] {
  if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
    if (!Number.isFinite(value) && !Number.isNaN(value) && mean > 0 === value > 0) return [mean, c];
    if (Number.isFinite(value)) return [mean, c];
  }
  return kahanInc(value / count - mean / count, mean, c);
}

const overTime = (fn: (w: Window, params: readonly number[]) => number): RangeKernel => (w, params) => (w.hi > w.lo ? fn(w, params) : undefined);

export const RANGE_FUNCTIONS: Record<string, RangeKernel> = {
  rate: (w) => extrapolatedRate(w, true, true),
  increase: (w) => extrapolatedRate(w, true, false),
  delta: (w) => extrapolatedRate(w, false, false),
  irate: (w) => instantValue(w, true),
  idelta: (w) => instantValue(w, false),
  deriv: (w) => (w.hi - w.lo < 2 ? undefined : linearRegression(w, w.t[w.lo]!)[0]),
  predict_linear: (w, [duration = 0]) => {
    if (w.hi - w.lo < 2) return undefined;
    const [slope, intercept] = linearRegression(w, w.ts);
    return slope * duration + intercept;
  },
  changes: overTime(({ v, lo, hi }) => {
    let changes = 0;
    let prev = v[lo]!;
    for (let i = lo + 1; i < hi; i++) {
      const current = v[i]!;
      if (current !== prev && !(Number.isNaN(current) && Number.isNaN(prev))) changes++;
      prev = current;
    }
    return changes;
  }),
  resets: overTime(({ v, lo, hi }) => {
    let resets = 0;
    let prev = v[lo]!;
    for (let i = lo + 1; i < hi; i++) {
      const current = v[i]!;
      if (current < prev) resets++;
      prev = current;
    }
    return resets;
  }),
  avg_over_time: overTime(({ v, lo, hi }) => {
    let mean = 0;
    let c = 0;
    let count = 0;
    for (let i = lo; i < hi; i++) {
      count++;
      [mean, c] = meanStep(mean, c, v[i]!, count);
    }
    return Number.isFinite(mean) ? mean + c : mean;
  }),
  sum_over_time: overTime(({ v, lo, hi }) => {
    let sum = 0;
    let c = 0;
    for (let i = lo; i < hi; i++) [sum, c] = kahanInc(v[i]!, sum, c);
    return Number.isFinite(sum) ? sum + c : sum;
  }),
  count_over_time: overTime(({ lo, hi }) => hi - lo),
  min_over_time: overTime(({ v, lo, hi }) => {
    let min = v[lo]!;
    for (let i = lo; i < hi; i++) if (v[i]! < min || Number.isNaN(min)) min = v[i]!;
    return min;
  }),
  max_over_time: overTime(({ v, lo, hi }) => {
    let max = v[lo]!;
    for (let i = lo; i < hi; i++) if (v[i]! > max || Number.isNaN(max)) max = v[i]!;
    return max;
  }),
  last_over_time: overTime(({ v, hi }) => v[hi - 1]!),
  present_over_time: overTime(() => 1),
  quantile_over_time: overTime((w, [q = NaN]) => quantile(q, windowValues(w))),
  stddev_over_time: overTime((w) => Math.sqrt(variance(w))),
  stdvar_over_time: overTime((w) => variance(w)),
  holt_winters: (w, [sf = NaN, tf = NaN]) => {
    const { v, lo, hi } = w;
    if (hi - lo < 2) return undefined;
    let s0 = 0;
    let s1 = v[lo]!;
    let b = v[lo + 1]! - v[lo]!;
    for (let i = 1; i < hi - lo; i++) {
      const x = sf * v[lo + i]!;
      if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
      const y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  },
};

function variance({ v, lo, hi }: Window): number {
  let count = 0;
  let mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (let i = lo; i < hi; i++) {
    const value = v[i]!;
    count++;
    const delta = value - (mean + cMean);
    [mean, cMean] = kahanInc(delta / count, mean, cMean);
    [aux, cAux] = kahanInc(delta * (value - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}
