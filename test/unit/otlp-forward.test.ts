/**
 * --otlp-forward: the embedded receiver hands what it accepted to an OtlpForwarder, which sends it
 * on to an OTLP/HTTP endpoint. The collector here is real: a second OtlpReceiver (a real OTLP
 * endpoint on a socket) with its own span store, or, for the faults, a plain HTTP server that
 * refuses, hangs, fails or comes back. The app's answer never waits for the collector; drops are
 * counted with their reason and said in one line (for app_status).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs helper shared with the bench
import { logsProtobuf, makeLogRecords, makeSpans, tracesJson, tracesProtobuf } from '../../bench/otlpPayloads.mjs';
import type { ExportLogsRequest } from '../../src/telemetry/otlp/model.js';
import { OtlpForwarder, type OtlpForwarderOptions } from '../../src/telemetry/otlp/forwarder.js';
import { OtlpReceiver } from '../../src/telemetry/otlp/receiver.js';
import { SpanStore } from '../../src/telemetry/traces/spanStore.js';
import { freePort } from '../helpers/prometheus.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The app's side: a receiver with its own store, forwarding to `url`. */
async function appReceiver(options: OtlpForwarderOptions) {
  const store = new SpanStore();
  const forwarder = new OtlpForwarder(options);
  const receiver = new OtlpReceiver({ traces: (request) => store.ingest(request), logs: () => undefined }, { forward: forwarder });
  const url = await receiver.start();
  cleanups.push(() => receiver.close(), () => forwarder.close(200));
  const post = (path: string, body: Uint8Array, type = 'application/x-protobuf') => fetch(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': type } });
  return { store, forwarder, receiver, post };
}

/** A collector that answers with `handle` (and records what it got). */
async function fakeCollector(handle: (request: IncomingMessage, response: ServerResponse, index: number) => void) {
  let index = 0;
  const seen: { path: string; headers: IncomingMessage['headers'] }[] = [];
  const server: Server = createServer((request, response) => {
    seen.push({ path: request.url ?? '', headers: request.headers });
    request.resume();
    handle(request, response, index++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const spans = makeSpans({ traces: 12, spansPerTrace: 5 });
const SPANS = 12 * 5;

describe('OTLP forwarding', () => {
  it('sends what the app sent on to a real OTLP endpoint: the collector holds the same traces, exactly', async () => {
    const collectorStore = new SpanStore();
    const collectorLogs: ExportLogsRequest[] = [];
    const collector = new OtlpReceiver({ traces: (request) => collectorStore.ingest(request), logs: (request) => void collectorLogs.push(request) });
    const collectorUrl = await collector.start();
    cleanups.push(() => collector.close());
    const app = await appReceiver({ url: collectorUrl, headers: { 'X-Scope-OrgID': 'team-a' } });

    expect((await app.post('/v1/traces', tracesProtobuf(spans.slice(0, 30)))).status).toBe(200);
    expect((await app.post('/v1/traces', tracesJson(spans.slice(30)), 'application/json')).status).toBe(200);
    expect((await app.post('/v1/logs', logsProtobuf(makeLogRecords({ count: 7 })))).status).toBe(200);
    expect(await app.forwarder.flush(10_000)).toBe(true);

    expect(collectorStore.size).toBe(SPANS);
    for (const id of app.store.traces.keys()) expect(collectorStore.trace(id)).toEqual(app.store.trace(id));
    expect(collectorLogs.reduce((n, r) => n + r.resourceLogs[0]!.scopeLogs[0]!.logRecords.length, 0)).toBe(7);
    const stats = app.forwarder.stats();
    expect(stats.sent).toEqual({ traces: SPANS, metrics: 0, logs: 7 });
    expect(stats.dropped).toEqual({ traces: 0, metrics: 0, logs: 0 });
    expect(app.forwarder.describe()).toBe(`forwarding OTLP to ${collectorUrl}: ${SPANS} spans, 7 log records sent`);
  });

  it('sends the headers from LEGIBLE_OTLP_FORWARD_HEADERS, gzipped, to <base>/v1/<signal>', async () => {
    const collector = await fakeCollector((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const app = await appReceiver({ url: `${collector.url}/otlp/`, headers: { Authorization: 'Bearer abc' } });
    await app.post('/v1/traces', tracesProtobuf(spans.slice(0, 5)));
    expect(await app.forwarder.flush(5_000)).toBe(true);
    expect(collector.seen).toHaveLength(1);
    expect(collector.seen[0]!.path).toBe('/otlp/v1/traces');
    expect(collector.seen[0]!.headers).toMatchObject({ authorization: 'Bearer abc', 'content-encoding': 'gzip', 'content-type': 'application/x-protobuf' });
  });

  it('never makes the app wait for a collector that hangs; a full queue drops new batches and counts them', async () => {
    const collector = await fakeCollector(() => undefined /* never answers */);
    const app = await appReceiver({ url: collector.url, maxQueueBatches: 3, timeoutMs: 60_000 });
    for (let i = 0; i < 10; i++) {
      const response = await app.post('/v1/traces', tracesProtobuf(spans.slice(i * 5, i * 5 + 5)));
      expect(response.status).toBe(200);
    }
    // Every answer came back while the first forward was still hanging.
    const stats = app.forwarder.stats();
    expect(stats.sent.traces).toBe(0);
    expect(stats.queued).toBe(3);
    expect(stats.dropped.traces).toBe(35);
    expect(stats.dropReasons).toEqual({ 'queue full (the collector is slower than the app or down)': 35 });
    expect(app.store.size).toBe(50);
    await app.forwarder.close(50);
    expect(app.forwarder.stats().dropped.traces).toBe(50);
    expect(app.forwarder.stats().dropReasons['Legible was shutting down']).toBe(15);
  });

  it('retries a collector that is down, then drops the batch and says why', async () => {
    const port = await freePort(); // nothing listens there
    const app = await appReceiver({ url: `http://127.0.0.1:${port}`, maxAttempts: 3, backoffMs: 5 });
    expect((await app.post('/v1/traces', tracesProtobuf(spans.slice(0, 5)))).status).toBe(200);
    expect(await app.forwarder.flush(5_000)).toBe(true);
    const stats = app.forwarder.stats();
    expect(stats.retries).toBe(2);
    expect(stats.dropped.traces).toBe(5);
    expect(stats.dropReasons).toEqual({ 'collector unreachable: connection refused (nothing listens there)': 5 });
    expect(stats.lastError?.message).toBe('collector unreachable: connection refused (nothing listens there)');
    expect(app.forwarder.describe()).toBe(`forwarding OTLP to http://127.0.0.1:${port}: nothing sent yet; 5 items dropped (5 collector unreachable: connection refused (nothing listens there))`);
  });

  it('retries 503 and delivers once the collector is back; drops what it refuses (400) at once', async () => {
    const collector = await fakeCollector((_request, response, index) => {
      if (index < 2) return void response.writeHead(503, { 'retry-after': '0' }).end('busy');
      response.writeHead(200).end();
    });
    const app = await appReceiver({ url: collector.url, backoffMs: 5 });
    await app.post('/v1/traces', tracesProtobuf(spans.slice(0, 5)));
    expect(await app.forwarder.flush(5_000)).toBe(true);
    expect(app.forwarder.stats()).toMatchObject({ retries: 2, sent: { traces: 5 }, dropped: { traces: 0 } });

    const refusing = await fakeCollector((_request, response) => response.writeHead(400, { 'content-type': 'text/plain' }).end('bad payload: token=s3cret'));
    const other = await appReceiver({ url: refusing.url, backoffMs: 5 });
    await other.post('/v1/traces', tracesProtobuf(spans.slice(0, 5)));
    expect(await other.forwarder.flush(5_000)).toBe(true);
    expect(refusing.seen).toHaveLength(1);
    expect(other.forwarder.stats()).toMatchObject({ retries: 0, dropped: { traces: 5 } });
    expect(other.forwarder.stats().lastError?.message).toBe('collector answered 400: bad payload: token=[redacted]');
  });

  it('forwards nothing that did not decode', async () => {
    const collector = await fakeCollector((_request, response) => response.writeHead(200).end());
    const app = await appReceiver({ url: collector.url });
    expect((await app.post('/v1/traces', new Uint8Array([0xff, 0xff, 0xff]))).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(collector.seen).toHaveLength(0);
    expect(app.forwarder.stats().queued).toBe(0);
  });
});
