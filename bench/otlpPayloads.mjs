// OTLP payloads made by the real OpenTelemetry JS SDK (tracer + the exporters' own serializers),
// for the receiver's tests and the ingest bench: synthetic traces of web requests.
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufTraceSerializer, JsonTraceSerializer, JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';

const ROUTES = ['/api/users/:id', '/api/orders', '/api/cart', '/api/search', '/health', '/api/checkout'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];

/**
 * `traces` traces of `spansPerTrace` spans each (a server span, then a chain of internal and
 * client spans, some nested), ~10 attributes per span, one error in 20 traces (with an
 * exception event), durations spread from 1 ms to 2 s. Deterministic for a given `seed`.
 * Returns the SDK's ReadableSpans.
 */
export function makeSpans({ traces = 100, spansPerTrace = 10, services = 3, seed = 1, startMs = Date.now() - 60_000 } = {}) {
  let state = seed >>> 0 || 1;
  const random = () => ((state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const exporter = new InMemorySpanExporter();
  const spans = [];
  const providers = [];
  for (let s = 0; s < services; s++) {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': `svc-${s}`, 'service.version': '1.2.3', 'deployment.environment': 'test', 'host.name': 'bench' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    providers.push(provider);
    const tracer = provider.getTracer('bench', '1.0.0');
    const perService = Math.ceil(traces / services);
    for (let t = 0; t < perService && s * perService + t < traces; t++) {
      const index = s * perService + t;
      const route = ROUTES[index % ROUTES.length];
      const start = startMs + index * 10;
      const total = 1 + Math.floor(random() * (index % 50 === 7 ? 2_000 : 200));
      const root = tracer.startSpan(`${METHODS[index % METHODS.length]} ${route}`, {
        kind: SpanKind.SERVER,
        startTime: start,
        attributes: { 'http.request.method': METHODS[index % METHODS.length], 'http.route': route, 'http.response.status_code': index % 20 === 3 ? 500 : 200, 'url.path': route.replace(':id', String(index)), 'server.port': 3000, 'user_agent.original': 'bench/1.0', 'network.protocol.version': '1.1', 'client.address': '127.0.0.1', 'request.index': index, 'feature.flag': index % 2 === 0 },
      });
      const ctx = trace.setSpan(context.active(), root);
      let parentCtx = ctx;
      for (let c = 1; c < spansPerTrace; c++) {
        const childStart = start + (total * c) / (spansPerTrace + 1);
        const kind = c % 3 === 0 ? SpanKind.CLIENT : SpanKind.INTERNAL;
        const child = tracer.startSpan(kind === SpanKind.CLIENT ? 'SELECT app.orders' : `step ${c}`, {
          kind,
          startTime: childStart,
          attributes: kind === SpanKind.CLIENT
            ? { 'db.system': 'postgresql', 'db.statement': 'SELECT * FROM orders WHERE id = $1', 'db.name': 'app', 'server.address': 'localhost', 'server.port': 5432, 'db.rows': Math.floor(random() * 100), 'peer.service': 'postgres', 'db.operation': 'SELECT', 'request.index': index, 'step': c }
            : { 'code.function': `step${c}`, 'code.namespace': 'app.handlers', 'app.items': Math.floor(random() * 50), 'app.cache.hit': random() < 0.5, 'request.index': index, 'step': c, 'app.region': 'eu', 'app.tier': 'gold', 'thread.id': 1, 'app.ratio': random() },
        }, parentCtx);
        if (index % 20 === 3 && c === spansPerTrace - 1) {
          const error = new TypeError(`Cannot read properties of undefined (reading 'id') #${index}`);
          child.recordException(error, childStart + 1);
          child.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        }
        child.end(childStart + total / (spansPerTrace + 1));
        if (c % 4 === 1) parentCtx = trace.setSpan(ctx, child);
      }
      if (index % 20 === 3) root.setStatus({ code: SpanStatusCode.ERROR });
      root.end(start + total);
    }
  }
  spans.push(...exporter.getFinishedSpans());
  exporter.reset();
  for (const provider of providers) void provider.shutdown();
  return spans;
}

export const tracesProtobuf = (spans) => ProtobufTraceSerializer.serializeRequest(spans);
export const tracesJson = (spans) => JsonTraceSerializer.serializeRequest(spans);

/** `count` log records from the SDK's logger, some with trace context. */
export function makeLogRecords({ count = 10, service = 'svc-logs' } = {}) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': service }), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('bench');
  for (let i = 0; i < count; i++) {
    logger.emit({ severityNumber: i % 5 === 4 ? 17 : 9, severityText: i % 5 === 4 ? 'ERROR' : 'INFO', body: `line ${i}`, attributes: { index: i } });
  }
  return exporter.getFinishedLogRecords();
}

export const logsProtobuf = (records) => ProtobufLogsSerializer.serializeRequest(records);
export const logsJson = (records) => JsonLogsSerializer.serializeRequest(records);

/**
 * An OTLP/JSON metrics request for filling the metric store: `points` gauge points spread over
 * 100 series of one resource, batch `batch` of `batches` (each batch a later stretch of time, so
 * the store takes every point in order), one point per 15 s, ending now.
 */
export function metricsJson({ points = 40_000, batch = 0, batches = 1, series = 100 } = {}) {
  const perSeries = Math.ceil(points / series);
  const end = Date.now();
  const first = end - batches * perSeries * 15_000 + batch * perSeries * 15_000;
  const metrics = [];
  for (let s = 0; s < series; s++) {
    const dataPoints = [];
    for (let p = 0; p < perSeries; p++) dataPoints.push({ timeUnixNano: `${first + p * 15_000}000000`, asDouble: (s * 7 + p) % 100, attributes: [{ key: 'series', value: { stringValue: `s${s}` } }] });
    metrics.push({ name: 'bench.fill', unit: '1', gauge: { dataPoints } });
  }
  return JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench-fill' } }] }, scopeMetrics: [{ scope: { name: 'bench' }, metrics }] }] });
}
