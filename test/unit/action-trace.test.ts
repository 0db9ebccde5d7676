/**
 * An action joined to its server work, without a browser: watchActivity hands out traceparents
 * for the apps' origins only, waits for the spans of the requests that carried them, and answers
 * the trace's summary (spans, self time, errors with their exceptions) and the log lines carrying
 * its id; an app that never sends spans stops being waited for. The Server section renders it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatServerSection } from '../../src/format/serverFormat.js';
import { watchActivity, type ActivityTelemetry } from '../../src/telemetry/activity.js';
import type { TracesBackend } from '../../src/telemetry/backends.js';
import { EmbeddedLogs } from '../../src/telemetry/logs/backend.js';
import { loadLogql } from '../../src/telemetry/logs/logql/parse.js';
import { LogStore } from '../../src/telemetry/logs/store.js';
import type { ExportTraceRequest, Span } from '../../src/telemetry/otlp/model.js';
import { summarizeActionTrace } from '../../src/telemetry/traces/actionTrace.js';
import { buildTraceTree } from '../../src/telemetry/traces/analysis.js';
import { EmbeddedTraces } from '../../src/telemetry/traces/backend.js';
import { SpanStore } from '../../src/telemetry/traces/spanStore.js';

beforeAll(loadLogql);

const API = 'http://localhost:4100';
const WEB = 'http://localhost:4200';
const ns = (ms: number) => `${BigInt(Math.round(ms * 1e6))}`;

function request(service: string, spans: Span[]): ExportTraceRequest {
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }] };
}

/** The spans an instrumented API makes for POST /checkout under `traceparent`: the handler fails in load-cart. */
function checkoutSpans(traceparent: string, t0: number): Span[] {
  const [, traceId, parent] = traceparent.split('-') as [string, string, string];
  return [
    {
      traceId,
      spanId: 'aaaaaaaaaaaaaaaa',
      parentSpanId: parent,
      name: 'POST',
      kind: 2,
      startTimeUnixNano: ns(t0),
      endTimeUnixNano: ns(t0 + 30),
      status: { code: 2 },
      attributes: [
        { key: 'url.path', value: { stringValue: '/checkout' } },
        { key: 'http.response.status_code', value: { intValue: '500' } },
      ],
    },
    {
      traceId,
      spanId: 'bbbbbbbbbbbbbbbb',
      parentSpanId: 'aaaaaaaaaaaaaaaa',
      name: 'load-cart',
      startTimeUnixNano: ns(t0 + 2),
      endTimeUnixNano: ns(t0 + 6),
      status: { code: 2, message: "Cannot read properties of undefined (reading 'items')" },
      events: [
        {
          timeUnixNano: ns(t0 + 5),
          name: 'exception',
          attributes: [
            { key: 'exception.type', value: { stringValue: 'TypeError' } },
            { key: 'exception.message', value: { stringValue: "Cannot read properties of undefined (reading 'items')" } },
          ],
        },
      ],
    },
    { traceId, spanId: 'cccccccccccccccc', parentSpanId: 'aaaaaaaaaaaaaaaa', name: 'db query', startTimeUnixNano: ns(t0 + 8), endTimeUnixNano: ns(t0 + 28) },
  ];
}

function setup(heard: Set<string> = new Set(['api'])) {
  const logs = new LogStore();
  const spans = new SpanStore();
  let traceCalls = 0;
  const embedded = new EmbeddedTraces(spans);
  const traces: TracesBackend = {
    name: embedded.name,
    remote: false,
    search: (query, options) => embedded.search(query, options),
    trace: (id) => {
      traceCalls++;
      return embedded.trace(id);
    },
    catalog: (window) => embedded.catalog(window),
  };
  const telemetry: ActivityTelemetry = { traces: () => traces, logs: new EmbeddedLogs(logs), heardFrom: (app) => heard.has(app), record: (request) => spans.ingest(request) };
  const origins = new Map([
    [API, 'api'],
    [WEB, 'web'],
  ]);
  const watcher = watchActivity(logs, { active: () => false, flush: () => undefined, idle: async () => undefined, origins: () => origins }, telemetry);
  return { logs, spans, watcher, calls: () => traceCalls };
}

describe('an action joined to its trace', () => {
  it('hands out a traceparent per request to an app origin, one trace id per action, none elsewhere', () => {
    const { watcher } = setup();
    const action = watcher.begin();
    const first = action.traceparent(API)!;
    const second = action.traceparent(WEB)!;
    expect(first).toMatch(new RegExp(`^00-${action.traceId}-[0-9a-f]{16}-01$`));
    expect(second.split('-')[1]).toBe(action.traceId);
    expect(second.split('-')[2]).not.toBe(first.split('-')[2]);
    expect(action.traceparent('https://cdn.example.com')).toBeUndefined();
    expect(watcher.begin().traceId).not.toBe(action.traceId);
  });

  it('waits for the spans that arrive after the page settled, then sums up the trace and its log lines', async () => {
    const { logs, spans, watcher } = setup();
    const action = watcher.begin();
    const traceparent = action.traceparent(API)!;
    const t0 = Date.now();
    // Printed while the action ran: one line of this trace, one of another app without a trace.
    logs.append({ timeMs: t0 + 5, labels: { app: 'api', stream: 'otlp', service_name: 'api' }, line: 'checkout failed', level: 'error', traceId: action.traceId, spanId: 'aaaaaaaaaaaaaaaa' });
    logs.append({ timeMs: t0 + 6, labels: { app: 'web', stream: 'stderr' }, line: 'upstream reset (ECONNRESET)' });
    // The app's exporter sends a little after the response (its batch delay).
    setTimeout(() => spans.ingest(request('api', checkoutSpans(traceparent, t0))), 80);
    const activity = await action.finish();
    expect(activity?.traceId).toBe(action.traceId);
    const trace = activity?.trace;
    expect(trace?.spans).toBe(3);
    expect(trace?.missing).toBe(0);
    expect(trace?.errors.map((error) => [error.name, error.exceptionType, error.httpStatus])).toEqual([
      ['POST /checkout', undefined, 500],
      ['load-cart', 'TypeError', undefined],
    ]);
    expect(trace?.slowest.map((span) => span.name)).toEqual(['db query', 'POST /checkout', 'load-cart']);
    expect(trace?.logs.map((line) => line.line)).toEqual(['checkout failed']);
    expect(activity?.logs.map((line) => line.line)).toEqual(['upstream reset (ECONNRESET)']);

    expect(formatServerSection(activity, { logs: 'logs', traces: 'traces' })).toBe(
      [
        `Server: trace ${action.traceId} · 3 spans in api, 2 errors. Whole trace: traces {"trace":"${action.traceId.slice(0, 12)}"}`,
        '  ✗ POST /checkout [aaaaaaaa] (api): error, HTTP 500',
        `  ✗ load-cart [bbbbbbbb] (api): error "Cannot read properties of undefined (reading 'items')" · TypeError`,
        '  most self time: db query 20ms [cccccccc], POST /checkout 6ms of 30ms [aaaaaaaa], load-cart 4ms [bbbbbbbb]',
        '  logs of this trace:',
        '    api error: checkout failed',
        '  Printed meanwhile, without this trace: 1 warning or error',
        '    web stderr: upstream reset (ECONNRESET)',
      ].join('\n'),
    );
  });

  it('files the browser\'s side under the trace: the action as its root, each request as a client span', async () => {
    const { spans, watcher } = setup();
    const action = watcher.begin('Clicking button "Checkout" [e2]');
    const traceparent = action.traceparent(API, { url: `${API}/checkout?sku=1&token=s3cr3t`, method: 'POST' })!;
    const t0 = Date.now();
    setTimeout(() => spans.ingest(request('api', checkoutSpans(traceparent, t0 + 5))), 30);
    await action.finish();
    const tree = buildTraceTree(await new EmbeddedTraces(spans).trace(action.traceId));
    expect(tree.roots.map((root) => [root.span.name, root.service])).toEqual([['Clicking button "Checkout" [e2]', 'browser']]);
    const client = tree.roots[0]!.children[0]!;
    expect([client.span.name, client.span.kind, client.span.spanId]).toEqual(['POST /checkout', 3, traceparent.split('-')[2]]);
    expect(client.children.map((child) => child.span.name)).toEqual(['POST']);
    // The action ends with its request's answer; the URL is kept without its secrets.
    expect(tree.roots[0]!.endMs).toBeCloseTo(client.endMs, 3);
    expect(client.endMs).toBeCloseTo(client.children[0]!.endMs, 3);
    expect(JSON.stringify(client.span.attributes)).not.toContain('s3cr3t');
  });

  it('falls back to the printed lines for an app that sends no spans, and stops waiting for it', async () => {
    const { logs, watcher, calls } = setup(new Set());
    for (let round = 0; round < 2; round++) {
      const action = watcher.begin();
      action.traceparent(WEB);
      logs.append({ timeMs: Date.now(), labels: { app: 'web', stream: 'stderr' }, line: `warning ${round}` });
      const activity = await action.finish();
      expect(activity?.trace).toBeUndefined();
      expect(activity?.logs.map((line) => line.line)).toEqual([`warning ${round}`]);
      expect(activity?.traceId).toBe(action.traceId);
    }
    const before = calls();
    const third = watcher.begin();
    third.traceparent(WEB);
    expect(await third.finish()).toEqual({ logs: [], more: 0, traceId: third.traceId });
    // Asked once (nothing there), not polled until a deadline.
    expect(calls() - before).toBe(1);
  });

  it('answers nothing for an action that sent no request to an app and printed nothing', async () => {
    const { watcher, calls } = setup();
    expect(await watcher.begin().finish()).toBeUndefined();
    expect(calls()).toBe(0);
  });
});

describe('summarizeActionTrace', () => {
  it('names a bare HTTP method span by its route and keeps every error', () => {
    const t0 = 1_764_496_800_000;
    const summary = summarizeActionTrace({ resourceSpans: request('api', checkoutSpans(`00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`, t0)).resourceSpans });
    expect(summary.traceId).toBe('1'.repeat(32));
    expect(summary.services).toEqual(['api']);
    expect(summary.errors[1]).toMatchObject({ name: 'load-cart', statusMessage: "Cannot read properties of undefined (reading 'items')", exceptionMessage: "Cannot read properties of undefined (reading 'items')" });
  });
});
