import protobuf from 'protobufjs/light.js';
import type {
  AnyValue,
  ExportLogsRequest,
  ExportMetricsRequest,
  ExportTraceRequest,
  InstrumentationScope,
  KeyValue,
  LogRecord,
  Metric,
  Resource,
  Span,
} from './model.js';
import { OTLP_DESCRIPTOR } from './schema.js';
import { DecodeError, type Slicer } from './slices.js';

/**
 * OTLP protobuf → the OTLP/JSON model, with protobufjs doing the wire work. A request is walked
 * by hand down to its items (spans, log records, metrics) so that each item is decoded on its
 * own and the walk can pause between them (`Slicer`): one 16 MB request never holds the event
 * loop for long. Resource and scope come first in each chunk handed on, even when the sender put
 * them after the items.
 */

const root = protobuf.Root.fromJSON(OTLP_DESCRIPTOR);
const type = (name: string) => root.lookupType(`otlp.${name}`);
const T = {
  Resource: type('Resource'),
  Scope: type('InstrumentationScope'),
  Span: type('Span'),
  LogRecord: type('LogRecord'),
  Metric: type('Metric'),
  ExportResponse: type('ExportResponse'),
  Status: type('Status'),
};

/* eslint-disable @typescript-eslint/no-explicit-any -- protobufjs messages are untyped objects */
type Message = any;

interface LongLike {
  low: number;
  high: number;
}

/** A 64-bit integer (protobufjs' Long or a number) as the decimal string OTLP/JSON writes. */
export function int64String(value: LongLike | number | undefined, unsigned: boolean): string {
  if (value === undefined || value === null) return '0';
  if (typeof value === 'number') return String(value);
  const low = value.low >>> 0;
  const high = unsigned ? value.high >>> 0 : value.high | 0;
  // Below 2^53 a double is exact; above (every timestamp in ns), BigInt.
  if (high >= 0 && high < 0x200000) return String(high * 4294967296 + low);
  if (high < 0 && high >= -0x200000) return String(high * 4294967296 + low);
  return ((BigInt(high) << 32n) | BigInt(low)).toString();
}

const hex = (bytes: Uint8Array | undefined): string | undefined =>
  bytes && bytes.length ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex') : undefined;
const base64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

const own = (m: Message, key: string): boolean => Object.prototype.hasOwnProperty.call(m, key);

/** The member the sender set (the last one, if several were: protobuf's rule for a oneof). */
function anyValue(m: Message): AnyValue {
  if (own(m, 'stringValue')) return { stringValue: m.stringValue };
  if (own(m, 'intValue')) return { intValue: int64String(m.intValue, false) };
  if (own(m, 'boolValue')) return { boolValue: m.boolValue };
  if (own(m, 'doubleValue')) return { doubleValue: m.doubleValue };
  if (own(m, 'arrayValue')) return { arrayValue: { values: (m.arrayValue.values as Message[]).map(anyValue) } };
  if (own(m, 'kvlistValue')) return { kvlistValue: { values: keyValues(m.kvlistValue.values) } };
  if (own(m, 'bytesValue')) return { bytesValue: base64(m.bytesValue) };
  return {};
}

function keyValues(list: Message[]): KeyValue[] {
  const out: KeyValue[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    out[i] = kv.value ? { key: kv.key, value: anyValue(kv.value) } : { key: kv.key };
  }
  return out;
}

function resource(m: Message): Resource {
  const out: Resource = { attributes: keyValues(m.attributes) };
  if (m.droppedAttributesCount) out.droppedAttributesCount = m.droppedAttributesCount;
  return out;
}

function scope(m: Message): InstrumentationScope {
  const out: InstrumentationScope = {};
  if (m.name) out.name = m.name;
  if (m.version) out.version = m.version;
  if (m.attributes.length) out.attributes = keyValues(m.attributes);
  if (m.droppedAttributesCount) out.droppedAttributesCount = m.droppedAttributesCount;
  return out;
}

function span(m: Message): Span {
  const out: Span = {
    traceId: hex(m.traceId) ?? '',
    spanId: hex(m.spanId) ?? '',
    name: m.name,
    startTimeUnixNano: int64String(m.startTimeUnixNano, true),
    endTimeUnixNano: int64String(m.endTimeUnixNano, true),
  };
  const parent = hex(m.parentSpanId);
  if (parent) out.parentSpanId = parent;
  if (m.traceState) out.traceState = m.traceState;
  if (m.flags) out.flags = m.flags;
  if (m.kind) out.kind = m.kind;
  if (m.attributes.length) out.attributes = keyValues(m.attributes);
  if (m.droppedAttributesCount) out.droppedAttributesCount = m.droppedAttributesCount;
  if (m.events.length) {
    out.events = (m.events as Message[]).map((e) => ({
      timeUnixNano: int64String(e.timeUnixNano, true),
      name: e.name,
      ...(e.attributes.length ? { attributes: keyValues(e.attributes) } : {}),
      ...(e.droppedAttributesCount ? { droppedAttributesCount: e.droppedAttributesCount } : {}),
    }));
  }
  if (m.droppedEventsCount) out.droppedEventsCount = m.droppedEventsCount;
  if (m.links.length) {
    out.links = (m.links as Message[]).map((l) => ({
      traceId: hex(l.traceId) ?? '',
      spanId: hex(l.spanId) ?? '',
      ...(l.traceState ? { traceState: l.traceState } : {}),
      ...(l.attributes.length ? { attributes: keyValues(l.attributes) } : {}),
      ...(l.flags ? { flags: l.flags } : {}),
    }));
  }
  if (m.droppedLinksCount) out.droppedLinksCount = m.droppedLinksCount;
  if (m.status && (m.status.code || m.status.message)) {
    out.status = {};
    if (m.status.code) out.status.code = m.status.code;
    if (m.status.message) out.status.message = m.status.message;
  }
  return out;
}

function logRecord(m: Message): LogRecord {
  const out: LogRecord = {};
  if (m.timeUnixNano && (m.timeUnixNano.low || m.timeUnixNano.high)) out.timeUnixNano = int64String(m.timeUnixNano, true);
  if (m.observedTimeUnixNano && (m.observedTimeUnixNano.low || m.observedTimeUnixNano.high)) out.observedTimeUnixNano = int64String(m.observedTimeUnixNano, true);
  if (m.severityNumber) out.severityNumber = m.severityNumber;
  if (m.severityText) out.severityText = m.severityText;
  if (m.body) out.body = anyValue(m.body);
  if (m.attributes.length) out.attributes = keyValues(m.attributes);
  if (m.droppedAttributesCount) out.droppedAttributesCount = m.droppedAttributesCount;
  if (m.flags) out.flags = m.flags;
  const traceId = hex(m.traceId);
  if (traceId) out.traceId = traceId;
  const spanId = hex(m.spanId);
  if (spanId) out.spanId = spanId;
  if (m.eventName) out.eventName = m.eventName;
  return out;
}

const METRIC_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: String, defaults: false, arrays: false, oneofs: false };

/** Exemplar ids are bytes; toObject makes them base64, OTLP/JSON wants hex. */
function fixExemplarIds(data: { dataPoints?: { exemplars?: { spanId?: string; traceId?: string }[] }[] } | undefined): void {
  for (const point of data?.dataPoints ?? []) {
    for (const exemplar of point.exemplars ?? []) {
      if (exemplar.spanId) exemplar.spanId = Buffer.from(exemplar.spanId, 'base64').toString('hex');
      if (exemplar.traceId) exemplar.traceId = Buffer.from(exemplar.traceId, 'base64').toString('hex');
    }
  }
}

function metric(m: Message): Metric {
  const out = T.Metric.toObject(m, METRIC_OBJECT) as Metric;
  out.name ??= '';
  fixExemplarIds(out.gauge);
  fixExemplarIds(out.sum);
  fixExemplarIds(out.histogram);
  fixExemplarIds(out.exponentialHistogram);
  return out;
}

/** How one signal nests: request → resource list (field 1) → scope list (field 2) → items (field 2). */
interface Shape<Item> {
  decodeItem: (reader: protobuf.Reader, length: number) => Item;
}

/**
 * Walks `bytes` as an Export*ServiceRequest and calls `emit(resource, scope, items, schemaUrls)`
 * per slice of items. Throws DecodeError with the offset when the bytes are not such a message.
 */
async function walk<Item>(
  bytes: Uint8Array,
  shape: Shape<Item>,
  slicer: Slicer,
  emit: (resource: Resource | undefined, resourceSchema: string | undefined, scope: InstrumentationScope | undefined, scopeSchema: string | undefined, items: Item[]) => void,
): Promise<void> {
  const reader = protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === 1 && (tag & 7) === 2) {
        const length = reader.uint32();
        const end = reader.pos + length;
        if (end > reader.len) throw new RangeError(`a resource entry of ${length} bytes runs past the end`);
        await walkResource(reader, end, shape, slicer, emit);
        reader.pos = end;
      } else {
        reader.skipType(tag & 7);
      }
    }
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    throw new DecodeError(`not a valid OTLP protobuf message at byte ${reader.pos} of ${reader.len}: ${(error as Error).message}`);
  }
}

/** The fields of one message between `start` and `end`: [field number, start of value, length] for length-delimited fields. */
function scanFields(reader: protobuf.Reader, start: number, end: number): { field: number; at: number; length: number }[] {
  const fields: { field: number; at: number; length: number }[] = [];
  reader.pos = start;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if ((tag & 7) === 2) {
      const length = reader.uint32();
      if (reader.pos + length > end) throw new RangeError(`field ${tag >>> 3} of ${length} bytes runs past the end of its message`);
      fields.push({ field: tag >>> 3, at: reader.pos, length });
      reader.pos += length;
    } else {
      reader.skipType(tag & 7);
    }
  }
  if (reader.pos !== end) throw new RangeError('a field runs past the end of its message');
  return fields;
}

async function walkResource<Item>(
  reader: protobuf.Reader,
  end: number,
  shape: Shape<Item>,
  slicer: Slicer,
  emit: Parameters<typeof walk<Item>>[3],
): Promise<void> {
  const fields = scanFields(reader, reader.pos, end);
  let res: Resource | undefined;
  let resourceSchema: string | undefined;
  for (const f of fields) {
    reader.pos = f.at;
    if (f.field === 1) res = resource(T.Resource.decode(reader, f.length));
    else if (f.field === 3) resourceSchema = utf8(reader.buf, f.at, f.length);
  }
  for (const f of fields) {
    if (f.field !== 2) continue;
    const inner = scanFields(reader, f.at, f.at + f.length);
    let sc: InstrumentationScope | undefined;
    let scopeSchema: string | undefined;
    for (const g of inner) {
      reader.pos = g.at;
      if (g.field === 1) sc = scope(T.Scope.decode(reader, g.length));
      else if (g.field === 3) scopeSchema = utf8(reader.buf, g.at, g.length);
    }
    let items: Item[] = [];
    for (const g of inner) {
      if (g.field !== 2) continue;
      reader.pos = g.at;
      items.push(shape.decodeItem(reader, g.length));
      if (slicer.due()) {
        emit(res, resourceSchema, sc, scopeSchema, items);
        items = [];
        await slicer.pause();
      }
    }
    if (items.length || !inner.some((g) => g.field === 2)) emit(res, resourceSchema, sc, scopeSchema, items);
  }
}

const utf8 = (buf: Uint8Array, at: number, length: number) => Buffer.from(buf.buffer, buf.byteOffset + at, length).toString('utf8');

const withSchema = <T extends object>(value: T, schemaUrl: string | undefined): T => (schemaUrl ? { ...value, schemaUrl } : value);

export async function decodeTracesProtobuf(bytes: Uint8Array, slicer: Slicer, emit: (request: ExportTraceRequest) => void): Promise<void> {
  await walk(bytes, { decodeItem: (reader, length) => span(T.Span.decode(reader, length)) }, slicer, (res, rs, sc, ss, spans) =>
    emit({ resourceSpans: [withSchema({ ...(res ? { resource: res } : {}), scopeSpans: [withSchema({ ...(sc ? { scope: sc } : {}), spans }, ss)] }, rs)] }),
  );
}

export async function decodeLogsProtobuf(bytes: Uint8Array, slicer: Slicer, emit: (request: ExportLogsRequest) => void): Promise<void> {
  await walk(bytes, { decodeItem: (reader, length) => logRecord(T.LogRecord.decode(reader, length)) }, slicer, (res, rs, sc, ss, logRecords) =>
    emit({ resourceLogs: [withSchema({ ...(res ? { resource: res } : {}), scopeLogs: [withSchema({ ...(sc ? { scope: sc } : {}), logRecords }, ss)] }, rs)] }),
  );
}

export async function decodeMetricsProtobuf(bytes: Uint8Array, slicer: Slicer, emit: (request: ExportMetricsRequest) => void): Promise<void> {
  await walk(bytes, { decodeItem: (reader, length) => metric(T.Metric.decode(reader, length)) }, slicer, (res, rs, sc, ss, metrics) =>
    emit({ resourceMetrics: [withSchema({ ...(res ? { resource: res } : {}), scopeMetrics: [withSchema({ ...(sc ? { scope: sc } : {}), metrics }, ss)] }, rs)] }),
  );
}

/** An Export*ServiceResponse: empty, or with partialSuccess { rejected_*, error_message }. */
export function encodeExportResponse(rejected: number, message: string): Uint8Array {
  if (!rejected && !message) return new Uint8Array(0);
  const partial: Record<string, unknown> = {};
  if (rejected) partial.rejected = rejected;
  if (message) partial.errorMessage = message;
  return T.ExportResponse.encode(T.ExportResponse.fromObject({ partialSuccess: partial })).finish();
}

/** A google.rpc.Status { code, message }: what an OTLP/HTTP error answer carries for a protobuf request. */
export function encodeStatus(code: number, message: string): Uint8Array {
  return T.Status.encode(T.Status.fromObject({ code, message })).finish();
}
