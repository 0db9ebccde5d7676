import type { Labels } from '../../model.js';
import { parseDuration } from '../../time.js';
import { UsageError } from '../../../util/errors.js';
import type { LogStore } from '../store.js';
import type { Grouping, MetricQuery, RangeAggregation, Unwrap, VectorAggregation } from './ast.js';
import { parseBytes } from './literals.js';
import { compilePipeline, labelsOf, METADATA_LABELS, Row, selectStreams } from './pipeline.js';

/**
 * Metric queries over the log store, evaluated as Loki evaluates a range query: at each step t,
 * a range aggregation looks at the entries in (t - range, t]. Each entry is read once: counts and
 * sums go into difference arrays (O(1) per entry whatever the range/step ratio); the *_over_time
 * functions that need the values themselves keep them per series and slide a window over them.
 */

export interface Steps {
  startMs: number;
  stepMs: number;
  /** Number of steps; the last is at startMs + (count - 1) * stepMs. */
  count: number;
}

export interface Series {
  labels: Labels;
  /** One value per step; NaN where the series has no sample. */
  values: Float64Array;
}

export interface MetricWork {
  scanned: number;
  parseErrors: number;
  unwrapErrors: number;
  evicted: number;
  deadline: number;
  partial?: string;
}

export const MAX_SERIES = 10_000;
export const MAX_STEPS = 11_000;

/** Ops whose per-series results add up: `sum by (x)` of them can group by x while counting. */
const ADDITIVE = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'sum_over_time']);

export function evaluateMetric(store: LogStore, query: MetricQuery, steps: Steps, work: MetricWork): Series[] {
  if (steps.count > MAX_STEPS) {
    throw new UsageError(`The query would make ${steps.count} points per series (at most ${MAX_STEPS}).`, 'Use a larger step, or a shorter time range.');
  }
  return query.kind === 'range' ? evaluateRange(store, query, steps, work, undefined) : evaluateVector(store, query, steps, work);
}

function evaluateVector(store: LogStore, query: VectorAggregation, steps: Steps, work: MetricWork): Series[] {
  const { inner } = query;
  const groupsBy = query.grouping?.mode === 'by' ? query.grouping.labels : query.grouping ? undefined : [];
  const project = query.op === 'sum' && groupsBy && inner.kind === 'range' && ADDITIVE.has(inner.op) && !inner.grouping ? groupsBy : undefined;
  const series = inner.kind === 'range' ? evaluateRange(store, inner, steps, work, project) : evaluateVector(store, inner, steps, work);
  return aggregate(query, series, steps.count);
}

interface Accumulator {
  labels: Labels;
  /** Difference arrays: sum of values and number of entries per step window. */
  sum?: Float64Array;
  n?: Float64Array;
  /** Raw samples, for the ops that need them. */
  times?: number[];
  values?: number[];
}

function evaluateRange(store: LogStore, query: RangeAggregation, steps: Steps, work: MetricWork, project: string[] | undefined): Series[] {
  const { op, rangeMs, unwrap } = query;
  const groupLabels = query.grouping?.mode === 'by' ? query.grouping.labels : undefined;
  const seriesLabels = project ?? groupLabels;
  const needed = seriesLabels ? new Set([...seriesLabels, ...(unwrap ? [unwrap.label] : [])]) : 'all';
  const streamLabels = (id: number) => store.streamLabels(id);
  const context = { streamLabels, needed } as const;
  const pipeline = compilePipeline(query.query.stages, context);
  const selected = selectStreams(query.query.matchers, store.streamCount(), streamLabels);
  work.evicted += store.dropped((id) => selected[id] === 1);
  const keepsValues = !ADDITIVE.has(op) && op !== 'avg_over_time' && op !== 'absent_over_time';
  const accumulators = new Map<string | number, Accumulator>();
  const from = steps.startMs - rangeMs;
  const to = steps.startMs + (steps.count - 1) * steps.stepMs;
  const row = new Row();
  const readValue = unwrap ? unwrapReader(unwrap.conversion) : undefined;
  const wantsBytes = op === 'bytes_over_time' || op === 'bytes_rate';
  for (const segment of store.segments()) {
    if (!segment.count || segment.maxTime <= from || segment.minTime > to) continue;
    for (let index = 0; index < segment.count; index++) {
      const time = segment.times[index]!;
      if (time <= from || time > to) continue;
      const stream = segment.streams[index]!;
      if (!selected[stream]) continue;
      if ((++work.scanned & 4095) === 0 && performance.now() > work.deadline) {
        work.partial = `stopped after ${work.scanned.toLocaleString('en-US')} entries (the query's time budget ran out)`;
        return finish(accumulators, op, rangeMs, steps, query);
      }
      const line = segment.lines[index]!;
      if (pipeline.head && !pipeline.head(line)) continue;
      row.line = line;
      row.timeMs = time;
      row.stream = stream;
      row.info = segment.info[index]!;
      row.segment = segment;
      row.index = index;
      row.labels = undefined;
      if (pipeline.rest && !pipeline.rest(row)) continue;
      let value = 1;
      if (readValue) {
        const raw = labelsOf(row, context)[unwrap!.label];
        const read = raw === undefined ? undefined : readValue(raw);
        if (read === undefined) {
          work.unwrapErrors++;
          continue;
        }
        value = read;
      } else if (wantsBytes) value = utf8Length(row.line);
      const { key, labels } = seriesOf(row, context, pipeline.usesLabels, seriesLabels, query.grouping);
      if (labels.__error__) work.parseErrors++;
      let accumulator = accumulators.get(key);
      if (!accumulator) {
        if (accumulators.size >= MAX_SERIES) {
          throw new UsageError(
            `The query makes more than ${MAX_SERIES.toLocaleString('en-US')} series (one per distinct set of labels, and | json makes many).`,
            'Aggregate them, e.g. sum by (level) (count_over_time({app="api"} | json [5m])), or drop labels with | keep level.',
          );
        }
        accumulator = { labels: { ...labels } };
        if (keepsValues) {
          accumulator.times = [];
          accumulator.values = [];
        } else {
          accumulator.sum = new Float64Array(steps.count + 1);
          accumulator.n = new Float64Array(steps.count + 1);
        }
        accumulators.set(key, accumulator);
      }
      if (keepsValues) {
        accumulator.times!.push(time);
        accumulator.values!.push(value);
        continue;
      }
      // Steps whose window (t - range, t] holds this entry: t >= time and t - range < time.
      const first = Math.max(0, Math.ceil((time - steps.startMs) / steps.stepMs));
      const last = Math.min(steps.count - 1, Math.ceil((time - steps.startMs + rangeMs) / steps.stepMs) - 1);
      if (first > last) continue;
      const sum = accumulator.sum!;
      const n = accumulator.n!;
      sum[first] = sum[first]! + value;
      sum[last + 1] = sum[last + 1]! - value;
      n[first] = n[first]! + 1;
      n[last + 1] = n[last + 1]! - 1;
    }
  }
  return finish(accumulators, op, rangeMs, steps, query);
}

function seriesOf(
  row: Row,
  context: { streamLabels(id: number): Labels; needed: ReadonlySet<string> | 'all' },
  usesLabels: boolean,
  seriesLabels: string[] | undefined,
  grouping: Grouping | undefined,
): { key: string | number; labels: Labels } {
  if (!seriesLabels && !usesLabels && !grouping) return { key: row.stream, labels: context.streamLabels(row.stream) };
  const all = labelsOf(row, context);
  const labels: Labels = {};
  if (seriesLabels) {
    for (const name of seriesLabels) if (all[name] !== undefined && all[name] !== '') labels[name] = all[name]!;
  } else {
    const without = grouping?.mode === 'without' ? new Set(grouping.labels) : undefined;
    for (const name in all) if (!METADATA_LABELS.has(name) && name !== '__error_details__' && !without?.has(name) && all[name] !== '') labels[name] = all[name]!;
  }
  // Lines a parser could not read stay visible as their own series (Loki fails the query instead).
  if (all.__error__) labels.__error__ = all.__error__;
  const names = Object.keys(labels).sort();
  let key = '';
  for (const name of names) key += `${name}\u0000${labels[name]}\u0001`;
  return { key, labels };
}

function finish(accumulators: Map<string | number, Accumulator>, op: RangeAggregation['op'], rangeMs: number, steps: Steps, query: RangeAggregation): Series[] {
  const seconds = rangeMs / 1_000;
  const out: Series[] = [];
  if (op === 'absent_over_time') {
    const present = new Float64Array(steps.count);
    for (const accumulator of accumulators.values()) {
      let running = 0;
      for (let k = 0; k < steps.count; k++) {
        running += accumulator.n![k]!;
        if (running > 0) present[k] = 1;
      }
    }
    const values = new Float64Array(steps.count).map((_, k) => (present[k] ? NaN : 1));
    const labels = Object.fromEntries(query.query.matchers.filter((matcher) => matcher.op === '=').map((matcher) => [matcher.name, matcher.value]));
    return values.some((value) => !Number.isNaN(value)) ? [{ labels, values }] : [];
  }
  for (const accumulator of accumulators.values()) {
    const values = new Float64Array(steps.count).fill(NaN);
    if (accumulator.sum) {
      let sum = 0;
      let n = 0;
      for (let k = 0; k < steps.count; k++) {
        sum += accumulator.sum[k]!;
        n += accumulator.n![k]!;
        if (n <= 0) continue;
        if (op === 'count_over_time') values[k] = n;
        else if (op === 'rate') values[k] = n / seconds;
        else if (op === 'bytes_over_time' || op === 'sum_over_time') values[k] = sum;
        else if (op === 'bytes_rate') values[k] = sum / seconds;
        else if (op === 'avg_over_time') values[k] = sum / n;
      }
    } else {
      slideWindows(accumulator.times!, accumulator.values!, op, query.parameter, rangeMs, steps, values);
    }
    if (values.some((value) => !Number.isNaN(value))) out.push({ labels: accumulator.labels, values });
  }
  return out;
}

function slideWindows(times: number[], samples: number[], op: RangeAggregation['op'], parameter: number | undefined, rangeMs: number, steps: Steps, out: Float64Array): void {
  // Entries arrive in store order, which is time order for one source; sort in case sources interleave.
  let order = times.map((_, index) => index);
  if (times.some((time, index) => index > 0 && time < times[index - 1]!)) order = order.sort((a, b) => times[a]! - times[b]!);
  let lo = 0;
  let hi = 0;
  for (let k = 0; k < steps.count; k++) {
    const t = steps.startMs + k * steps.stepMs;
    while (hi < order.length && times[order[hi]!]! <= t) hi++;
    while (lo < hi && times[order[lo]!]! <= t - rangeMs) lo++;
    if (lo >= hi) continue;
    const window: number[] = [];
    for (let i = lo; i < hi; i++) window.push(samples[order[i]!]!);
    out[k] = reduceWindow(op, window, parameter);
  }
}

function reduceWindow(op: RangeAggregation['op'], window: number[], parameter: number | undefined): number {
  switch (op) {
    case 'min_over_time':
      return window.reduce((a, b) => (b < a ? b : a));
    case 'max_over_time':
      return window.reduce((a, b) => (b > a ? b : a));
    case 'first_over_time':
      return window[0]!;
    case 'last_over_time':
      return window[window.length - 1]!;
    case 'quantile_over_time':
      return quantile(parameter ?? 0.5, window);
    case 'stddev_over_time':
      return Math.sqrt(variance(window));
    case 'stdvar_over_time':
      return variance(window);
    default:
      return NaN;
  }
}

function variance(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
}

/** Prometheus' quantile: linear interpolation between the closest ranks. */
function quantile(phi: number, values: number[]): number {
  if (phi < 0) return -Infinity;
  if (phi > 1) return Infinity;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = phi * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(sorted.length - 1, lower + 1);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

function unwrapReader(conversion: Unwrap['conversion']): (raw: string) => number | undefined {
  if (conversion === 'duration' || conversion === 'duration_seconds') {
    return (raw) => {
      const ms = parseDuration(raw);
      return ms === undefined ? undefined : ms / 1_000;
    };
  }
  if (conversion === 'bytes') return (raw) => parseBytes(raw);
  return (raw) => {
    if (raw === '') return undefined;
    const value = Number(raw);
    return Number.isNaN(value) ? undefined : value;
  };
}

/** Bytes of a string in UTF-8 (what bytes_over_time counts), quick for ASCII. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

function aggregate(query: VectorAggregation, series: Series[], count: number): Series[] {
  const { op, grouping } = query;
  const keyOf = (labels: Labels): { key: string; labels: Labels } => {
    const kept: Labels = {};
    if (!grouping || grouping.mode === 'by') {
      for (const name of grouping?.labels ?? []) if (labels[name] !== undefined) kept[name] = labels[name]!;
      // Lines a parser could not read stay apart from the rest, whatever the grouping.
      if (labels.__error__) kept.__error__ = labels.__error__;
    } else {
      const without = new Set(grouping.labels);
      for (const name in labels) if (!without.has(name)) kept[name] = labels[name]!;
    }
    const names = Object.keys(kept).sort();
    return { key: names.map((name) => `${name}\u0000${kept[name]}`).join('\u0001'), labels: kept };
  };
  const groups = new Map<string, { labels: Labels; members: Series[] }>();
  for (const one of series) {
    const { key, labels } = keyOf(one.labels);
    const group = groups.get(key) ?? { labels, members: [] };
    group.members.push(one);
    groups.set(key, group);
  }
  if (op === 'topk' || op === 'bottomk') {
    const k = Math.max(0, Math.floor(query.parameter ?? 1));
    const out = new Map<Series, Float64Array>();
    for (const group of groups.values()) {
      for (let step = 0; step < count; step++) {
        const ranked = group.members.filter((member) => !Number.isNaN(member.values[step]!));
        ranked.sort((a, b) => (op === 'topk' ? b.values[step]! - a.values[step]! : a.values[step]! - b.values[step]!));
        for (const member of ranked.slice(0, k)) {
          const values = out.get(member) ?? new Float64Array(count).fill(NaN);
          values[step] = member.values[step]!;
          out.set(member, values);
        }
      }
    }
    return [...out].map(([member, values]) => ({ labels: member.labels, values }));
  }
  const out: Series[] = [];
  for (const group of groups.values()) {
    const values = new Float64Array(count).fill(NaN);
    for (let step = 0; step < count; step++) {
      const present: number[] = [];
      for (const member of group.members) {
        const value = member.values[step]!;
        if (!Number.isNaN(value)) present.push(value);
      }
      if (!present.length) continue;
      values[step] = combine(op, present);
    }
    if (values.some((value) => !Number.isNaN(value))) out.push({ labels: group.labels, values });
  }
  return out;
}

function combine(op: VectorAggregation['op'], values: number[]): number {
  switch (op) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'count':
      return values.length;
    case 'max':
      return values.reduce((a, b) => (b > a ? b : a));
    case 'min':
      return values.reduce((a, b) => (b < a ? b : a));
    case 'stddev':
      return Math.sqrt(variance(values));
    case 'stdvar':
      return variance(values);
    default:
      return NaN;
  }
}
