import type { Labels, LogInput } from '../model.js';
import { LEVEL, levelOf, type LevelCode } from './levels.js';
import { FIELD_LEVEL, inspectLine, type FieldLevel, type LineFormat } from './structured.js';

/**
 * The log store: every entry the apps printed (and, later, OTLP log records), in memory, bounded
 * by a number of entries and of bytes. What was evicted is counted per stream.
 *
 * Layout, chosen by measurement (ARCHITECTURE.md has the figures): entries live in segments of
 * 8,192, each a few typed-array columns (time, stream id, a byte of level and format) and one
 * array of line strings. Scanning a column and calling `String.prototype.includes` on each line
 * takes ~25 ms per million lines here, so no text index is kept; typed columns keep the per-entry
 * overhead at ~13 bytes plus the line, and whole segments are evicted at once (O(1)).
 */

const SEGMENT_SIZE = 8_192;
/** Per-entry overhead counted against maxBytes beside the line itself: columns, array slot, string header. */
export const ENTRY_OVERHEAD_BYTES = 40;

export interface LogStoreLimits {
  maxEntries: number;
  /** Bytes of line text plus ENTRY_OVERHEAD_BYTES per entry. */
  maxBytes: number;
}

export const DEFAULT_LOG_LIMITS: LogStoreLimits = { maxEntries: 1_000_000, maxBytes: 96 * 1024 * 1024 };

/** info byte: level (bits 0-2), format (bits 3-4), field level (bits 5-6). */
export function packInfo(level: LevelCode, format: LineFormat, fieldLevel: FieldLevel): number {
  return level | (format << 3) | (fieldLevel << 5);
}
export const infoLevel = (info: number): LevelCode => info & 7;
export const infoFormat = (info: number): LineFormat => ((info >> 3) & 3) as LineFormat;
export const infoFieldLevel = (info: number): FieldLevel => ((info >> 5) & 3) as FieldLevel;

export class Segment {
  readonly times = new Float64Array(SEGMENT_SIZE);
  readonly streams = new Uint32Array(SEGMENT_SIZE);
  readonly info = new Uint8Array(SEGMENT_SIZE);
  readonly lines: string[] = [];
  /** Trace and span ids, allocated for the first entry that has one. */
  traceIds: (string | undefined)[] | undefined;
  spanIds: (string | undefined)[] | undefined;
  count = 0;
  bytes = 0;
  minTime = Infinity;
  maxTime = -Infinity;
  constructor(readonly firstSeq: number) {}
}

export interface StoreStats {
  entries: number;
  bytes: number;
  streams: number;
  oldestMs: number | undefined;
  newestMs: number | undefined;
  droppedEntries: number;
}

export class LogStore {
  private readonly segmentsList: Segment[] = [];
  private current: Segment;
  private entries = 0;
  private bytes = 0;
  private seq = 0;
  private readonly streamKeys = new Map<string, number>();
  private readonly streamLabelSets: Labels[] = [];
  private readonly droppedByStream: number[] = [];
  private readonly entriesByStream: number[] = [];
  private droppedTotal = 0;
  private readonly listeners = new Set<(stream: number, info: number) => void>();

  constructor(readonly limits: LogStoreLimits = DEFAULT_LOG_LIMITS) {
    this.current = new Segment(0);
    this.segmentsList.push(this.current);
  }

  /** The id of a label set (the same set in any key order gives the same id). */
  streamId(labels: Labels): number {
    const names = Object.keys(labels).sort();
    const key = names.map((name) => `${name}\u0000${labels[name]}`).join('\u0001');
    let id = this.streamKeys.get(key);
    if (id === undefined) {
      id = this.streamLabelSets.length;
      this.streamKeys.set(key, id);
      this.streamLabelSets.push(Object.freeze(Object.fromEntries(names.map((name) => [name, labels[name]!]))));
      this.droppedByStream.push(0);
      this.entriesByStream.push(0);
    }
    return id;
  }

  streamLabels(id: number): Labels {
    return this.streamLabelSets[id]!;
  }

  /** Entries held now of one stream. */
  streamEntries(id: number): number {
    return this.entriesByStream[id] ?? 0;
  }

  streamCount(): number {
    return this.streamLabelSets.length;
  }

  /** One record from any source; the level is the record's own, or read from the line. */
  append(input: LogInput): number {
    const shape = inspectLine(input.line);
    const given = input.level === undefined ? LEVEL.unknown : levelOf(input.level);
    const level = given !== LEVEL.unknown ? given : shape.level;
    const fieldLevel = given !== LEVEL.unknown && given !== shape.level && shape.fieldLevel === FIELD_LEVEL.canonical ? FIELD_LEVEL.unknown : shape.fieldLevel;
    return this.appendTo(this.streamId(input.labels), input.timeMs, input.line, packInfo(level, shape.format, fieldLevel), input.traceId, input.spanId);
  }

  /** The fast path for a source that resolved its stream id and inspected the line itself. */
  appendTo(stream: number, timeMs: number, line: string, info: number, traceId?: string, spanId?: string): number {
    let segment = this.current;
    const entryBytes = line.length + ENTRY_OVERHEAD_BYTES;
    if (segment.count === SEGMENT_SIZE || segment.bytes + entryBytes > this.limits.maxBytes / 16) segment = this.seal();
    const index = segment.count++;
    segment.times[index] = timeMs;
    segment.streams[index] = stream;
    segment.info[index] = info;
    segment.lines.push(line);
    if (traceId || spanId) {
      segment.traceIds ??= [];
      segment.spanIds ??= [];
      segment.traceIds[index] = traceId;
      segment.spanIds[index] = spanId;
    }
    segment.bytes += entryBytes;
    if (timeMs < segment.minTime) segment.minTime = timeMs;
    if (timeMs > segment.maxTime) segment.maxTime = timeMs;
    this.entries++;
    this.entriesByStream[stream]!++;
    this.bytes += entryBytes;
    if (this.entries > this.limits.maxEntries || this.bytes > this.limits.maxBytes) this.evict();
    for (const listener of this.listeners) listener(stream, info);
    return this.seq++;
  }

  private seal(): Segment {
    this.current = new Segment(this.seq);
    this.segmentsList.push(this.current);
    return this.current;
  }

  /** Drops whole oldest segments until the store is within its limits again (the current one stays). */
  private evict(): void {
    while ((this.entries > this.limits.maxEntries || this.bytes > this.limits.maxBytes) && this.segmentsList.length > 1) {
      const oldest = this.segmentsList.shift()!;
      this.entries -= oldest.count;
      this.bytes -= oldest.bytes;
      this.droppedTotal += oldest.count;
      for (let i = 0; i < oldest.count; i++) {
        const stream = oldest.streams[i]!;
        this.droppedByStream[stream]!++;
        this.entriesByStream[stream]!--;
      }
    }
  }

  /** Segments, oldest first (read-only: the query engine scans them). */
  segments(): readonly Segment[] {
    return this.segmentsList;
  }

  /** The sequence number the next entry will get: a mark for "since". */
  nextSeq(): number {
    return this.seq;
  }

  /** Entries evicted so far, from the streams `streams` picks (all when undefined). */
  dropped(streams?: (id: number) => boolean): number {
    if (!streams) return this.droppedTotal;
    let total = 0;
    this.droppedByStream.forEach((count, id) => {
      if (count && streams(id)) total += count;
    });
    return total;
  }

  /** Called for every new entry (stream id and info byte); returns a function that stops it. */
  onAppend(listener: (stream: number, info: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): StoreStats {
    const first = this.segmentsList.find((segment) => segment.count > 0);
    let newest: number | undefined;
    for (const segment of this.segmentsList) if (segment.count) newest = Math.max(newest ?? -Infinity, segment.maxTime);
    return {
      entries: this.entries,
      bytes: this.bytes,
      streams: this.streamLabelSets.length,
      oldestMs: first ? first.minTime : undefined,
      newestMs: newest,
      droppedEntries: this.droppedTotal,
    };
  }

  /**
   * Visits the entries from sequence number `fromSeq` on, oldest first (for an action's window).
   * Entries already evicted are skipped.
   */
  forEachSince(fromSeq: number, visit: (segment: Segment, index: number, seq: number) => void): void {
    for (const segment of this.segmentsList) {
      const end = segment.firstSeq + segment.count;
      if (end <= fromSeq) continue;
      for (let index = Math.max(0, fromSeq - segment.firstSeq); index < segment.count; index++) visit(segment, index, segment.firstSeq + index);
    }
  }

  /**
   * Label names and up to `max` values of each, over the streams that hold entries (for "nothing
   * found" answers: a stream with none, such as an app's stderr it never wrote to, is no value to try).
   */
  labelValues(max = 10): Map<string, string[]> {
    const out = new Map<string, Set<string>>();
    for (const [id, labels] of this.streamLabelSets.entries()) {
      if (!this.streamEntries(id)) continue;
      for (const [name, value] of Object.entries(labels)) {
        const values = out.get(name) ?? new Set<string>();
        if (values.size < max) values.add(value);
        out.set(name, values);
      }
    }
    return new Map([...out].map(([name, values]) => [name, [...values].sort()]));
  }
}

