import type { Labels } from '../model.js';
import { dropMetricName, labelsKey, METRIC_NAME } from './labels.js';
import type { GoRegex } from '../regex.js';
import { compileRegex, expandTemplate } from './lexical.js';
import { LABEL_NAME } from './parse.js';
import { newSeries, PromQLEvalError, VectorBuilder, type StepSeries } from './values.js';

/**
 * Functions of instant vectors (Prometheus 2.42): element-wise math and dates, clamping and
 * rounding, label rewriting, and histogram_quantile over classic `le` buckets.
 */

/** Element-wise functions; all drop the metric name. */
export const MATH: Record<string, (x: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sgn: (x) => (x < 0 ? -1 : x > 0 ? 1 : x),
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (x) => (x * 180) / Math.PI,
  rad: (x) => (x * Math.PI) / 180,
};

/** Calendar functions of a time in seconds (UTC), as Go's time package reads it. */
export const DATE: Record<string, (seconds: number) => number> = {
  minute: (t) => dateOf(t).getUTCMinutes(),
  hour: (t) => dateOf(t).getUTCHours(),
  day_of_week: (t) => dateOf(t).getUTCDay(),
  day_of_month: (t) => dateOf(t).getUTCDate(),
  day_of_year: (t) => {
    const date = dateOf(t);
    return Math.round((Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  },
  days_in_month: (t) => {
    const date = dateOf(t);
    return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  },
  month: (t) => dateOf(t).getUTCMonth() + 1,
  year: (t) => dateOf(t).getUTCFullYear(),
};

function dateOf(seconds: number): Date {
  return new Date(Math.trunc(seconds) * 1000);
}

/** Applies `fn` to every value, dropping the metric name; same-labelled results at one step are an error. */
export function mapValues(series: StepSeries[], steps: number, fn: (value: number, step: number) => number, keepName = false): StepSeries[] {
  const builder = new VectorBuilder(steps);
  for (const one of series) {
    const values = new Float64Array(steps);
    for (let s = 0; s < steps; s++) if (one.present[s]) values[s] = fn(one.values[s]!, s);
    builder.add(keepName ? one.labels : dropMetricName(one.labels), values, one.present.slice());
  }
  return builder.build();
}

export function labelReplace(series: StepSeries[], steps: number, dst: string, replacement: string, src: string, pattern: string): StepSeries[] {
  let regex: GoRegex;
  try {
    regex = compileRegex(pattern);
  } catch (error) {
    throw new PromQLEvalError(`invalid regular expression in label_replace(): ${pattern.slice(0, 100)} (${(error as Error).message})`);
  }
  if (!LABEL_NAME.test(dst)) throw new PromQLEvalError(`invalid destination label name in label_replace(): ${dst.slice(0, 100)}`);
  const builder = new VectorBuilder(steps);
  for (const one of series) {
    const match = regex.exec(one.labels[src] ?? '');
    let labels = one.labels;
    if (match) {
      const value = expandTemplate(replacement, match);
      labels = { ...labels };
      if (value) labels[dst] = value;
      else delete labels[dst];
    }
    builder.add(labels, one.values, one.present);
  }
  return builder.build();
}

export function labelJoin(series: StepSeries[], steps: number, dst: string, separator: string, sources: string[]): StepSeries[] {
  if (!LABEL_NAME.test(dst)) throw new PromQLEvalError(`invalid destination label name in label_join(): ${dst.slice(0, 100)}`);
  for (const source of sources) if (!LABEL_NAME.test(source)) throw new PromQLEvalError(`invalid source label name in label_join(): ${source.slice(0, 100)}`);
  const builder = new VectorBuilder(steps);
  for (const one of series) {
    const value = sources.map((source) => one.labels[source] ?? '').join(separator);
    const labels: Labels = { ...one.labels };
    if (value) labels[dst] = value;
    else delete labels[dst];
    builder.add(labels, one.values, one.present);
  }
  return builder.build();
}

/**
 * histogram_quantile over classic buckets: series grouped by their labels without `le` (and the
 * metric name); per step, Prometheus' bucketQuantile (buckets sorted, equal bounds merged,
 * counts made monotonic, linear interpolation inside the bucket; the +Inf bucket required).
 */
export function histogramQuantile(q: Float64Array, series: StepSeries[], steps: number): StepSeries[] {
  const groups = new Map<string, { labels: Labels; members: { le: number; series: StepSeries }[] }>();
  for (const one of series) {
    const leText = one.labels.le;
    if (leText === undefined) continue;
    const le = parseBound(leText);
    if (le === undefined) continue;
    const { le: _le, ...rest } = one.labels;
    const labels = dropMetricName(rest);
    const key = labelsKey(labels);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels, members: [] }));
    group.members.push({ le, series: one });
  }
  const out: StepSeries[] = [];
  for (const group of groups.values()) {
    const result = newSeries(group.labels, steps);
    for (let s = 0; s < steps; s++) {
      const buckets: { upper: number; count: number }[] = [];
      for (const member of group.members) if (member.series.present[s]) buckets.push({ upper: member.le, count: member.series.values[s]! });
      if (!buckets.length) continue;
      result.present[s] = 1;
      result.values[s] = bucketQuantile(q[s]!, buckets);
    }
    if (result.present.includes(1)) out.push(result);
  }
  return out;
}

/** An `le` value as Go's strconv.ParseFloat reads it (+Inf, Inf, 1e3, …); undefined when it is not a number. */
function parseBound(text: string): number | undefined {
  const lower = text.trim().toLowerCase();
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower) && !/^[+-]?0x[0-9a-f]+(\.[0-9a-f]*)?(p[+-]?\d+)?$/.test(lower)) return undefined;
  return Number(lower);
}

export function bucketQuantile(q: number, input: { upper: number; count: number }[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...input].sort((a, b) => a.upper - b.upper);
  if (sorted[sorted.length - 1]!.upper !== Infinity) return NaN;
  // Merge buckets with the same bound (differently written `le` values such as "1" and "1.0").
  const buckets: { upper: number; count: number }[] = [];
  for (const bucket of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upper === bucket.upper) last.count += bucket.count;
    else buckets.push({ ...bucket });
  }
  // Counts must not fall (a scrape may catch buckets mid-update): hold the highest seen so far.
  let max = -Infinity;
  for (const bucket of buckets) {
    if (bucket.count > max) max = bucket.count;
    else if (bucket.count < max) bucket.count = max;
  }
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = 0;
  // The first bucket (not counting +Inf) whose count reaches the rank.
  while (b < buckets.length - 1 && !(buckets[b]!.count >= rank)) b++;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upper;
  if (b === 0 && buckets[0]!.upper <= 0) return buckets[0]!.upper;
  let start = 0;
  const end = buckets[b]!.upper;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.upper;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (end - start) * (rank / count);
}

/** absent()'s labels: those of the selector's equality matchers (a label matched twice or otherwise is left out). */
export function absentLabels(matchers: readonly { name: string; op: string; value: string }[]): Labels {
  const labels: Labels = {};
  const drop: string[] = [];
  for (const matcher of matchers) {
    if (matcher.name === METRIC_NAME) continue;
    if (matcher.op === '=' && !(matcher.name in labels)) labels[matcher.name] = matcher.value;
    else drop.push(matcher.name);
  }
  for (const name of drop) delete labels[name];
  for (const name of Object.keys(labels)) if (labels[name] === '') delete labels[name];
  return labels;
}
