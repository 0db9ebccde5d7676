/**
 * Tempo and Jaeger as their API documentation says they answer, serving the spans of an embedded
 * SpanStore (the truth both clients are compared against):
 *
 * - Tempo: "Tempo HTTP API" (grafana.com/docs/tempo/latest/api_docs/, Tempo 2.x): /api/search
 *   (TraceQL `q`, start/end in Unix seconds, limit, spss; trace ids without leading zeros, as
 *   Tempo trims them), /api/v2/traces/<id> (`{"trace": {"resourceSpans": …}}`, ids in base64 and
 *   enums by name, as Tempo's protobuf JSON writes them; a v1-only Tempo answers "404 page not
 *   found" there and `{"batches": …}` at /api/traces/<id>), /api/v2/search/tags and
 *   /api/v2/search/tag/<tag>/values.
 * - Jaeger: the query service's HTTP JSON API (jaegertracing.io/docs/1.x/apis/, model/json of
 *   Jaeger 1.x): /api/services, /api/traces?service&operation&tags&minDuration&maxDuration&start&end&limit
 *   (µs), /api/traces/<id>; the `{data, total, limit, offset, errors}` envelope; OTLP mapped into
 *   Jaeger's model as Jaeger's OTLP receiver maps it (process = resource, span.kind /
 *   otel.status_code / error / otel.scope.name tags, logs for events, CHILD_OF references).
 */
import type { AnyValue, KeyValue, ResourceSpans, Span } from '../../src/telemetry/otlp/model.js';
import type { SpanStore } from '../../src/telemetry/traces/spanStore.js';
import type { Asked, FixtureAnswer } from './fixtureBackend.js';

const KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

const base64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** A trace as Tempo's JSON writes it: ids in base64, enums by name. */
function tempoWire(resourceSpans: ResourceSpans[]): unknown {
  return resourceSpans.map((rs) => ({
    ...rs,
    scopeSpans: rs.scopeSpans.map((ss) => ({
      ...ss,
      spans: ss.spans.map((span) => ({
        ...span,
        traceId: base64(span.traceId),
        spanId: base64(span.spanId),
        ...(span.parentSpanId ? { parentSpanId: base64(span.parentSpanId) } : {}),
        kind: KIND_NAMES[span.kind ?? 0],
        ...(span.status ? { status: { ...span.status, ...(span.status.code !== undefined ? { code: STATUS_NAMES[span.status.code] } : {}) } } : {}),
      })),
    })),
  }));
}

export function tempoFixture(truth: SpanStore, options: { v1Only?: boolean } = {}): (asked: Asked) => FixtureAnswer {
  return (asked) => {
    const { path, params } = asked;
    if (path === '/api/search') {
      const q = params.get('q') ?? '{}';
      try {
        const found = truth.search(q, { startMs: Number(params.get('start')) * 1000, endMs: Number(params.get('end')) * 1000, limit: Number(params.get('limit') ?? 20), spansPerSpanSet: Number(params.get('spss') ?? 3) });
        return {
          body: {
            // Tempo lists the traces it found first, in no particular order, ids without leading zeros.
            traces: [...found.traces].reverse().map((trace) => ({ ...trace, traceID: trace.traceID.replace(/^0+/, '') })),
            metrics: { inspectedBytes: '48213', totalBlocks: 1, completedJobs: 1, totalJobs: 1 },
          },
        };
      } catch (error) {
        return { status: 400, body: `invalid TraceQL query: ${(error as Error).message.split('\n')[0]}` };
      }
    }
    const v2 = /^\/api\/v2\/traces\/([0-9a-f]+)$/.exec(path);
    const v1 = /^\/api\/traces\/([0-9a-f]+)$/.exec(path);
    if (v2 && options.v1Only) return { status: 404, body: '404 page not found\n' };
    if (v2 || v1) {
      const id = (v2 ?? v1)![1]!.padStart(32, '0');
      if (!truth.traces.has(id)) return { status: 404, body: 'trace not found' };
      const resourceSpans = tempoWire(truth.trace(id).resourceSpans!);
      return { body: v2 ? { trace: { resourceSpans }, metrics: {} } : { batches: resourceSpans } };
    }
    if (path === '/api/v2/search/tags') {
      const resource = new Set<string>();
      const span = new Set<string>();
      truth.forEachSlot((slot) => {
        const r = truth.resource[slot]!.attributes;
        for (let i = 0; i < r.length; i += 2) resource.add(String(r[i]));
        const s = truth.attributes[slot]!;
        for (let i = 0; i < s.length; i += 2) span.add(String(s[i]));
      });
      return {
        body: {
          scopes: [
            { name: 'span', tags: [...span] },
            { name: 'resource', tags: [...resource] },
            { name: 'intrinsic', tags: ['duration', 'kind', 'name', 'status', 'rootServiceName'] },
          ],
          metrics: { inspectedBytes: '1024' },
        },
      };
    }
    if (path === '/api/v2/search/tag/resource.service.name/values') {
      const services = new Set<string>();
      truth.forEachSlot((slot) => services.add(truth.resource[slot]!.serviceName));
      return { body: { tagValues: [...services].map((value) => ({ type: 'string', value })), metrics: { inspectedBytes: '512' } } };
    }
    return { status: 404, body: '404 page not found\n' };
  };
}

// ---------------------------------------------------------------------------------------------
// Jaeger

interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}

function jaegerTag(kv: KeyValue): JaegerTag {
  const value: AnyValue = kv.value ?? {};
  if (value.boolValue !== undefined) return { key: kv.key, type: 'bool', value: value.boolValue };
  if (value.intValue !== undefined) return { key: kv.key, type: 'int64', value: Number(value.intValue) };
  if (value.doubleValue !== undefined) return { key: kv.key, type: 'float64', value: value.doubleValue };
  return { key: kv.key, type: 'string', value: value.stringValue ?? JSON.stringify(value) };
}

const micros = (nanos: string) => Number(BigInt(nanos) / 1000n);
const KIND_TAG = ['', 'internal', 'server', 'client', 'producer', 'consumer'];

/** One trace in Jaeger's JSON model, as Jaeger's OTLP receiver stores what the SDK sent. */
export function toJaeger(traceID: string, resourceSpans: ResourceSpans[]): unknown {
  const processes: Record<string, unknown> = {};
  const spans: unknown[] = [];
  resourceSpans.forEach((rs, index) => {
    const processID = `p${index + 1}`;
    const attributes = rs.resource?.attributes ?? [];
    processes[processID] = {
      serviceName: attributes.find((kv) => kv.key === 'service.name')?.value?.stringValue ?? 'unknown_service',
      tags: attributes.filter((kv) => kv.key !== 'service.name').map(jaegerTag),
    };
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans as Span[]) {
        const tags = (span.attributes ?? []).map(jaegerTag);
        if (ss.scope?.name) tags.push({ key: 'otel.scope.name', type: 'string', value: ss.scope.name });
        if (ss.scope?.version) tags.push({ key: 'otel.scope.version', type: 'string', value: ss.scope.version });
        if (span.kind) tags.push({ key: 'span.kind', type: 'string', value: KIND_TAG[span.kind] });
        if (span.status?.code === 2) tags.push({ key: 'otel.status_code', type: 'string', value: 'ERROR' }, { key: 'error', type: 'bool', value: true });
        if (span.status?.code === 1) tags.push({ key: 'otel.status_code', type: 'string', value: 'OK' });
        if (span.status?.message) tags.push({ key: 'otel.status_description', type: 'string', value: span.status.message });
        spans.push({
          traceID: span.traceId,
          spanID: span.spanId,
          operationName: span.name,
          references: span.parentSpanId ? [{ refType: 'CHILD_OF', traceID: span.traceId, spanID: span.parentSpanId }] : [],
          startTime: micros(span.startTimeUnixNano),
          duration: micros(span.endTimeUnixNano) - micros(span.startTimeUnixNano),
          tags,
          logs: (span.events ?? []).map((event) => ({ timestamp: micros(event.timeUnixNano), fields: [{ key: 'event', type: 'string', value: event.name }, ...(event.attributes ?? []).map(jaegerTag)] })),
          processID,
          warnings: null,
        });
      }
    }
  });
  return { traceID, spans, processes, warnings: null };
}

const envelope = (data: unknown, errors: unknown = null) => ({ data, total: Array.isArray(data) ? data.length : 0, limit: 0, offset: 0, errors });

function goDurationMicros(text: string | null): number | undefined {
  if (!text) return undefined;
  const match = /^(\d+(?:\.\d+)?)(us|µs|ms|s)$/.exec(text);
  if (!match) return NaN;
  return Number(match[1]) * ({ us: 1, µs: 1, ms: 1_000, s: 1_000_000 } as Record<string, number>)[match[2]!]!;
}

/** Jaeger's search, as its memory store runs it: a trace matches when one span of the service matches everything asked. */
export function jaegerFixture(truth: SpanStore): (asked: Asked) => FixtureAnswer {
  const traces = () => [...truth.traces.keys()].map((id) => toJaeger(id, truth.trace(id).resourceSpans!) as { traceID: string; spans: { processID: string; operationName: string; startTime: number; duration: number; tags: JaegerTag[] }[]; processes: Record<string, { serviceName: string; tags: JaegerTag[] }> });
  return ({ path, params }) => {
    if (path === '/api/services') return { body: envelope([...new Set(traces().flatMap((t) => Object.values(t.processes).map((p) => p.serviceName)))]) };
    const one = /^\/api\/traces\/([0-9a-f]+)$/.exec(path);
    if (one) {
      const found = traces().find((trace) => trace.traceID === one[1]!.padStart(32, '0'));
      return found ? { body: envelope([found]) } : { status: 404, body: envelope(null, [{ code: 404, msg: 'trace not found' }]) };
    }
    if (path === '/api/traces') {
      const service = params.get('service');
      if (!service) return { status: 400, body: envelope(null, [{ code: 400, msg: "parameter 'service' is required" }]) };
      const operation = params.get('operation');
      const tags = JSON.parse(params.get('tags') ?? '{}') as Record<string, string>;
      const min = goDurationMicros(params.get('minDuration'));
      const max = goDurationMicros(params.get('maxDuration'));
      const start = Number(params.get('start'));
      const end = Number(params.get('end'));
      const limit = Number(params.get('limit') ?? 20);
      const matched = traces().filter((trace) =>
        trace.spans.some((span) => {
          const process = trace.processes[span.processID]!;
          if (process.serviceName !== service) return false;
          if (operation && span.operationName !== operation) return false;
          if (span.startTime < start || span.startTime > end) return false;
          if (min !== undefined && span.duration < min) return false;
          if (max !== undefined && span.duration > max) return false;
          const all = [...span.tags, ...process.tags];
          return Object.entries(tags).every(([key, value]) => all.some((tag) => tag.key === key && String(tag.value) === value));
        }),
      );
      return { body: envelope(matched.slice(0, limit)) };
    }
    return { status: 404, body: '404 page not found\n' };
  };
}
