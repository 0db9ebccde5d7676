/**
 * The receiver, span store, TraceQL and the trace formatters against a real instrumented app: a
 * child process running the OpenTelemetry Node SDK (HTTP instrumentation, OTLP protobuf
 * exporters for traces, metrics and logs) pointed at the receiver started here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSpan } from '../../src/format/spanFormat.js';
import { formatTraceOutline } from '../../src/format/traceOutlineFormat.js';
import { formatTraceSearch } from '../../src/format/traceSearchFormat.js';
import type { LogInput } from '../../src/telemetry/model.js';
import { logInputs } from '../../src/telemetry/otlp/logInputs.js';
import type { ExportMetricsRequest } from '../../src/telemetry/otlp/model.js';
import { OtlpReceiver } from '../../src/telemetry/otlp/receiver.js';
import { buildTraceTree, criticalPath, criticalSpans } from '../../src/telemetry/traces/analysis.js';
import { SpanStore } from '../../src/telemetry/traces/spanStore.js';
import { OTEL_APP_ARGS } from '../helpers/apps.js';
import { waitFor } from '../helpers/e2e.js';

const store = new SpanStore();
const logLines: LogInput[] = [];
const metrics: ExportMetricsRequest[] = [];
const receiver = new OtlpReceiver({
  traces: (request) => store.ingest(request),
  logs: (request) => void logLines.push(...logInputs(request)),
  metrics: (request) => void metrics.push(request),
});
let app: ChildProcess;
let appUrl = '';

const until = <T>(what: string, probe: () => T | undefined, ms = 15_000) => waitFor(what, probe, ms, 50);

beforeAll(async () => {
  const endpoint = await receiver.start();
  app = spawn(process.execPath, OTEL_APP_ARGS, {
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_SERVICE_NAME: 'otel-fixture', OTEL_TRACES_SAMPLER: 'always_on', OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BLRP_SCHEDULE_DELAY: '100' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  app.stderr!.on('data', (chunk) => (stderr += chunk));
  let stdout = '';
  app.stdout!.on('data', (chunk) => (stdout += chunk));
  const port = await until('the app to listen', () => /listening (\d+)/.exec(stdout)?.[1], 20_000).catch((error: Error) => {
    throw new Error(`${error.message}; app stderr: ${stderr.slice(0, 2000)}`);
  });
  appUrl = `http://127.0.0.1:${port}`;
  expect((await fetch(`${appUrl}/checkout`)).status).toBe(500);
  expect(await (await fetch(`${appUrl}/slow`)).text()).toBe('slow done');
  expect((await fetch(`${appUrl}/ok`)).status).toBe(200);
});

afterAll(async () => {
  if (app && app.exitCode === null) {
    app.kill('SIGTERM');
    await Promise.race([once(app, 'exit'), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (app.exitCode === null) app.kill('SIGKILL');
  }
  await receiver.close();
});

describe('a real OpenTelemetry Node app exporting to the receiver', () => {
  it('stores its spans with parent links, kinds and resource', async () => {
    await until('the slow trace', () => store.search('{ name = "slow-query" }').traces.length > 0);
    const [server] = store.search('{ kind = server && span.url.path = "/slow" }').traces;
    expect(server?.rootServiceName).toBe('otel-fixture');
    expect(server?.rootTraceName).toBe('GET');
    const trace = store.trace(server!.traceID);
    const spans = trace.resourceSpans!.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    const root = spans.find((span) => span.kind === 2)!;
    const slow = spans.find((span) => span.name === 'slow-query')!;
    expect(slow.parentSpanId).toBe(root.spanId);
    expect(spans.find((span) => span.name === 'validate')!.parentSpanId).toBe(root.spanId);
    expect(trace.resourceSpans![0]!.resource?.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'otel-fixture' } });
    // The structural operators see the same links.
    expect(store.search('{ kind = server } > { name = "slow-query" }').traces.map((t) => t.traceID)).toEqual([server!.traceID]);
    expect(store.search('{ name = "slow-query" } < { kind = server }').traces.map((t) => t.traceID)).toEqual([server!.traceID]);
  });

  it('keeps the exception event of the failing span, and the error status', async () => {
    await until('the checkout trace', () => store.search('{ name = "load-cart" }').traces.length > 0);
    const found = store.search('{ status = error && name = "load-cart" }');
    expect(found.traces).toHaveLength(1);
    const trace = store.trace(found.traces[0]!.traceID.slice(0, 10));
    const spans = trace.resourceSpans!.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    const failing = spans.find((span) => span.name === 'load-cart')!;
    expect(failing.status).toEqual({ code: 2, message: expect.stringContaining("reading 'items'") });
    const exception = failing.events!.find((event) => event.name === 'exception')!;
    const attribute = (key: string) => exception.attributes!.find((kv) => kv.key === key)?.value?.stringValue;
    expect(attribute('exception.type')).toBe('TypeError');
    expect(attribute('exception.message')).toContain("reading 'items'");
    expect(attribute('exception.stacktrace')).toContain('loadCart');
    // The server span of a 500 is an error too, and it is the failing span's ancestor.
    expect(store.search('{ kind = server && status = error } >> { event.exception.type = "TypeError" }').traces).toHaveLength(1);

    const details = formatSpan(trace, failing.spanId.slice(0, 8));
    expect(details).toContain('Exception +');
    expect(details).toContain("TypeError: Cannot read properties of undefined (reading 'items')");
    expect(details).toMatch(/at loadCart .*app\.cjs/);
  });

  it('finds the slow request with { duration > 1s }, and its critical path points at the slow child', async () => {
    await until('the slow trace', () => store.search('{ name = "slow-query" }').traces.length > 0);
    const slow = store.search('{ duration > 1s }');
    const names = new Set(slow.traces.flatMap((t) => t.spanSets![0]!.spans.map((span) => span.name)));
    expect(names).toContain('slow-query');
    expect(slow.traces).toHaveLength(1);
    expect(store.search('{ duration > 1s && name = "load-cart" }').traces).toHaveLength(0);

    const trace = store.trace(slow.traces[0]!.traceID);
    const path = criticalSpans(criticalPath(buildTraceTree(trace)));
    const top = path.reduce((a, b) => (b.ms > a.ms ? b : a));
    expect(top.node.span.name).toBe('slow-query');
    expect(top.ms).toBeGreaterThan(1_100);

    const outline = formatTraceOutline(trace);
    expect(outline).toMatch(/Most of it: slow-query \[[0-9a-f]{8}\], 1\.\d+s/);
    // Depth first: the server span, then its children indented under it, in time order.
    expect(outline).toMatch(/\nGET \/slow · server · 1\.\d+s · self [^\n]+\n {2}validate · [^\n]+\n {2}slow-query · 1\.\d+s/);

    const list = formatTraceSearch(slow, { query: '{ duration > 1s }' });
    expect(list).toMatch(/^1 trace matches \{ duration > 1s \}/);
    expect(list).toContain('GET (otel-fixture)');
  });

  it('converts its OTLP log records, with trace context, level and service label', async () => {
    const line = await until('the error log line', () => logLines.find((l) => l.line.startsWith('checkout failed')));
    expect(line.level).toBe('error');
    expect(line.labels.service_name).toBe('otel-fixture');
    expect(line.labels.deployment_environment).toBe('test');
    expect(line.line).toContain('route=/checkout');
    const failing = store.search('{ name = "load-cart" }').traces[0]!;
    expect(line.traceId).toBe(failing.traceID);
    expect(line.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('decodes its OTLP metrics (the HTTP server duration histogram)', async () => {
    const histogram = await until('the http server histogram', () =>
      metrics.flatMap((m) => m.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))).find((m) => m.name === 'http.server.duration' || m.name === 'http.server.request.duration'),
    );
    const point = histogram.histogram!.dataPoints![0]!;
    expect(Number(point.count)).toBeGreaterThanOrEqual(1);
    expect(point.bucketCounts!.length).toBe(point.explicitBounds!.length + 1);
    expect(point.timeUnixNano).toMatch(/^\d{19}$/);
    expect(receiver.stats.accepted.metrics).toBeGreaterThan(0);
    expect(receiver.stats.errors).toEqual({});
  });
});
