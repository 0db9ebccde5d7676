import type { Labels, SeriesSample } from '../model.js';
import type { Matcher } from './ast.js';
import { labelsKey, METRIC_NAME, normalizeLabels } from './labels.js';
import { matches } from './parse.js';

/**
 * The embedded metric store: one row of typed-array chunks per series (timestamps and values as
 * Float64Array columns; see ARCHITECTURE.md for the layouts measured against it), a label index
 * (name → value → series) for fast selection, and caps on series, samples and bytes. When a cap
 * is passed the oldest chunks go first (chunks are dropped in the order they were started), then
 * whole series that have gone quiet; everything dropped is counted in `stats()`.
 *
 * Samples of a series must come in time order, as Prometheus' TSDB requires: an older one is
 * dropped and counted (`outOfOrder`). A stale marker (`appendStale`) ends a series the way
 * Prometheus' scrape loop does when a target stops exposing it.
 */

export interface MetricStoreLimits {
  maxSeries: number;
  maxSamples: number;
  maxBytes: number;
}

export const DEFAULT_METRIC_LIMITS: MetricStoreLimits = {
  maxSeries: 50_000,
  maxSamples: 5_000_000,
  maxBytes: 128 * 1024 * 1024,
};

/** One series' samples in a time range, as the query engine reads them. */
export interface SeriesData {
  labels: Labels;
  /** labelsKey(labels): identifies the series and sorts as Prometheus sorts. */
  key: string;
  t: Float64Array;
  v: Float64Array;
  /** 1 where the sample is a stale marker; null when none in the range is. */
  stale: Uint8Array | null;
}

export interface MetricStoreStats {
  series: number;
  samples: number;
  bytes: number;
  oldestMs: number | undefined;
  newestMs: number | undefined;
  dropped: {
    /** Samples dropped to stay under the caps (oldest first). */
    samples: number;
    /** Series dropped whole: quiet ones when the series cap was reached, or emptied by sample drops. */
    series: number;
    /** Samples older than the newest of their series (Prometheus refuses them too). */
    outOfOrder: number;
  };
}

/**
 * Chunk capacities: small while a series is young (many series have few samples), growing by
 * half each time (less slack in the open chunk than doubling: measured 35 → 27 bytes/sample at
 * 300 samples a series), then 512 samples (8 KiB) per chunk.
 */
const FIRST_CAPACITY = 8;
const MAX_CAPACITY = 512;
/** Rough bytes a series costs beyond its samples: its labels, key, index entries and objects. */
const SERIES_OVERHEAD = 240;

interface Chunk {
  series: Series;
  t: Float64Array;
  v: Float64Array;
  stale: Uint8Array | null;
  n: number;
  dead: boolean;
}

interface Series {
  id: number;
  labels: Labels;
  key: string;
  chunks: Chunk[];
  lastT: number;
  bytes: number;
}

export class MetricStore {
  readonly limits: MetricStoreLimits;
  private readonly byKey = new Map<string, Series>();
  /** label name → label value → series. */
  private readonly postings = new Map<string, Map<string, Set<Series>>>();
  /** Every chunk in the order it was started; eviction takes from the front. */
  private queue: Chunk[] = [];
  private queueHead = 0;
  private nextId = 1;
  private samples = 0;
  private bytes = 0;
  private droppedSamples = 0;
  private droppedSeries = 0;
  private outOfOrder = 0;

  constructor(limits: Partial<MetricStoreLimits> = {}) {
    this.limits = { ...DEFAULT_METRIC_LIMITS, ...limits };
  }

  /** Adds one sample. False when it was refused (out of order, or a duplicate timestamp). */
  append(sample: SeriesSample): boolean {
    return this.add(sample.labels, sample.timeMs, sample.value, false);
  }

  appendMany(samples: Iterable<SeriesSample>): number {
    let added = 0;
    for (const sample of samples) if (this.add(sample.labels, sample.timeMs, sample.value, false)) added++;
    return added;
  }

  /**
   * Marks a series stale at `timeMs`, as Prometheus does when a scrape no longer has it or its
   * target is gone: from then on it is absent from instant queries, without waiting out the
   * 5-minute lookback. Does nothing for a series the store does not hold.
   */
  appendStale(labels: Labels, timeMs: number): boolean {
    if (!this.byKey.has(labelsKey(labels))) return false;
    return this.add(labels, timeMs, NaN, true);
  }

  private add(rawLabels: Labels, timeMs: number, value: number, stale: boolean): boolean {
    const time = Math.round(timeMs);
    // The key ignores empty values and label order, so the labels are normalized (copied) only
    // when a new series starts.
    const key = labelsKey(rawLabels);
    let series = this.byKey.get(key);
    if (!series) {
      if (this.byKey.size >= this.limits.maxSeries) this.dropQuietSeries();
      series = this.createSeries(normalizeLabels(rawLabels), key);
    } else if (time <= series.lastT) {
      if (time < series.lastT) this.outOfOrder++;
      // Same timestamp: Prometheus keeps the first sample and refuses a different second one.
      return false;
    }
    let chunk = series.chunks[series.chunks.length - 1];
    if (!chunk || chunk.n === chunk.t.length) {
      if (chunk && chunk.n < MAX_CAPACITY) this.grow(chunk);
      else chunk = this.startChunk(series, chunk ? MAX_CAPACITY : FIRST_CAPACITY);
    }
    chunk.t[chunk.n] = time;
    chunk.v[chunk.n] = value;
    if (stale) {
      if (!chunk.stale) {
        chunk.stale = new Uint8Array(chunk.t.length);
        this.addBytes(series, chunk.stale.byteLength);
      }
      chunk.stale[chunk.n] = 1;
    }
    chunk.n++;
    series.lastT = time;
    this.samples++;
    this.enforceCaps();
    return true;
  }

  private createSeries(labels: Labels, key: string): Series {
    const series: Series = { id: this.nextId++, labels, key, chunks: [], lastT: -Infinity, bytes: 0 };
    this.byKey.set(key, series);
    for (const [name, value] of Object.entries(labels)) {
      let values = this.postings.get(name);
      if (!values) this.postings.set(name, (values = new Map()));
      let set = values.get(value);
      if (!set) values.set(value, (set = new Set()));
      set.add(series);
    }
    this.addBytes(series, SERIES_OVERHEAD + key.length * 2);
    return series;
  }

  private startChunk(series: Series, capacity: number): Chunk {
    const chunk: Chunk = { series, t: new Float64Array(capacity), v: new Float64Array(capacity), stale: null, n: 0, dead: false };
    series.chunks.push(chunk);
    this.queue.push(chunk);
    this.addBytes(series, capacity * 16);
    return chunk;
  }

  private grow(chunk: Chunk): void {
    const capacity = Math.min(MAX_CAPACITY, Math.ceil(chunk.t.length * 1.5));
    const t = new Float64Array(capacity);
    const v = new Float64Array(capacity);
    t.set(chunk.t);
    v.set(chunk.v);
    this.addBytes(chunk.series, (capacity - chunk.t.length) * 16);
    if (chunk.stale) {
      const stale = new Uint8Array(capacity);
      stale.set(chunk.stale);
      this.addBytes(chunk.series, capacity - chunk.stale.length);
      chunk.stale = stale;
    }
    chunk.t = t;
    chunk.v = v;
  }

  private addBytes(series: Series, bytes: number): void {
    series.bytes += bytes;
    this.bytes += bytes;
  }

  private enforceCaps(): void {
    const { maxSamples, maxBytes } = this.limits;
    while ((this.samples > maxSamples || this.bytes > maxBytes) && this.queueHead < this.queue.length) {
      const chunk = this.queue[this.queueHead++]!;
      if (!chunk.dead) this.dropChunk(chunk);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Drops a series' oldest chunk (chunks leave a series in order); the series goes when empty. */
  private dropChunk(chunk: Chunk): void {
    const series = chunk.series;
    chunk.dead = true;
    const index = series.chunks.indexOf(chunk);
    if (index >= 0) series.chunks.splice(index, 1);
    this.samples -= chunk.n;
    this.droppedSamples += chunk.n;
    this.addBytes(series, -(chunk.t.byteLength + chunk.v.byteLength + (chunk.stale?.byteLength ?? 0)));
    if (series.chunks.length === 0) {
      this.removeSeries(series);
      this.droppedSeries++;
    }
  }

  /** At the series cap: drops the 1/64 of series that were written longest ago. */
  private dropQuietSeries(): void {
    const all = [...this.byKey.values()].sort((a, b) => a.lastT - b.lastT);
    const count = Math.max(1, Math.ceil(this.limits.maxSeries / 64));
    for (const series of all.slice(0, count)) {
      for (const chunk of series.chunks) {
        chunk.dead = true;
        this.samples -= chunk.n;
        this.droppedSamples += chunk.n;
      }
      this.droppedSeries++;
      this.removeSeries(series);
    }
  }

  private removeSeries(series: Series): void {
    this.bytes -= series.bytes;
    series.bytes = 0;
    series.chunks = [];
    this.byKey.delete(series.key);
    for (const [name, value] of Object.entries(series.labels)) {
      const values = this.postings.get(name);
      const set = values?.get(value);
      if (!values || !set) continue;
      set.delete(series);
      if (set.size === 0) values.delete(value);
      if (values.size === 0) this.postings.delete(name);
    }
  }

  /**
   * The series matching every matcher, with their samples in [minT, maxT] (both included, as
   * Prometheus 2.x includes both ends), sorted by labels. Series with no sample there are left out.
   */
  select(matchers: readonly Matcher[], minT: number, maxT: number): SeriesData[] {
    const out: SeriesData[] = [];
    for (const series of this.matching(matchers)) {
      const data = this.range(series, minT, maxT);
      if (data) out.push(data);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The label sets of the series matching every matcher (all series with no matchers), sorted. */
  series(matchers: readonly Matcher[] = []): Labels[] {
    const found = matchers.length ? this.matching(matchers) : [...this.byKey.values()];
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((series) => series.labels);
  }

  /** Every label name held, sorted. */
  labelNames(): string[] {
    return [...this.postings.keys()].sort();
  }

  /** Every value of one label, sorted (`__name__`: the metric names). */
  labelValues(name: string): string[] {
    return [...(this.postings.get(name)?.keys() ?? [])].sort();
  }

  metricNames(): string[] {
    return this.labelValues(METRIC_NAME);
  }

  stats(): MetricStoreStats {
    let oldest = Infinity;
    let newest = -Infinity;
    for (const series of this.byKey.values()) {
      const first = series.chunks[0];
      if (first && first.n > 0) oldest = Math.min(oldest, first.t[0]!);
      newest = Math.max(newest, series.lastT);
    }
    return {
      series: this.byKey.size,
      samples: this.samples,
      bytes: this.bytes,
      oldestMs: Number.isFinite(oldest) ? oldest : undefined,
      newestMs: Number.isFinite(newest) ? newest : undefined,
      dropped: { samples: this.droppedSamples, series: this.droppedSeries, outOfOrder: this.outOfOrder },
    };
  }

  /**
   * Series matching all matchers. Candidates come from the index through the matcher that
   * narrows most among those that cannot match an empty value (the parser guarantees one); the
   * rest are checked on each candidate's labels.
   */
  private matching(matchers: readonly Matcher[]): Series[] {
    let best: Set<Series> | Series[] | undefined;
    for (const matcher of matchers) {
      if (matches(matcher, '')) continue;
      const candidates = this.candidates(matcher);
      const size = candidates instanceof Set ? candidates.size : candidates.length;
      if (!best || size < (best instanceof Set ? best.size : best.length)) best = candidates;
      if (size === 0) return [];
    }
    const pool = best ?? this.byKey.values();
    const out: Series[] = [];
    for (const series of pool) {
      let ok = true;
      for (const matcher of matchers) {
        if (!matches(matcher, series.labels[matcher.name] ?? '')) {
          ok = false;
          break;
        }
      }
      if (ok) out.push(series);
    }
    return out;
  }

  private candidates(matcher: Matcher): Set<Series> | Series[] {
    const values = this.postings.get(matcher.name);
    if (!values) return [];
    if (matcher.op === '=') return values.get(matcher.value) ?? [];
    const out: Series[] = [];
    for (const [value, set] of values) if (matches(matcher, value)) for (const series of set) out.push(series);
    return out;
  }

  private range(series: Series, minT: number, maxT: number): SeriesData | undefined {
    const parts: { chunk: Chunk; from: number; to: number }[] = [];
    let total = 0;
    for (const chunk of series.chunks) {
      if (chunk.n === 0 || chunk.t[chunk.n - 1]! < minT) continue;
      if (chunk.t[0]! > maxT) break;
      const from = lowerBound(chunk.t, minT, 0, chunk.n);
      const to = lowerBound(chunk.t, maxT + 1, from, chunk.n);
      if (to > from) {
        parts.push({ chunk, from, to });
        total += to - from;
      }
    }
    if (total === 0) return undefined;
    if (parts.length === 1) {
      const { chunk, from, to } = parts[0]!;
      return {
        labels: series.labels,
        key: series.key,
        t: chunk.t.subarray(from, to),
        v: chunk.v.subarray(from, to),
        stale: chunk.stale ? chunk.stale.subarray(from, to) : null,
      };
    }
    const t = new Float64Array(total);
    const v = new Float64Array(total);
    const anyStale = parts.some((part) => part.chunk.stale);
    const stale = anyStale ? new Uint8Array(total) : null;
    let at = 0;
    for (const { chunk, from, to } of parts) {
      t.set(chunk.t.subarray(from, to), at);
      v.set(chunk.v.subarray(from, to), at);
      if (stale && chunk.stale) stale.set(chunk.stale.subarray(from, to), at);
      at += to - from;
    }
    return { labels: series.labels, key: series.key, t, v, stale };
  }
}

/** The first index in [from, to) whose time is ≥ `time`. */
export function lowerBound(times: Float64Array, time: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
