import type { Labels } from '../model.js';
import type { AggregateOp } from './ast.js';
import { labelsKey, METRIC_NAME } from './labels.js';
import { meanStep, quantile } from './rangeFunctions.js';
import { formatValue, newSeries, PromQLEvalError, VectorBuilder, type StepSeries } from './values.js';

/**
 * Aggregation operators over an instant vector, column-wise: each input series belongs to one
 * group (its labels by/without the grouping), and each group accumulates step by step in the
 * order Prometheus 2.42 does (input order; first value taken as is; NaN handling of min/max;
 * topk/bottomk with Go's heap operations, so ties keep the same series).
 */

export interface AggregateInput {
  op: AggregateOp;
  grouping: string[];
  without: boolean;
  series: StepSeries[];
  steps: number;
  /** topk/bottomk/quantile: the parameter at each step. */
  param?: Float64Array;
  /** count_values: the label to write. */
  label?: string;
}

function groupLabels(labels: Labels, grouping: readonly string[], without: boolean): Labels {
  const out: Labels = {};
  if (without) {
    for (const name in labels) if (name !== METRIC_NAME && !grouping.includes(name)) out[name] = labels[name]!;
  } else {
    for (const name of grouping) if (labels[name] !== undefined) out[name] = labels[name]!;
  }
  return out;
}

export function aggregate(input: AggregateInput): StepSeries[] {
  switch (input.op) {
    case 'topk':
    case 'bottomk':
      return topk(input);
    case 'quantile':
      return quantileAggregate(input);
    case 'count_values':
      return countValues(input);
    default:
      return simple(input);
  }
}

interface Group {
  labels: Labels;
  members: number[];
}

function groupSeries(input: AggregateInput): Group[] {
  const groups = new Map<string, Group>();
  input.series.forEach((series, index) => {
    const labels = groupLabels(series.labels, input.grouping, input.without);
    const key = labelsKey(labels);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels, members: [] }));
    group.members.push(index);
  });
  return [...groups.values()];
}

function simple(input: AggregateInput): StepSeries[] {
  const { op, steps } = input;
  const out: StepSeries[] = [];
  for (const group of groupSeries(input)) {
    const result = newSeries(group.labels, steps);
    const value = result.values;
    const count = new Float64Array(steps);
    const mean = new Float64Array(steps);
    const comp = new Float64Array(steps);
    for (const index of group.members) {
      const { values, present } = input.series[index]!;
      for (let s = 0; s < steps; s++) {
        if (!present[s]) continue;
        const x = values[s]!;
        const n = ++count[s]!;
        if (n === 1) {
          value[s] = op === 'count' || op === 'group' ? 1 : op === 'stddev' || op === 'stdvar' ? 0 : x;
          mean[s] = x;
          continue;
        }
        switch (op) {
          case 'sum':
            value[s] = value[s]! + x;
            break;
          case 'avg': {
            const [m, c] = meanStep(mean[s]!, comp[s]!, x, n);
            mean[s] = m;
            comp[s] = c;
            break;
          }
          case 'count':
            value[s] = n;
            break;
          case 'min':
            if (value[s]! > x || Number.isNaN(value[s]!)) value[s] = x;
            break;
          case 'max':
            if (value[s]! < x || Number.isNaN(value[s]!)) value[s] = x;
            break;
          case 'stddev':
          case 'stdvar': {
            const delta = x - mean[s]!;
            mean[s] = mean[s]! + delta / n;
            value[s] = value[s]! + delta * (x - mean[s]!);
            break;
          }
          default:
            break;
        }
      }
    }
    for (let s = 0; s < steps; s++) {
      if (!count[s]) continue;
      result.present[s] = 1;
      if (op === 'avg') value[s] = Number.isFinite(mean[s]!) ? mean[s]! + comp[s]! : mean[s]!;
      else if (op === 'stdvar') value[s] = value[s]! / count[s]!;
      else if (op === 'stddev') value[s] = Math.sqrt(value[s]! / count[s]!);
    }
    out.push(result);
  }
  return out;
}

/** k from a parameter value as Prometheus takes it (int64 conversion, refused beyond int64). */
function toK(value: number): number {
  if (!(value <= 9.223372036854776e18 && value >= -9.223372036854776e18)) throw new PromQLEvalError(`Scalar value ${formatValue(value)} overflows int64`);
  return Math.trunc(value);
}

/** topk and bottomk: Go's container/heap over each group at each step, as Prometheus keeps it. */
function topk(input: AggregateInput): StepSeries[] {
  const { steps, series } = input;
  const bottom = input.op === 'bottomk';
  // Heap order: the element that goes first (the smallest kept for topk; NaN always first).
  const less = (a: number, b: number) => Number.isNaN(a) || (bottom ? a > b : a < b);
  const outputs = series.map((s) => newSeries(s.labels, steps));
  const groups = groupSeries(input);
  for (let s = 0; s < steps; s++) {
    const k = toK(input.param![s]!);
    if (k < 1) continue;
    for (const group of groups) {
      const heap: number[] = [];
      const value = (i: number) => series[heap[i]!]!.values[s]!;
      const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
      const up = (j: number) => {
        for (;;) {
          const i = Math.floor((j - 1) / 2);
          if (i === j || j <= 0 || !less(value(j), value(i))) break;
          swap(i, j);
          j = i;
        }
      };
      const down = (i0: number, n: number) => {
        let i = i0;
        for (;;) {
          const j1 = 2 * i + 1;
          if (j1 >= n) break;
          let j = j1;
          const j2 = j1 + 1;
          if (j2 < n && less(value(j2), value(j1))) j = j2;
          if (!less(value(j), value(i))) break;
          swap(i, j);
          i = j;
        }
        return i > i0;
      };
      for (const index of group.members) {
        if (!series[index]!.present[s]) continue;
        const x = series[index]!.values[s]!;
        if (heap.length < k) {
          heap.push(index);
          up(heap.length - 1);
          continue;
        }
        const top = value(0);
        const replace = bottom ? top > x || (Number.isNaN(top) && !Number.isNaN(x)) : top < x || (Number.isNaN(top) && !Number.isNaN(x));
        if (replace) {
          // What Prometheus 2.42 was measured to do on ties: pop the smallest, then push the new
          // element (heap.Pop + heap.Push), not overwrite the top and fix it.
          const last = heap.length - 1;
          swap(0, last);
          down(0, last);
          heap[last] = index;
          up(last);
        }
      }
      for (const index of heap) {
        outputs[index]!.present[s] = 1;
        outputs[index]!.values[s] = series[index]!.values[s]!;
      }
    }
  }
  return outputs.filter((output) => output.present.includes(1));
}

function quantileAggregate(input: AggregateInput): StepSeries[] {
  const { steps, series } = input;
  const out: StepSeries[] = [];
  for (const group of groupSeries(input)) {
    const result = newSeries(group.labels, steps);
    for (let s = 0; s < steps; s++) {
      const values: number[] = [];
      for (const index of group.members) if (series[index]!.present[s]) values.push(series[index]!.values[s]!);
      if (!values.length) continue;
      result.present[s] = 1;
      result.values[s] = quantile(input.param![s]!, values);
    }
    out.push(result);
  }
  return out;
}

/** count_values: the value becomes a label (Go's shortest 'f' format), then groups are counted. */
function countValues(input: AggregateInput): StepSeries[] {
  const { steps, series } = input;
  const label = input.label!;
  const grouping = input.without ? input.grouping : [...input.grouping, label];
  const builder = new VectorBuilder(steps);
  for (let s = 0; s < steps; s++) {
    const counts = new Map<string, { labels: Labels; count: number }>();
    for (const one of series) {
      if (!one.present[s]) continue;
      const labels = groupLabels({ ...one.labels, [label]: formatValue(one.values[s]!) }, grouping, input.without);
      const key = labelsKey(labels);
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { labels, count: 1 });
    }
    for (const [key, { labels, count }] of counts) builder.set(builder.series(labels, key), s, count);
  }
  return builder.build();
}
