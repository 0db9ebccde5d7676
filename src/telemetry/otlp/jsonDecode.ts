import { z } from 'zod';
import type { AnyValue, ExportLogsRequest, ExportMetricsRequest, ExportTraceRequest, KeyValue, LogRecord, Metric, Span } from './model.js';
import { DecodeError, type Slicer } from './slices.js';

/**
 * OTLP/JSON bodies → the same model the protobuf decoder makes. zod checks each item (span, log
 * record, metric) where it enters, and normalises what senders differ on: 64-bit integers as
 * numbers or strings (the JS SDK writes numbers), ids as hex in any case or as base64 (the
 * generic protobuf JSON mapping), enums as numbers or their names. Items are checked one at a
 * time, pausing between slices like the protobuf decoder.
 */

/** Ids: lowercase hex of `bytes` bytes, from hex or base64; '' stays '' (no parent). */
function idSchema(bytes: number) {
  return z.string().transform((text, ctx) => {
    if (text === '') return '';
    if (text.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(text)) return text.toLowerCase();
    const decoded = Buffer.from(text, 'base64');
    if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text) && decoded.length === bytes) return decoded.toString('hex');
    ctx.addIssue({ code: 'custom', message: `expected ${bytes * 2} hex digits, got ${JSON.stringify(text.slice(0, 40))}` });
    return z.NEVER;
  });
}
const traceId = idSchema(16);
const spanId = idSchema(8);

// Numbers past 2^53 (the JS SDK writes nanosecond times as numbers) are taken as JSON.parse read them.
const int64 = z
  .union([z.string().regex(/^-?\d+$/, 'expected an integer as a decimal string'), z.number().refine(Number.isInteger, 'expected an integer')])
  .transform((value) => (typeof value === 'number' ? BigInt(value).toString() : value));
const uint = z.number().int().nonnegative();
/** An enum as its number or its name (`SPAN_KIND_SERVER`, `STATUS_CODE_ERROR`). */
const enumOf = (names: readonly string[]) =>
  z.union([
    z.number().int(),
    z.string().transform((name, ctx) => {
      const index = names.indexOf(name);
      if (index >= 0) return index;
      ctx.addIssue({ code: 'custom', message: `expected one of ${names.join(', ')}` });
      return z.NEVER;
    }),
  ]);
const double = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number)]);

const anyValue: z.ZodType<AnyValue> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: int64.optional(),
      doubleValue: double.optional(),
      arrayValue: z.object({ values: z.array(anyValue).optional() }).optional(),
      kvlistValue: z.object({ values: z.array(keyValue).optional() }).optional(),
      bytesValue: z.string().optional(),
    })
    .transform((value) => {
      // Keep only the one set member, as the decoder does.
      for (const key of Object.keys(value) as (keyof AnyValue)[]) if (value[key] !== undefined) return { [key]: value[key] } as AnyValue;
      return {};
    }),
);
const keyValue: z.ZodType<KeyValue> = z.lazy(() =>
  z.object({ key: z.string(), value: anyValue.optional() }).transform((kv) => (kv.value ? { key: kv.key, value: kv.value } : { key: kv.key })),
);
const attributes = z.array(keyValue).optional();
const dropped = uint.optional();

const resourceSchema = z.object({ attributes, droppedAttributesCount: dropped }).optional();
const scopeSchema = z.object({ name: z.string().optional(), version: z.string().optional(), attributes, droppedAttributesCount: dropped }).optional();

const SPAN_KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

const spanSchema = z.object({
  traceId: traceId.refine((id) => id !== '', 'a span needs a traceId'),
  spanId: spanId.refine((id) => id !== '', 'a span needs a spanId'),
  traceState: z.string().optional(),
  parentSpanId: spanId.optional(),
  flags: uint.optional(),
  name: z.string().default(''),
  kind: enumOf(SPAN_KIND_NAMES).optional(),
  startTimeUnixNano: int64,
  endTimeUnixNano: int64,
  attributes,
  droppedAttributesCount: dropped,
  events: z.array(z.object({ timeUnixNano: int64.default('0'), name: z.string().default(''), attributes, droppedAttributesCount: dropped })).optional(),
  droppedEventsCount: dropped,
  links: z.array(z.object({ traceId, spanId, traceState: z.string().optional(), attributes, droppedAttributesCount: dropped, flags: uint.optional() })).optional(),
  droppedLinksCount: dropped,
  status: z.object({ code: enumOf(STATUS_NAMES).optional(), message: z.string().optional() }).optional(),
});

const logRecordSchema = z.object({
  timeUnixNano: int64.optional(),
  observedTimeUnixNano: int64.optional(),
  severityNumber: enumOf([]).optional(),
  severityText: z.string().optional(),
  body: anyValue.optional(),
  attributes,
  droppedAttributesCount: dropped,
  flags: uint.optional(),
  traceId: traceId.optional(),
  spanId: spanId.optional(),
  eventName: z.string().optional(),
});

const exemplars = z
  .array(z.object({ filteredAttributes: attributes, timeUnixNano: int64.optional(), asDouble: double.optional(), asInt: int64.optional(), spanId: spanId.optional(), traceId: traceId.optional() }))
  .optional();
const pointBase = { attributes, startTimeUnixNano: int64.optional(), timeUnixNano: int64.optional(), exemplars, flags: uint.optional() };
const numberPoint = z.object({ ...pointBase, asDouble: double.optional(), asInt: int64.optional() });
const temporality = enumOf(['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE']).optional();
const buckets = z.object({ offset: z.number().int().optional(), bucketCounts: z.array(int64).optional() }).optional();

const metricSchema = z.object({
  name: z.string().default(''),
  description: z.string().optional(),
  unit: z.string().optional(),
  gauge: z.object({ dataPoints: z.array(numberPoint).optional() }).optional(),
  sum: z.object({ dataPoints: z.array(numberPoint).optional(), aggregationTemporality: temporality, isMonotonic: z.boolean().optional() }).optional(),
  histogram: z
    .object({
      dataPoints: z
        .array(z.object({ ...pointBase, count: int64.optional(), sum: double.optional(), bucketCounts: z.array(int64).optional(), explicitBounds: z.array(double).optional(), min: double.optional(), max: double.optional() }))
        .optional(),
      aggregationTemporality: temporality,
    })
    .optional(),
  exponentialHistogram: z
    .object({
      dataPoints: z
        .array(
          z.object({
            ...pointBase,
            count: int64.optional(),
            sum: double.optional(),
            scale: z.number().int().optional(),
            zeroCount: int64.optional(),
            positive: buckets,
            negative: buckets,
            min: double.optional(),
            max: double.optional(),
            zeroThreshold: double.optional(),
          }),
        )
        .optional(),
      aggregationTemporality: temporality,
    })
    .optional(),
  summary: z
    .object({
      dataPoints: z
        .array(z.object({ ...pointBase, count: int64.optional(), sum: double.optional(), quantileValues: z.array(z.object({ quantile: double.optional(), value: double.optional() })).optional() }))
        .optional(),
    })
    .optional(),
  metadata: attributes,
});

/** Drops undefined members, so a JSON item equals the protobuf decoder's for the same data. */
function clean<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clean) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined) continue;
      out[key] = clean(member);
    }
    return out as T;
  }
  return value;
}

/** Span defaults the protobuf decoder leaves out: zero kind and flags, empty lists, an unset status. */
function trimSpan(span: Span): Span {
  if (!span.parentSpanId) delete span.parentSpanId;
  if (!span.kind) delete span.kind;
  if (!span.flags) delete span.flags;
  if (!span.traceState) delete span.traceState;
  for (const key of ['attributes', 'events', 'links'] as const) if (span[key] && !span[key]!.length) delete span[key];
  for (const key of ['droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount'] as const) if (!span[key]) delete span[key];
  if (span.status) {
    if (!span.status.code) delete span.status.code;
    if (!span.status.message) delete span.status.message;
    if (!span.status.code && !span.status.message) delete span.status;
  }
  for (const event of span.events ?? []) {
    if (event.attributes && !event.attributes.length) delete event.attributes;
    if (!event.droppedAttributesCount) delete event.droppedAttributesCount;
  }
  return span;
}

function trimLog(record: LogRecord): LogRecord {
  if (record.timeUnixNano === '0') delete record.timeUnixNano;
  if (record.observedTimeUnixNano === '0') delete record.observedTimeUnixNano;
  for (const key of ['severityNumber', 'flags', 'droppedAttributesCount'] as const) if (!record[key]) delete record[key];
  for (const key of ['severityText', 'traceId', 'spanId', 'eventName'] as const) if (!record[key]) delete record[key];
  if (record.attributes && !record.attributes.length) delete record.attributes;
  return record;
}

function trimScope<T extends { name?: string; version?: string; attributes?: unknown[]; droppedAttributesCount?: number }>(scope: T | undefined): T | undefined {
  if (!scope) return undefined;
  if (!scope.name) delete scope.name;
  if (!scope.version) delete scope.version;
  if (scope.attributes && !scope.attributes.length) delete scope.attributes;
  if (!scope.droppedAttributesCount) delete scope.droppedAttributesCount;
  return scope;
}

function where(path: (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i ? `.${part}` : part)).join('');
}

function check<T>(schema: z.ZodType<T>, value: unknown, path: (string | number)[]): T {
  let result: ReturnType<typeof schema.safeParse>;
  try {
    result = schema.safeParse(value);
  } catch (error) {
    // Attribute values nested thousands deep (kvlist in kvlist …) run out of stack.
    if (error instanceof RangeError) throw new DecodeError(`${where(path)}: values are nested too deeply`);
    throw error;
  }
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new DecodeError(`${where([...path, ...(issue.path as (string | number)[])])}: ${issue.message}`);
}

function list(value: unknown, path: (string | number)[]): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DecodeError(`${where(path)}: expected an array`);
  return value;
}

function object(value: unknown, path: (string | number)[]): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DecodeError(`${path.length ? where(path) : 'the body'}: expected an object`);
  return value as Record<string, unknown>;
}

interface JsonShape<Item> {
  resources: string;
  scopes: string;
  items: string;
  item: (value: unknown, path: (string | number)[]) => Item;
}

async function walkJson<Item>(
  body: unknown,
  shape: JsonShape<Item>,
  slicer: Slicer,
  emit: (resource: object | undefined, resourceSchema: string | undefined, scope: object | undefined, scopeSchema: string | undefined, items: Item[]) => void,
): Promise<void> {
  const top = object(body, []);
  const resources = list(top[shape.resources], [shape.resources]);
  for (let r = 0; r < resources.length; r++) {
    const rPath = [shape.resources, r];
    const entry = object(resources[r], rPath);
    const resource = clean(check(resourceSchema, entry.resource, [...rPath, 'resource']));
    if (resource?.attributes && !resource.attributes.length) delete resource.attributes;
    if (resource && !resource.droppedAttributesCount) delete resource.droppedAttributesCount;
    const rSchema = typeof entry.schemaUrl === 'string' && entry.schemaUrl ? entry.schemaUrl : undefined;
    const scopes = list(entry[shape.scopes], [...rPath, shape.scopes]);
    for (let s = 0; s < scopes.length; s++) {
      const sPath = [...rPath, shape.scopes, s];
      const scopeEntry = object(scopes[s], sPath);
      const scope = trimScope(clean(check(scopeSchema, scopeEntry.scope, [...sPath, 'scope'])));
      const sSchema = typeof scopeEntry.schemaUrl === 'string' && scopeEntry.schemaUrl ? scopeEntry.schemaUrl : undefined;
      const items = list(scopeEntry[shape.items], [...sPath, shape.items]);
      let out: Item[] = [];
      for (let i = 0; i < items.length; i++) {
        out.push(shape.item(items[i], [...sPath, shape.items, i]));
        if (slicer.due()) {
          emit(resource, rSchema, scope, sSchema, out);
          out = [];
          await slicer.pause();
        }
      }
      if (out.length || !items.length) emit(resource, rSchema, scope, sSchema, out);
    }
  }
}

const part = <T extends object>(value: T, key: string, member: object | string | undefined): T => (member ? { ...value, [key]: member } : value);

export async function decodeTracesJson(body: unknown, slicer: Slicer, emit: (request: ExportTraceRequest) => void): Promise<void> {
  const item = (value: unknown, path: (string | number)[]) => trimSpan(clean(check(spanSchema, value, path)) as Span);
  await walkJson(body, { resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans', item }, slicer, (res, rs, sc, ss, spans) =>
    emit({ resourceSpans: [part({ ...part({}, 'resource', res), scopeSpans: [part({ ...part({}, 'scope', sc), spans }, 'schemaUrl', ss)] }, 'schemaUrl', rs)] }),
  );
}

export async function decodeLogsJson(body: unknown, slicer: Slicer, emit: (request: ExportLogsRequest) => void): Promise<void> {
  const item = (value: unknown, path: (string | number)[]) => trimLog(clean(check(logRecordSchema, value, path)) as LogRecord);
  await walkJson(body, { resources: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords', item }, slicer, (res, rs, sc, ss, logRecords) =>
    emit({ resourceLogs: [part({ ...part({}, 'resource', res), scopeLogs: [part({ ...part({}, 'scope', sc), logRecords }, 'schemaUrl', ss)] }, 'schemaUrl', rs)] }),
  );
}

export async function decodeMetricsJson(body: unknown, slicer: Slicer, emit: (request: ExportMetricsRequest) => void): Promise<void> {
  const item = (value: unknown, path: (string | number)[]) => clean(check(metricSchema, value, path)) as Metric;
  await walkJson(body, { resources: 'resourceMetrics', scopes: 'scopeMetrics', items: 'metrics', item }, slicer, (res, rs, sc, ss, metrics) =>
    emit({ resourceMetrics: [part({ ...part({}, 'resource', res), scopeMetrics: [part({ ...part({}, 'scope', sc), metrics }, 'schemaUrl', ss)] }, 'schemaUrl', rs)] }),
  );
}
