import { z } from 'zod';
import type { AnyValue, KeyValue, ResourceSpans, ScopeSpans, Span, SpanEvent, SpanLink } from '../otlp/model.js';

/**
 * Jaeger's JSON trace model (its query service's HTTP JSON API, `model/json` in Jaeger 1.x) and
 * its mapping into the OTLP/JSON model Legible's stores and formatters read, undoing what Jaeger
 * does when it receives OTLP: the process becomes the resource (`service.name` + its tags), the
 * `span.kind`, `otel.status_code` / `error`, `otel.status_description`, `otel.scope.name` /
 * `otel.library.name` and `w3c.tracestate` tags become the OTLP fields again, logs become events
 * (the `event` field is the name), the first CHILD_OF reference is the parent, the other
 * references are links. Times are microseconds in Jaeger, nanoseconds in OTLP.
 */

const hex = z.string().regex(/^[0-9a-fA-F]{1,32}$/, 'expected a hex id');
const tag = z.object({ key: z.string(), type: z.string().optional(), value: z.unknown() });
const micros = z.number().int().nonnegative();

export const jaegerSpanSchema = z.object({
  traceID: hex,
  spanID: hex,
  flags: z.number().int().optional(),
  operationName: z.string().default(''),
  references: z.array(z.object({ refType: z.string(), traceID: hex, spanID: hex })).nullable().optional(),
  startTime: micros,
  duration: micros.default(0),
  tags: z.array(tag).nullable().optional(),
  logs: z.array(z.object({ timestamp: micros, fields: z.array(tag).nullable().optional() })).nullable().optional(),
  processID: z.string().default(''),
  warnings: z.array(z.string()).nullable().optional(),
});

export const jaegerTraceSchema = z.object({
  traceID: hex,
  spans: z.array(jaegerSpanSchema).default([]),
  processes: z.record(z.string(), z.object({ serviceName: z.string().default(''), tags: z.array(tag).nullable().optional() })).default({}),
  warnings: z.array(z.string()).nullable().optional(),
});

/** Jaeger's envelope: `{data, total, limit, offset, errors}`. */
export function jaegerEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ data: data.nullable().optional(), errors: z.array(z.object({ code: z.number().optional(), msg: z.string().optional() })).nullable().optional() });
}

export type JaegerTrace = z.output<typeof jaegerTraceSchema>;
type JaegerTag = z.output<typeof tag>;

const KINDS: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUS: Record<string, number> = { OK: 1, ERROR: 2 };
/** Tags that are OTLP fields in Jaeger clothing: taken back out of the attributes. */
const FIELD_TAGS = new Set(['span.kind', 'otel.status_code', 'otel.status_description', 'error', 'otel.scope.name', 'otel.scope.version', 'otel.library.name', 'otel.library.version', 'w3c.tracestate', 'internal.span.format']);

export function traceId(id: string): string {
  return id.toLowerCase().padStart(32, '0');
}

export function spanId(id: string): string {
  return id.toLowerCase().padStart(16, '0');
}

/** µs → ns as a decimal string (exact: BigInt). */
function nanos(us: number): string {
  return (BigInt(us) * 1000n).toString();
}

function anyValue(entry: JaegerTag): AnyValue {
  const { type, value } = entry;
  if (type === 'bool' || typeof value === 'boolean') return { boolValue: value === true || value === 'true' };
  if (type === 'int64') return { intValue: typeof value === 'number' ? BigInt(Math.trunc(value)).toString() : String(value) };
  if (type === 'float64' || typeof value === 'number') return { doubleValue: Number(value) };
  if (type === 'binary') return { bytesValue: String(value) };
  return { stringValue: typeof value === 'string' ? value : JSON.stringify(value) };
}

function keyValues(tags: JaegerTag[] | null | undefined, skip?: Set<string>): KeyValue[] {
  return (tags ?? []).filter((entry) => !skip?.has(entry.key)).map((entry) => ({ key: entry.key, value: anyValue(entry) }));
}

function text(tags: JaegerTag[] | null | undefined, key: string): string | undefined {
  const found = tags?.find((entry) => entry.key === key);
  return found === undefined ? undefined : String(found.value);
}

function toSpan(span: z.output<typeof jaegerSpanSchema>): Span {
  const tags = span.tags ?? [];
  const parent = span.references?.find((ref) => ref.refType === 'CHILD_OF' && traceId(ref.traceID) === traceId(span.traceID));
  const out: Span = {
    traceId: traceId(span.traceID),
    spanId: spanId(span.spanID),
    name: span.operationName,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.startTime + span.duration),
  };
  if (parent) out.parentSpanId = spanId(parent.spanID);
  const kind = KINDS[(text(tags, 'span.kind') ?? '').toLowerCase()];
  if (kind) out.kind = kind;
  const statusCode = STATUS[(text(tags, 'otel.status_code') ?? '').toUpperCase()] ?? (text(tags, 'error') === 'true' ? 2 : undefined);
  const statusMessage = text(tags, 'otel.status_description');
  if (statusCode || statusMessage) out.status = { ...(statusCode ? { code: statusCode } : {}), ...(statusMessage ? { message: statusMessage } : {}) };
  const traceState = text(tags, 'w3c.tracestate');
  if (traceState) out.traceState = traceState;
  const attributes = keyValues(tags, FIELD_TAGS);
  if (attributes.length) out.attributes = attributes;
  const events: SpanEvent[] = (span.logs ?? []).map((log) => {
    const name = text(log.fields, 'event') ?? 'log';
    const event: SpanEvent = { timeUnixNano: nanos(log.timestamp), name };
    const fields = keyValues(log.fields, new Set(['event']));
    if (fields.length) event.attributes = fields;
    return event;
  });
  if (events.length) out.events = events;
  const links: SpanLink[] = (span.references ?? []).filter((ref) => ref !== parent).map((ref) => ({ traceId: traceId(ref.traceID), spanId: spanId(ref.spanID) }));
  if (links.length) out.links = links;
  return out;
}

/** One Jaeger trace as OTLP resourceSpans: one resource per process, one scope per instrumentation library. */
export function jaegerToOtlp(trace: JaegerTrace): ResourceSpans[] {
  const byProcess = new Map<string, Map<string, ScopeSpans>>();
  for (const span of trace.spans) {
    let scopes = byProcess.get(span.processID);
    if (!scopes) byProcess.set(span.processID, (scopes = new Map()));
    const name = text(span.tags, 'otel.scope.name') ?? text(span.tags, 'otel.library.name');
    const version = text(span.tags, 'otel.scope.version') ?? text(span.tags, 'otel.library.version');
    const key = `${name ?? ''}\0${version ?? ''}`;
    let scopeSpans = scopes.get(key);
    if (!scopeSpans) {
      scopeSpans = { spans: [] };
      if (name !== undefined) scopeSpans.scope = { name, ...(version !== undefined ? { version } : {}) };
      scopes.set(key, scopeSpans);
    }
    scopeSpans.spans.push(toSpan(span));
  }
  return [...byProcess].map(([processId, scopes]) => {
    const process = trace.processes[processId];
    const attributes: KeyValue[] = [{ key: 'service.name', value: { stringValue: process?.serviceName || 'unknown_service' } }, ...keyValues(process?.tags)];
    return { resource: { attributes }, scopeSpans: [...scopes.values()] };
  });
}
