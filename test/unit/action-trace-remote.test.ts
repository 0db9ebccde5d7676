/**
 * An action's Server section with a team's backends (--traces-url, --logs-url): the spans and
 * trace lines come from Legible's own stores AND from the team's Tempo / Jaeger / Loki, asked by
 * trace id, each span and record counted once; a complete local trace never waits on the team's
 * backend; a backend that is down, slow or failing adds one line and never holds the report past
 * its wait. The backends are fixture HTTP servers answering as Tempo 2.x, Jaeger 1.x and Loki 3.x
 * document (test/helpers/traceFixtures.ts, lokiFixture.ts), spoken to by the real clients.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatServerSection } from '../../src/format/serverFormat.js';
import { mergeTraces } from '../../src/telemetry/activitySources.js';
import { watchActivity, type ActivityTelemetry } from '../../src/telemetry/activity.js';
import type { LogsBackend, TracesBackend } from '../../src/telemetry/backends.js';
import { EmbeddedLogs } from '../../src/telemetry/logs/backend.js';
import { loadLogql } from '../../src/telemetry/logs/logql/parse.js';
import { LogStore } from '../../src/telemetry/logs/store.js';
import type { ExportTraceRequest, Span } from '../../src/telemetry/otlp/model.js';
import { JaegerClient } from '../../src/telemetry/remote/jaeger.js';
import { LokiClient } from '../../src/telemetry/remote/loki.js';
import { TempoClient } from '../../src/telemetry/remote/tempo.js';
import { EmbeddedTraces } from '../../src/telemetry/traces/backend.js';
import { SpanStore } from '../../src/telemetry/traces/spanStore.js';
import { FixtureBackend } from '../helpers/fixtureBackend.js';
import { lokiAnswers } from '../helpers/lokiFixture.js';
import { jaegerFixture, tempoFixture } from '../helpers/traceFixtures.js';

beforeAll(loadLogql);

const API = 'http://localhost:4100';
const ns = (ms: number) => `${BigInt(Math.round(ms * 1e6))}`;
const sections = (activity: Parameters<typeof formatServerSection>[0]) => formatServerSection(activity, { logs: 'logs', traces: 'traces' });

function request(service: string, spans: Span[]): ExportTraceRequest {
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }] };
}

/** The api's server span under `traceparent` (an error, HTTP 500) and a child. */
function apiSpans(traceparent: string, t0: number): Span[] {
  const [, traceId, parent] = traceparent.split('-') as [string, string, string];
  return [
    {
      traceId,
      spanId: 'aaaaaaaaaaaaaaaa',
      parentSpanId: parent,
      name: 'POST /checkout',
      kind: 2,
      startTimeUnixNano: ns(t0),
      endTimeUnixNano: ns(t0 + 30),
      status: { code: 2 },
      attributes: [{ key: 'http.response.status_code', value: { intValue: '500' } }],
    },
    { traceId, spanId: 'bbbbbbbbbbbbbbbb', parentSpanId: 'aaaaaaaaaaaaaaaa', name: 'load-cart', startTimeUnixNano: ns(t0 + 2), endTimeUnixNano: ns(t0 + 6) },
  ];
}

/** A service further down the trace that Legible did not start: only the team's backend has it. */
function paymentsSpan(traceparent: string, t0: number): Span {
  const traceId = traceparent.split('-')[1]!;
  return { traceId, spanId: 'dddddddddddddddd', parentSpanId: 'bbbbbbbbbbbbbbbb', name: 'charge', kind: 2, startTimeUnixNano: ns(t0 + 3), endTimeUnixNano: ns(t0 + 5) };
}

const started: FixtureBackend[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((backend) => backend.stop()));
});

async function fixture(handle: ConstructorParameters<typeof FixtureBackend>[0]): Promise<FixtureBackend> {
  const backend = await new FixtureBackend(handle).start();
  started.push(backend);
  return backend;
}

/**
 * Legible's side (a span store, a log store, `heard`: the apps it heard from) and the team's
 * (a span store and a log store behind the given clients).
 */
function setup(remote: { traces?: TracesBackend; logs?: LogsBackend }, heard = new Set<string>()) {
  const logs = new LogStore();
  const spans = new SpanStore();
  const telemetry: ActivityTelemetry = {
    traces: () => new EmbeddedTraces(spans),
    logs: new EmbeddedLogs(logs),
    remote: () => remote,
    heardFrom: (app) => heard.has(app),
  };
  const watcher = watchActivity(logs, { active: () => false, flush: () => undefined, idle: async () => undefined, origins: () => new Map([[API, 'api']]) }, telemetry);
  return { logs, spans, watcher };
}

describe('the Server section with a team traces backend', () => {
  it('shows the spans of an app that exports only to the team (Tempo), and of the services further down', async () => {
    const team = new SpanStore();
    const tempo = await fixture(tempoFixture(team));
    const { watcher } = setup({ traces: new TempoClient({ baseUrl: tempo.url }) });
    const action = watcher.begin();
    const traceparent = action.traceparent(API)!;
    const t0 = Date.now();
    // The team's collector batches: the spans are searchable a little after the answer.
    setTimeout(() => team.ingest({ resourceSpans: [...request('api', apiSpans(traceparent, t0)).resourceSpans, ...request('payments', [paymentsSpan(traceparent, t0)]).resourceSpans] }), 300);
    const activity = await action.finish();
    expect(activity?.trace?.spans).toBe(3);
    expect(activity?.trace?.services).toEqual(['api', 'payments']);
    expect(activity?.trace?.missing).toBe(0);
    expect(activity?.unanswered).toBeUndefined();
    expect(sections(activity)).toMatch(new RegExp(`^Server: trace ${action.traceId} · 3 spans in api, payments, 1 error\\.`));
    // Asked by trace id, with a time range around the action.
    const asked = tempo.to(`/api/v2/traces/${action.traceId}`);
    expect(asked.length).toBeGreaterThan(0);
    expect(Number(asked[0]!.params.get('start'))).toBeLessThanOrEqual(Math.floor(t0 / 1000));
  });

  it('counts a span the embedded store and the team both hold (forwarded) once, and never waits on the team for a complete trace', async () => {
    const team = new SpanStore();
    const slow = tempoFixture(team);
    const tempo = await fixture(async (asked) => ({ ...slow(asked), delayMs: 4_000 }));
    const { watcher, spans } = setup({ traces: new TempoClient({ baseUrl: tempo.url }) }, new Set(['api']));
    const action = watcher.begin();
    const traceparent = action.traceparent(API)!;
    const t0 = Date.now();
    team.ingest(request('api', apiSpans(traceparent, t0)));
    setTimeout(() => spans.ingest(request('api', apiSpans(traceparent, t0))), 30);
    const before = Date.now();
    const activity = await action.finish();
    // Bounded by the local wait, not by the team's 4 s answer (a liveness bound, not a speed goal).
    expect(Date.now() - before).toBeLessThan(3_000);
    expect(activity?.trace?.spans).toBe(2);
    expect(activity?.unanswered).toBeUndefined();
  });

  it('merges two answers for one trace by span id', () => {
    const t0 = Date.now();
    const traceparent = `00-${'e'.repeat(32)}-${'f'.repeat(16)}-01`;
    const local = { resourceSpans: request('api', apiSpans(traceparent, t0)).resourceSpans };
    const remote = { resourceSpans: [...request('api', apiSpans(traceparent, t0)).resourceSpans, ...request('payments', [paymentsSpan(traceparent, t0)]).resourceSpans] };
    const merged = mergeTraces(local, remote);
    expect(merged.flatMap((batch) => batch.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.spanId)))).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb', 'dddddddddddddddd']);
    expect(mergeTraces(undefined, remote)).toHaveLength(2);
    expect(mergeTraces(local, undefined)).toBe(local.resourceSpans);
  });

  it('works with Jaeger’s query API the same way', async () => {
    const team = new SpanStore();
    const jaeger = await fixture(jaegerFixture(team));
    const { watcher } = setup({ traces: new JaegerClient({ baseUrl: jaeger.url }) });
    const action = watcher.begin();
    const traceparent = action.traceparent(API)!;
    team.ingest(request('api', apiSpans(traceparent, Date.now())));
    const activity = await action.finish();
    expect(activity?.trace?.spans).toBe(2);
    expect(jaeger.to(`/api/traces/${action.traceId}`).length).toBeGreaterThan(0);
  });

  it('says in one line that a backend refusing the connection did not answer, and shows what Legible received', async () => {
    const down = await fixture(() => ({}));
    const url = down.url;
    await down.stop();
    const { watcher, spans } = setup({ traces: new TempoClient({ baseUrl: url }) }, new Set(['api']));
    const action = watcher.begin();
    const traceparent = action.traceparent(API)!;
    setTimeout(() => spans.ingest(request('api', apiSpans(traceparent, Date.now()))), 40);
    const activity = await action.finish();
    expect(activity?.trace?.spans).toBe(2);
    const text = sections(activity);
    expect(text.split('\n').filter((line) => line.includes('⚠'))).toEqual([`  ⚠ Could not reach the Tempo at ${url}: connection refused (nothing listens there). (shown: what Legible received itself)`]);
  });

  it('bounds the wait on a backend that hangs, and says so', async () => {
    const tempo = await fixture(() => ({ delayMs: 30_000, body: {} }));
    const { watcher } = setup({ traces: new TempoClient({ baseUrl: tempo.url, timeoutMs: 60_000 }) });
    const action = watcher.begin();
    action.traceparent(API);
    const before = Date.now();
    const activity = await action.finish();
    expect(Date.now() - before).toBeLessThan(6_000);
    expect(activity?.trace).toBeUndefined();
    expect(sections(activity)).toMatch(new RegExp(`^Server: The Tempo at ${tempo.url.replace(/[.]/g, '\\.')} did not answer within 2\\.\\d+s\\. \\(Legible itself received nothing of trace ${action.traceId} either\\)$`));
  });

  it('says an HTTP error of the backend in its own words', async () => {
    const tempo = await fixture(() => ({ status: 500, body: 'ingester unavailable' }));
    const { watcher } = setup({ traces: new TempoClient({ baseUrl: tempo.url }) });
    const action = watcher.begin();
    action.traceparent(API);
    const before = Date.now();
    const activity = await action.finish();
    // Once it failed, the wait is the one without a team's backend (400 ms for an app never heard from).
    expect(Date.now() - before).toBeLessThan(2_000);
    expect(activity?.unanswered).toEqual([expect.stringMatching(/^The Tempo at \S+ answered 500 Internal Server Error to the trace: "ingester unavailable"\.$/)]);
    // Failed once: not asked again within the action.
    expect(tempo.asked).toHaveLength(1);
  });
});

describe('the Server section with a team logs backend', () => {
  it('adds the trace’s lines from Loki (services Legible did not start), each record once', async () => {
    const team = new SpanStore();
    const teamLogs = new LogStore();
    const tempo = await fixture(tempoFixture(team));
    const loki = await fixture(lokiAnswers(teamLogs));
    const { watcher, logs } = setup({ traces: new TempoClient({ baseUrl: tempo.url }), logs: new LokiClient({ baseUrl: loki.url }) }, new Set(['api']));
    const action = watcher.begin();
    const traceparent = action.traceparent(API)!;
    const t0 = Date.now();
    team.ingest({ resourceSpans: [...request('api', apiSpans(traceparent, t0)).resourceSpans, ...request('payments', [paymentsSpan(traceparent, t0)]).resourceSpans] });
    // The api's OTLP record: in Legible's store (body + attributes in logfmt) and, forwarded, in Loki (body; attributes as metadata).
    const at = t0 + 4.123456;
    logs.append({ timeMs: at, labels: { service_name: 'api', app: 'api', stream: 'otlp' }, line: 'checkout failed route=/checkout', level: 'error', traceId: action.traceId });
    teamLogs.append({ timeMs: at, labels: { service_name: 'api' }, line: 'checkout failed', level: 'error', traceId: action.traceId });
    // The payments service logs to the team's Loki only.
    teamLogs.append({ timeMs: t0 + 4.5, labels: { service_name: 'payments' }, line: 'card declined', level: 'warn', traceId: action.traceId });
    teamLogs.append({ timeMs: t0 + 4.6, labels: { service_name: 'payments' }, line: 'another trace', level: 'warn', traceId: 'f'.repeat(32) });
    const activity = await action.finish();
    expect(activity?.trace?.logs.map((line) => line.line)).toEqual(['checkout failed route=/checkout', 'card declined']);
    expect(activity?.trace?.logsMore).toBe(0);
    expect(sections(activity)).toContain('  logs of this trace:\n    api error: checkout failed route=/checkout\n    payments warn: card declined');
    const query = loki.to('/loki/api/v1/query_range')[0]!.params.get('query');
    expect(query).toBe(`{service_name=~"api|payments"} | trace_id="${action.traceId}"`);
  });

  it('says when Loki fails, and keeps the lines Legible holds', async () => {
    const team = new SpanStore();
    const tempo = await fixture(tempoFixture(team));
    const loki = await fixture(() => ({ status: 502, body: 'bad gateway' }));
    const { watcher, logs } = setup({ traces: new TempoClient({ baseUrl: tempo.url }), logs: new LokiClient({ baseUrl: loki.url }) }, new Set(['api']));
    const action = watcher.begin();
    const traceparent = action.traceparent(API)!;
    team.ingest(request('api', apiSpans(traceparent, Date.now())));
    logs.append({ timeMs: Date.now(), labels: { app: 'api', stream: 'stdout' }, line: 'own line', level: 'info', traceId: action.traceId });
    const activity = await action.finish();
    expect(activity?.trace?.logs.map((line) => line.line)).toEqual(['own line']);
    expect(sections(activity)).toMatch(/\n {2}⚠ The Loki at \S+ answered 502 Bad Gateway to the query: "bad gateway"\. \(shown: what Legible received itself\)$/);
  });
});
