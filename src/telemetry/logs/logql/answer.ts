import type { Labels } from '../../model.js';

/**
 * Query answers in the shape of the `data` of Loki's HTTP query API, so that a remote Loki can
 * answer in Legible's place and one formatter reads both. Log entries carry Loki's "categorized
 * labels" third element: structured metadata (detected_level, trace_id, span_id).
 */

/** [timestamp in Unix nanoseconds as a string, line, metadata]. */
export type StreamValue = [string, string] | [string, string, { structuredMetadata?: Labels }];

export interface StreamsData {
  resultType: 'streams';
  result: { stream: Labels; values: StreamValue[] }[];
}

/** [Unix seconds, value as a string], as Prometheus and Loki write samples. */
export type Sample = [number, string];

export interface MatrixData {
  resultType: 'matrix';
  result: { metric: Labels; values: Sample[] }[];
}

export interface VectorData {
  resultType: 'vector';
  result: { metric: Labels; value: Sample }[];
}

export type LokiData = StreamsData | MatrixData | VectorData;

/** What Legible adds beside `data`: how much matched and what was left out. */
export interface QueryStats {
  /** Entries that matched a log query (all of them, not only those returned). */
  matched: number;
  /** Entries returned (log queries). */
  returned: number;
  /** Entries looked at. */
  scanned: number;
  /** Why counting stopped early, when it did (the work budget ran out). */
  partial?: string;
  /** Entries of the selected streams evicted from the bounded store before the query ran. */
  evicted: number;
  /** The time range, epoch ms, and the step of a metric query. */
  startMs: number;
  endMs: number;
  stepMs?: number;
  /** Lines a parser could not read (they carry an __error__ label). */
  parseErrors: number;
  /** Lines whose unwrapped label was missing or not a number (left out of the samples). */
  unwrapErrors?: number;
}

export interface QueryAnswer {
  data: LokiData;
  stats: QueryStats;
}

/** Epoch ms → Loki's nanosecond string, without losing digits to floating point. */
export function toNanos(ms: number): string {
  const whole = Math.floor(ms);
  const nanos = Math.round((ms - whole) * 1e6);
  return nanos ? `${whole}${String(nanos).padStart(6, '0')}` : `${whole}000000`;
}

/** Loki's nanosecond string → epoch ms. */
export function fromNanos(nanos: string): number {
  return nanos.length > 6 ? Number(nanos.slice(0, -6)) + Number(nanos.slice(-6)) / 1e6 : Number(nanos) / 1e6;
}
