/**
 * The same traces answers from the embedded span store and from Tempo and Jaeger, through the
 * TracesBackend interface and the formatters. Tempo and Jaeger cannot be installed here, so they
 * are fixture HTTP servers answering as their API documentation specifies (Tempo HTTP API, Tempo
 * 2.x; Jaeger query service HTTP JSON API, Jaeger 1.x: see test/helpers/traceFixtures.ts), from
 * the same spans the embedded store holds. Tested by contract, not live (docs/team-stack.md says so).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs helper shared with the bench
import { makeSpans, tracesJson } from '../../bench/otlpPayloads.mjs';
import { formatSpan } from '../../src/format/spanFormat.js';
import { formatTraceOutline } from '../../src/format/traceOutlineFormat.js';
import { formatTraceSearch, shortId } from '../../src/format/traceSearchFormat.js';
import type { TraceSearchOptions, TracesBackend } from '../../src/telemetry/backends.js';
import { decodeTracesJson } from '../../src/telemetry/otlp/jsonDecode.js';
import { Slicer } from '../../src/telemetry/otlp/slices.js';
import { JaegerClient, pushdownOf } from '../../src/telemetry/remote/jaeger.js';
import { TempoClient } from '../../src/telemetry/remote/tempo.js';
import { EmbeddedTraces } from '../../src/telemetry/traces/backend.js';
import { SpanStore } from '../../src/telemetry/traces/spanStore.js';
import { parseTraceQL } from '../../src/telemetry/traces/traceql/parse.js';
import { LegibleError } from '../../src/util/errors.js';
import { FixtureBackend } from '../helpers/fixtureBackend.js';
import { jaegerFixture, tempoFixture } from '../helpers/traceFixtures.js';

const NOW = Date.now();
const truth = new SpanStore();
const embedded = new EmbeddedTraces(truth);
const WINDOW = { startMs: NOW - 3_600_000, endMs: NOW };
const OPTIONS: TraceSearchOptions = { ...WINDOW, limit: 50 };

/** SDK-made spans, their times cut to whole microseconds (what Jaeger keeps), into the truth store. */
beforeAll(async () => {
  const spans = makeSpans({ traces: 24, spansPerTrace: 6, services: 3, startMs: NOW - 600_000 });
  const json = JSON.parse(Buffer.from(tracesJson(spans)).toString()) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  const micro = (nanos: unknown) => `${String(nanos).slice(0, -3)}000`;
  for (const rs of json.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        span.startTimeUnixNano = micro(span.startTimeUnixNano);
        span.endTimeUnixNano = micro(span.endTimeUnixNano);
        for (const event of (span.events as Record<string, unknown>[] | undefined) ?? []) event.timeUnixNano = micro(event.timeUnixNano);
      }
    }
  }
  await decodeTracesJson(json, new Slicer(), (request) => truth.ingest(request));
});

/**
 * The search answer as an agent reads it. The embedded store also says how many traces it searched
 * (a remote backend does not, or counts something else): left out of the comparison.
 */
async function rendered(backend: TracesBackend, query: string, options = OPTIONS): Promise<string> {
  const answer = await backend.search(query, options);
  const catalog = answer.traces.length ? undefined : await backend.catalog(WINDOW);
  return formatTraceSearch(answer, { query, limit: options.limit, ...(catalog ? { catalog } : {}) }).replace(/ \(\d+ traces? searched\)/, '');
}

async function opened(backend: TracesBackend, id: string): Promise<string> {
  const trace = await backend.trace(id, WINDOW);
  const spanId = trace.resourceSpans![0]!.scopeSpans[0]!.spans.at(-1)!.spanId;
  return `${formatTraceOutline(trace)}\n\n${formatSpan(trace, spanId.slice(0, 8))}`;
}

describe('Tempo (fixture answering as the Tempo HTTP API documents, Tempo 2.x)', () => {
  const tempo = new FixtureBackend(tempoFixture(truth));
  let client: TempoClient;
  beforeAll(async () => {
    await tempo.start();
    client = new TempoClient({ baseUrl: tempo.url });
  });
  afterAll(() => tempo.stop());

  const QUERIES = ['{ }', '{ status = error }', '{ duration > 100ms && kind = server }', '{ resource.service.name = "svc-1" } >> { span.db.system = "postgresql" }', '{ span.http.route = "/nowhere" }'];

  it('renders the same search answers as the embedded store, and sends the TraceQL unchanged with a time range and a limit', async () => {
    for (const query of QUERIES) expect(await rendered(client, query), query).toBe(await rendered(embedded, query));
    const asked = tempo.to('/api/search').at(-1)!;
    expect(asked.params.get('q')).toBe(QUERIES.at(-1));
    expect(asked.params.get('start')).toBe(String(Math.floor(WINDOW.startMs / 1000)));
    expect(asked.params.get('end')).toBe(String(Math.ceil(WINDOW.endMs / 1000)));
    expect(asked.params.get('limit')).toBe('50');
    expect(asked.params.get('spss')).toBe('3');
  });

  it('says that more may match when Tempo answers as many traces as the limit (it does not count them all)', async () => {
    const text = await rendered(client, '{ }', { ...OPTIONS, limit: 20 });
    expect(text.split('\n')[0]).toBe('At least 20 traces match { } (newest first):');
    expect(text).toContain('More may match past the limit.');
    expect((await rendered(embedded, '{ }', { ...OPTIONS, limit: 20 })).split('\n')[0]).toBe('24 traces match { }; the newest 20 (newest first):');
  });

  it('an empty answer lists what Tempo holds, from its own tag listings', async () => {
    const text = await rendered(client, '{ span.http.route = "/nowhere" }');
    expect(text).toContain('Services (3): svc-0, svc-1, svc-2');
    expect(text).toContain('span.http.route');
    expect(tempo.to('/api/v2/search/tags').length).toBeGreaterThan(0);
  });

  it('opens a trace by the short id its search showed (v2 API, base64 ids, enums by name), rendered as the embedded store renders it', async () => {
    const answer = await client.search('{ status = error }', OPTIONS);
    const id = answer.traces[0]!.traceID;
    expect(await opened(client, shortId(id))).toBe(await opened(embedded, id));
    expect(tempo.to(`/api/v2/traces/${id}`)).toHaveLength(1);
  });

  it('falls back to v1 (/api/traces/<id>, "batches") on a Tempo without the v2 API', async () => {
    const old = await new FixtureBackend(tempoFixture(truth, { v1Only: true })).start();
    try {
      const oldClient = new TempoClient({ baseUrl: old.url });
      const id = [...truth.traces.keys()][3]!;
      expect(await opened(oldClient, id)).toBe(await opened(embedded, id));
      expect(old.to(`/api/traces/${id}`)).toHaveLength(1);
    } finally {
      await old.stop();
    }
  });

  it('a refused query quotes Tempo and offers Legible\'s correction; an unknown trace or a bare prefix says what to do', async () => {
    const error = await client.search('{ name == "x" }', OPTIONS).catch((caught: unknown) => caught as LegibleError);
    expect(error).toBeInstanceOf(LegibleError);
    expect(error.message).toMatch(/^The Tempo at http:\/\/127\.0\.0\.1:\d+ refused the query: invalid TraceQL query/);
    expect(error.hint).toBe('Did you mean: { name = "x" }');
    await expect(client.trace('0123456789abcdef0123456789abcdef')).rejects.toThrow(/^No trace 0123456789abcdef0123456789abcdef in the Tempo at/);
    await expect(client.trace('feedbeef')).rejects.toThrow(/no search of the Tempo at .* in this session answered a trace starting with it/);
  });
});

describe('Jaeger (fixture answering as the Jaeger 1.x query service HTTP JSON API documents)', () => {
  const jaeger = new FixtureBackend(jaegerFixture(truth));
  let client: JaegerClient;
  beforeAll(async () => {
    await jaeger.start();
    client = new JaegerClient({ baseUrl: jaeger.url });
  });
  afterAll(() => jaeger.stop());

  const QUERIES = [
    '{ resource.service.name = "svc-0" }',
    '{ resource.service.name = "svc-0" && status = error }',
    '{ resource.service.name = "svc-1" && status = error }',
    '{ resource.service.name = "svc-2" && span.db.system = "postgresql" && duration >= 1ms }',
    '{ .service.name = "svc-0" && name = "SELECT app.orders" }',
    '{ resource.service.name = "svc-2" && kind = server } >> { status = error }',
    '{ resource.service.name = "svc-0" && span.http.response.status_code = 500 }',
    '{ resource.service.name = "svc-2" && span.http.route = "/nowhere" }',
  ];

  it('renders the same search answers as the embedded store (the whole TraceQL evaluated over what Jaeger returned)', async () => {
    for (const query of QUERIES) {
      // Jaeger has no listing of attribute names: its empty answers list the services only.
      const mine = (await rendered(embedded, query)).replace(/\nAttributes \(\d+\): [^\n]*/, '');
      expect(await rendered(client, query), query).toBe(mine);
    }
  });

  it('pushes down what Jaeger can filter: service, operation, tags, status, kind, duration, time in µs, a limit', async () => {
    await client.search('{ resource.service.name = "svc-1" && status = error && kind = server && duration >= 20ms && span.http.route = "/api/cart" }', OPTIONS);
    const asked = jaeger.to('/api/traces').at(-1)!;
    expect(asked.params.get('service')).toBe('svc-1');
    expect(JSON.parse(asked.params.get('tags')!)).toEqual({ error: 'true', 'span.kind': 'server', 'http.route': '/api/cart' });
    expect(asked.params.get('minDuration')).toBe('20000us');
    expect(asked.params.get('start')).toBe(String(WINDOW.startMs * 1000));
    expect(asked.params.get('end')).toBe(String(WINDOW.endMs * 1000));
    expect(asked.params.get('limit')).toBe('50');
    expect(pushdownOf(parseTraceQL('{ resource.service.name = "a" && name = "GET /" }'))).toEqual({ service: 'a', operation: 'GET /', tags: {}, residual: false });
    // A strict bound, a number (Jaeger compares text) or a second filter stay to be checked here, so more is fetched.
    expect(pushdownOf(parseTraceQL('{ resource.service.name = "a" && duration > 1s }'))).toMatchObject({ minDurationMs: 1000, residual: true });
    expect(pushdownOf(parseTraceQL('{ resource.service.name = "a" && span.code = 500 }'))).toMatchObject({ tags: { code: '500' }, residual: true });
    expect(pushdownOf(parseTraceQL('{ status = error } || { resource.service.name = "a" }'))).toEqual({ tags: {}, residual: true });
  });

  it('a query without a service says so and lists the services Jaeger has', async () => {
    const error = await client.search('{ status = error }', OPTIONS).catch((caught: unknown) => caught as LegibleError);
    expect(error).toBeInstanceOf(LegibleError);
    expect(error.message).toContain('Jaeger searches one service at a time');
    expect(error.hint).toContain('Services: svc-0, svc-1, svc-2.');
  });

  it('opens a trace by the short id its search showed, mapped back to OTLP, rendered as the embedded store renders it', async () => {
    const answer = await client.search('{ resource.service.name = "svc-2" && status = error }', OPTIONS);
    const id = answer.traces[0]!.traceID;
    expect(await opened(client, shortId(id))).toBe(await opened(embedded, id));
    await expect(client.trace('0123456789abcdef0123456789abcdef')).rejects.toThrow(/^No trace 0123456789abcdef0123456789abcdef in the Jaeger query API at/);
  });

  it('an empty answer lists Jaeger\'s services', async () => {
    expect(await rendered(client, '{ resource.service.name = "svc-2" && span.http.route = "/nowhere" }')).toContain('Services (3): svc-0, svc-1, svc-2');
  });
});
