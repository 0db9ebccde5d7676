import type { Labels } from '../model.js';
import { labelsKey } from './labels.js';

/**
 * The values the evaluator passes between nodes. An instant vector over a range query is held
 * column-wise: one series per label set with a value and a presence flag per step, so
 * aggregations and binary operators work on whole columns instead of per-step maps.
 */

export interface StepSeries {
  labels: Labels;
  /** labelsKey(labels), computed when first needed. */
  key?: string;
  values: Float64Array;
  /** 1 at the steps where the series has a value. */
  present: Uint8Array;
}

/** Raw samples of one series (a range vector's elements, or a subquery's points). */
export interface SampleRun {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
}

export type Value =
  | { type: 'vector'; series: StepSeries[] }
  | { type: 'scalar'; values: Float64Array }
  | { type: 'string'; value: string }
  | { type: 'matrix'; series: SampleRun[] };

export function keyOf(series: StepSeries): string {
  return (series.key ??= labelsKey(series.labels));
}

export function newSeries(labels: Labels, steps: number): StepSeries {
  return { labels, values: new Float64Array(steps), present: new Uint8Array(steps) };
}

/**
 * Columns for `count` series from one allocation each for values and presence (many small typed
 * arrays cost more to allocate and collect than one large one): `make(i, labels)` is series i.
 */
export function seriesBlock(count: number, steps: number): (index: number, labels: Labels) => StepSeries {
  const values = new Float64Array(count * steps);
  const present = new Uint8Array(count * steps);
  return (index, labels) => ({ labels, values: values.subarray(index * steps, (index + 1) * steps), present: present.subarray(index * steps, (index + 1) * steps) });
}

/** An error in evaluation, in Prometheus' words (parse-time problems are PromQLSyntaxError). */
export class PromQLEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromQLEvalError';
  }
}

/**
 * Builds an output vector one (labels, step, value) at a time, merging series with the same
 * label set across steps as Prometheus' range evaluation does; two values for one label set at
 * the same step are the error Prometheus gives.
 */
export class VectorBuilder {
  private readonly byKey = new Map<string, StepSeries>();

  constructor(private readonly steps: number) {}

  series(labels: Labels, key = labelsKey(labels)): StepSeries {
    let series = this.byKey.get(key);
    if (!series) {
      series = newSeries(labels, this.steps);
      series.key = key;
      this.byKey.set(key, series);
    }
    return series;
  }

  set(series: StepSeries, step: number, value: number): void {
    if (series.present[step]) throw new PromQLEvalError('vector cannot contain metrics with the same labelset');
    series.present[step] = 1;
    series.values[step] = value;
  }

  /** Adds a whole column; overlapping steps with a series of the same labels are an error. */
  add(labels: Labels, values: Float64Array, present: Uint8Array, key = labelsKey(labels)): void {
    const existing = this.byKey.get(key);
    if (!existing) {
      this.byKey.set(key, { labels, key, values, present });
      return;
    }
    for (let step = 0; step < this.steps; step++) {
      if (!present[step]) continue;
      this.set(existing, step, values[step]!);
    }
  }

  build(): StepSeries[] {
    const out: StepSeries[] = [];
    for (const series of this.byKey.values()) if (series.present.includes(1)) out.push(series);
    return out;
  }
}

/**
 * A float as Prometheus writes it in its HTTP API (Go's strconv.FormatFloat(v, 'f', -1, 64)):
 * the shortest digits that read back exactly, never in exponent form; NaN, +Inf, -Inf.
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  const text = String(value);
  if (!text.includes('e')) return text;
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)!;
  const [, sign, lead, frac = '', exp] = match;
  const digits = lead! + frac;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Milliseconds → the seconds Prometheus' API writes (a JSON number). */
export function toSeconds(ms: number): number {
  return ms / 1000;
}
