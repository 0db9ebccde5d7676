import type { ExportTraceRequest, InstrumentationScope, Resource, SinkResult, Span, SpanEvent, SpanLink } from '../otlp/model.js';
import { searchSpans, traceById, type SearchOptions } from './search.js';
import type { TempoSearchResponse, TempoTrace } from './tempo.js';
import { flatAttributes, keyValuesOf as keyValues, valueBytes, type StoredValue } from './values.js';
import { plural } from '../../util/text.js';

/**
 * The embedded span store: a bounded ring of spans in columns, oldest dropped first.
 *
 * Layout (chosen by `bench/spanLayout.mjs`, figures in ARCHITECTURE.md): typed arrays for the
 * numbers every query reads (start, duration, kind, status), plain arrays for strings and
 * references, and each span's attributes as one flat `[key, value, …]` array with interned keys
 * and short values. One object per span cost 2.5× the memory; one column per attribute key was
 * the fastest to scan but costs a slot per span for every key ever seen.
 *
 * Slots are reused in a ring: `head` is the next slot to write, the oldest live slot is
 * `head - count`. Evicting a slot always removes the first slot of its trace (spans enter in
 * order), and releases its resource when no span uses it any more.
 */

export interface SpanStoreOptions {
  /** Most spans kept. Default 100,000. */
  maxSpans?: number;
  /** Most bytes kept (an estimate of the heap the spans hold). Default 96 MiB. */
  maxBytes?: number;
}

export interface StoredResource {
  otlp: Resource;
  /** Resource attributes, flat like span attributes. */
  attributes: StoredValue[];
  serviceName: string;
  key: string;
  refs: number;
}

export interface StoredScope {
  otlp: InstrumentationScope | undefined;
  key: string;
  refs: number;
}

export interface TraceEntry {
  id: string;
  /** Live slots of this trace, oldest first. */
  slots: number[];
}

/** What OTLP carries that queries rarely read: kept per span only when present. */
interface SpanExtras {
  events?: SpanEvent[];
  links?: SpanLink[];
  traceState?: string;
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

const SPAN_OVERHEAD_BYTES = 160;
const INTERN_LIMIT = 100_000;

export class SpanStore {
  readonly capacity: number;
  readonly maxBytes: number;
  private head = 0;
  private live = 0;
  private totalBytes = 0;
  /** Spans dropped to make room (the caps), since the start. */
  evicted = 0;
  /** Spans refused at ingest (no trace or span id). */
  refused = 0;

  // Columns, indexed by slot.
  readonly startMs: Float64Array; // whole milliseconds since the epoch
  readonly startSubNs: Uint32Array; // nanoseconds within that millisecond
  readonly durationNs: Float64Array; // exact up to 104 days
  readonly kind: Uint8Array;
  readonly status: Uint8Array;
  /** W3C trace flags and OTLP's span flags (the SDKs set them on every span). */
  readonly flags: Uint32Array;
  private readonly bytes: Uint32Array;
  readonly name: string[];
  readonly spanId: string[];
  readonly parentId: string[];
  readonly statusMessage: (string | undefined)[];
  readonly attributes: StoredValue[][];
  readonly traceOf: (TraceEntry | undefined)[];
  readonly resource: (StoredResource | undefined)[];
  readonly scope: (StoredScope | undefined)[];
  private readonly extras: (SpanExtras | undefined)[];

  readonly traces = new Map<string, TraceEntry>();
  private readonly resources = new Map<string, StoredResource>();
  private readonly scopes = new Map<string, StoredScope>();
  private internPool = new Map<string, string>();

  constructor(options: SpanStoreOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.maxSpans ?? 100_000));
    this.maxBytes = options.maxBytes ?? 96 * 2 ** 20;
    const n = this.capacity;
    this.startMs = new Float64Array(n);
    this.startSubNs = new Uint32Array(n);
    this.durationNs = new Float64Array(n);
    this.kind = new Uint8Array(n);
    this.status = new Uint8Array(n);
    this.flags = new Uint32Array(n);
    this.bytes = new Uint32Array(n);
    this.name = new Array<string>(n).fill('');
    this.spanId = new Array<string>(n).fill('');
    this.parentId = new Array<string>(n).fill('');
    this.statusMessage = new Array<string | undefined>(n).fill(undefined);
    this.attributes = new Array<StoredValue[]>(n).fill([]);
    this.traceOf = new Array<TraceEntry | undefined>(n).fill(undefined);
    this.resource = new Array<StoredResource | undefined>(n).fill(undefined);
    this.scope = new Array<StoredScope | undefined>(n).fill(undefined);
    this.extras = new Array<SpanExtras | undefined>(n).fill(undefined);
  }

  /** Spans held now. */
  get size(): number {
    return this.live;
  }

  /** Estimated bytes held now. */
  get byteSize(): number {
    return this.totalBytes;
  }

  /** The live slots, oldest first. */
  *slots(): IterableIterator<number> {
    const first = (this.head - this.live + this.capacity) % this.capacity;
    for (let i = 0; i < this.live; i++) yield (first + i) % this.capacity;
  }

  /** Calls `visit(slot)` for every live slot, oldest first (faster than the iterator). */
  forEachSlot(visit: (slot: number) => void): void {
    const first = (this.head - this.live + this.capacity) % this.capacity;
    const end = first + this.live;
    if (end <= this.capacity) for (let s = first; s < end; s++) visit(s);
    else {
      for (let s = first; s < this.capacity; s++) visit(s);
      for (let s = 0; s < end - this.capacity; s++) visit(s);
    }
  }

  /** Start of a slot's span in (fractional) epoch milliseconds. */
  start(slot: number): number {
    return this.startMs[slot]! + this.startSubNs[slot]! / 1e6;
  }

  duration(slot: number): number {
    return this.durationNs[slot]! / 1e6;
  }

  startNanos(slot: number): string {
    return nanosString(this.startMs[slot]!, this.startSubNs[slot]!);
  }

  endNanos(slot: number): string {
    const total = this.startSubNs[slot]! + this.durationNs[slot]!;
    const carryMs = Math.floor(total / 1e6);
    return nanosString(this.startMs[slot]! + carryMs, total - carryMs * 1e6);
  }

  events(slot: number): SpanEvent[] | undefined {
    return this.extras[slot]?.events;
  }

  /** The receiver's sink: keeps every span of `request`, dropping the oldest past the caps. */
  ingest(request: ExportTraceRequest): SinkResult {
    let refused = 0;
    for (const resourceSpans of request.resourceSpans) {
      const resource = this.resourceEntry(resourceSpans.resource);
      for (const scopeSpans of resourceSpans.scopeSpans) {
        const scope = this.scopeEntry(scopeSpans.scope);
        for (const span of scopeSpans.spans) {
          if (!span.traceId || !span.spanId) {
            refused++;
            continue;
          }
          this.add(span, resource, scope);
        }
        this.release(scope, this.scopes);
      }
      this.release(resource, this.resources);
    }
    this.refused += refused;
    return refused ? { rejected: refused, message: `${plural(refused, 'span')} had no trace or span id` } : {};
  }

  private add(span: Span, resource: StoredResource, scope: StoredScope): void {
    const attributes = flatAttributes(span.attributes, this.intern, this.live ? this.attributes[(this.head - 1 + this.capacity) % this.capacity] : undefined);
    let bytes = SPAN_OVERHEAD_BYTES + span.name.length * 2;
    for (let i = 1; i < attributes.length; i += 2) bytes += 8 + valueBytes(attributes[i]!);
    let extras: SpanExtras | undefined;
    if (span.events || span.links || span.traceState || span.droppedAttributesCount || span.droppedEventsCount || span.droppedLinksCount) {
      extras = {};
      if (span.events) extras.events = span.events;
      if (span.links) extras.links = span.links;
      if (span.traceState) extras.traceState = span.traceState;
      if (span.droppedAttributesCount) extras.droppedAttributesCount = span.droppedAttributesCount;
      if (span.droppedEventsCount) extras.droppedEventsCount = span.droppedEventsCount;
      if (span.droppedLinksCount) extras.droppedLinksCount = span.droppedLinksCount;
      bytes += 64 + JSON.stringify(extras).length * 2;
    }
    while (this.live > 0 && (this.live >= this.capacity || this.totalBytes + bytes > this.maxBytes)) this.evictOldest();

    const slot = this.head;
    this.head = (this.head + 1) % this.capacity;
    this.live++;
    this.totalBytes += bytes;
    this.bytes[slot] = bytes;

    const [startMs, startSub] = splitNanos(span.startTimeUnixNano);
    const [endMs, endSub] = splitNanos(span.endTimeUnixNano);
    this.startMs[slot] = startMs;
    this.startSubNs[slot] = startSub;
    this.durationNs[slot] = Math.max(0, (endMs - startMs) * 1e6 + (endSub - startSub));
    this.kind[slot] = span.kind ?? 0;
    this.status[slot] = span.status?.code ?? 0;
    this.flags[slot] = span.flags ?? 0;
    this.statusMessage[slot] = span.status?.message || undefined;
    this.name[slot] = this.intern(span.name);
    this.spanId[slot] = span.spanId;
    this.parentId[slot] = span.parentSpanId ?? '';
    this.attributes[slot] = attributes;
    this.extras[slot] = extras;
    resource.refs++;
    scope.refs++;
    this.resource[slot] = resource;
    this.scope[slot] = scope;
    let trace = this.traces.get(span.traceId);
    if (!trace) this.traces.set(span.traceId, (trace = { id: span.traceId, slots: [] }));
    trace.slots.push(slot);
    this.traceOf[slot] = trace;
  }

  private evictOldest(): void {
    const slot = (this.head - this.live + this.capacity) % this.capacity;
    this.live--;
    this.evicted++;
    this.totalBytes -= this.bytes[slot]!;
    const trace = this.traceOf[slot]!;
    // Spans enter in order, so the oldest slot is the first of its trace.
    const at = trace.slots[0] === slot ? 0 : trace.slots.indexOf(slot);
    trace.slots.splice(at, 1);
    if (!trace.slots.length) this.traces.delete(trace.id);
    this.release(this.resource[slot]!, this.resources, 1);
    this.release(this.scope[slot]!, this.scopes, 1);
    this.traceOf[slot] = undefined;
    this.resource[slot] = undefined;
    this.scope[slot] = undefined;
    this.attributes[slot] = [];
    this.extras[slot] = undefined;
    this.statusMessage[slot] = undefined;
  }

  /** Drops one reference (`by`), or only checks an entry that no span took (by 0). */
  private release<T extends { refs: number; key: string }>(entry: T, table: Map<string, T>, by = 0): void {
    entry.refs -= by;
    if (entry.refs <= 0) table.delete(entry.key);
  }

  private resourceEntry(resource: Resource | undefined): StoredResource {
    const otlp = resource ?? {};
    const key = JSON.stringify(otlp);
    let entry = this.resources.get(key);
    if (!entry) {
      const attributes = flatAttributes(otlp.attributes, this.intern);
      const serviceAt = attributes.indexOf('service.name');
      const serviceName = serviceAt >= 0 && serviceAt % 2 === 0 ? String(attributes[serviceAt + 1]) : 'unknown_service';
      entry = { otlp, attributes, serviceName, key, refs: 0 };
      this.resources.set(key, entry);
    }
    return entry;
  }

  private scopeEntry(scope: InstrumentationScope | undefined): StoredScope {
    const key = JSON.stringify(scope ?? null);
    let entry = this.scopes.get(key);
    if (!entry) this.scopes.set(key, (entry = { otlp: scope, key, refs: 0 }));
    return entry;
  }

  /** One copy of each repeated short string (names, keys, values), so spans share them; bounded. */
  readonly intern = (text: string): string => {
    if (text.length > 64) return text;
    const hit = this.internPool.get(text);
    if (hit !== undefined) return hit;
    if (this.internPool.size >= INTERN_LIMIT) this.internPool = new Map();
    this.internPool.set(text, text);
    return text;
  };

  /** TraceQL search, answered in the shape of Tempo's search API (newest traces first). */
  search(traceql: string, options: SearchOptions = {}): TempoSearchResponse {
    return searchSpans(this, traceql, options);
  }

  /** One trace by id or a unique prefix, in OTLP/JSON as Tempo's trace-by-id API answers. */
  trace(idOrPrefix: string): TempoTrace & { traceID: string } {
    return traceById(this, idOrPrefix);
  }

  /** One slot's span in the OTLP/JSON model (as received, ids and times exact). */
  spanOf(slot: number): Span {
    const span: Span = {
      traceId: this.traceOf[slot]!.id,
      spanId: this.spanId[slot]!,
      name: this.name[slot]!,
      startTimeUnixNano: this.startNanos(slot),
      endTimeUnixNano: this.endNanos(slot),
    };
    if (this.parentId[slot]) span.parentSpanId = this.parentId[slot];
    if (this.flags[slot]) span.flags = this.flags[slot];
    if (this.kind[slot]) span.kind = this.kind[slot];
    const attributes = this.attributes[slot]!;
    if (attributes.length) span.attributes = keyValues(attributes);
    const extras = this.extras[slot];
    if (extras) Object.assign(span, extras);
    if (this.status[slot] || this.statusMessage[slot]) {
      span.status = {};
      if (this.status[slot]) span.status.code = this.status[slot];
      if (this.statusMessage[slot]) span.status.message = this.statusMessage[slot];
    }
    return span;
  }
}

/** "1764496800123456789" → [1764496800123, 456789]: whole ms and the ns within it, both exact. */
export function splitNanos(nanos: string): [number, number] {
  if (nanos.length <= 6) return [0, Number(nanos) || 0];
  return [Number(nanos.slice(0, -6)), Number(nanos.slice(-6))];
}

function nanosString(ms: number, subNs: number): string {
  if (ms === 0) return String(subNs);
  return `${ms}${String(Math.round(subNs)).padStart(6, '0')}`;
}
