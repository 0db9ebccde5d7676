/**
 * Traces, metrics and logs of apps instrumented with the real OpenTelemetry Node SDK, end to end
 * through the MCP client: Legible starts two copies of the fixture app (`web` serves the page,
 * `api` answers it from another origin) with its OTEL_* variables, receives their OTLP, scrapes
 * their /metrics, and joins every browser action to the server work it caused:
 * - a click whose request throws: its report names the failing span and the exception;
 * - a slow handler: traces finds it with { duration > 1s }; outline and critical path point at
 *   the slow child span;
 * - the traceparent reaches the apps' origins, never a third-party origin (a server of this test
 *   records what it got), and causes no CORS preflight;
 * - metrics answers for scraped and OTLP metrics, spot-checked against a real Prometheus
 *   scraping the same endpoint;
 * - malformed, huge and wrongly typed OTLP payloads get clear HTTP errors and the server keeps
 *   answering;
 * and afterwards no process the server started is left.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMetricsAnswer } from '../../src/format/metricsFormat.js';
import type { PromQueryData } from '../../src/telemetry/metrics/query.js';
import { appsWorkspace, otelApp, processesOf, removeWorkspaces, waitForNoProcessesOf } from '../helpers/apps.js';
import { groupOf, refOf, tempDir, waitFor } from '../helpers/e2e.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';
import { freePort, prometheusOrSkip, RunningPrometheus } from '../helpers/prometheus.js';
import { makeSpans, tracesProtobuf } from '../../bench/otlpPayloads.mjs';

const until = <T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000) => waitFor(what, probe, ms, 200);

const binaries = prometheusOrSkip('metrics vs Prometheus (telemetry e2e)');

/** A server of another origin the page also calls: it records the headers of every request. */
interface ThirdParty {
  url: string;
  seen: { method: string; headers: IncomingHttpHeaders }[];
  server: Server;
}

async function thirdParty(): Promise<ThirdParty> {
  const seen: ThirdParty['seen'] = [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', headers: request.headers });
    response.writeHead(request.method === 'OPTIONS' ? 204 : 200, { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('telemetry of instrumented apps, through the MCP client', () => {
  let legible: LegibleClient;
  let third: ThirdParty;
  let webUrl = '';
  let apiUrl = '';
  let endpoint = '';

  const call = async (tool: string, args: Record<string, unknown> = {}) => {
    const result = await legible.call(tool, args);
    expect(result.isError, result.text).toBe(false);
    return result.text;
  };
  const seenBy = async (url: string) => (await (await fetch(`${url}/seen`)).json()) as { method: string; path: string; traceparent: string | null; cookie: string | null }[];

  beforeAll(async () => {
    third = await thirdParty();
    const root = await appsWorkspace({
      api: { ...otelApp({ THIRD_URL: third.url }), metrics: { path: '/metrics', interval: '1s' } },
      web: otelApp({ API_URL: '{apps.api.url}', THIRD_URL: third.url }),
    });
    legible = await startLegible(['--root', root]);
    const started = await call('app', { action: 'start' });
    webUrl = groupOf(started, /^Started web at (\S+):/m);
    apiUrl = groupOf(started, /^Started api at (\S+):/m);
  }, 90_000);

  afterAll(async () => {
    await legible?.close();
    await new Promise((resolve) => third?.server.close(resolve));
    await removeWorkspaces();
  });

  it('points the apps it starts at its receiver, and says where that is', async () => {
    const status = await call('app', { action: 'status' });
    endpoint = groupOf(status, /^Telemetry: OTLP\/HTTP at (http:\/\/127\.0\.0\.1:\d+)\./m);
    expect(status).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint} OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf`);
    // The apps' spans come in under the names Legible gave them.
    await fetch(`${apiUrl}/ok`, { method: 'POST' });
    const listed = await until('the api span', async () => {
      const text = await call('traces', { query: '{ resource.service.name = "api" && resource.legible.app = "api" }' });
      return /^1 trace match/.test(text) ? text : undefined;
    });
    expect(listed).toMatch(/POST \(api\)/);
    expect(await call('app', { action: 'status' })).toMatch(/scraping api http:\/\/localhost:\d+\/metrics every 1s: (up|not scraped yet)/);
  });

  it('names the failing span and its exception in the report of the click whose request throws', async () => {
    await call('navigate', { url: webUrl });
    const ref = refOf(await call('snapshot'), 'button', 'Checkout');
    const report = await call('click', { ref });
    expect(report).toContain('Checkout failed: 500');
    expect(report).toMatch(/Server: trace ([0-9a-f]{32}) · 2 spans in api, 2 errors\. Whole trace: traces \{"trace":"[0-9a-f]{12}"\}/);
    expect(report).toMatch(/✗ load-cart \[[0-9a-f]{8}\] \(api\): error "Cannot read properties of undefined \(reading 'items'\)" · TypeError/);
    expect(report).toMatch(/✗ POST \/checkout \[[0-9a-f]{8}\] \(api\): error, HTTP 500/);
    // The OTLP log record the handler emitted carries the trace id.
    expect(report).toMatch(/logs of this trace:\n {4}api error: checkout failed: Cannot read properties of undefined \(reading 'items'\) route=\/checkout/);

    // The trace id in the report opens the whole trace in one call.
    const traceId = groupOf(report, /Server: trace ([0-9a-f]{32})/);
    const outline = await call('traces', { trace: traceId.slice(0, 12) });
    expect(outline).toMatch(new RegExp(`^Trace ${traceId} · Clicking button "Checkout" \\[e\\d+\\] \\(browser\\) · `));
    expect(outline).toMatch(/✗ load-cart · [^\n]*error: Cannot read properties of undefined/);

    // The request reached the api with the action's trace id, and no preflight came before it.
    const seen = await seenBy(apiUrl);
    const checkout = seen.filter((request) => request.path === '/checkout');
    expect(checkout.map((request) => request.method)).toEqual(['POST']);
    expect(checkout[0]!.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(seen.filter((request) => request.method === 'OPTIONS')).toEqual([]);
  });

  it('finds the slow handler with { duration > 1s }; outline and critical path point at the slow child', async () => {
    const ref = refOf(await call('snapshot'), 'button', 'Sales report');
    const report = await call('click', { ref });
    expect(report).toContain('Report ready');
    expect(report).toMatch(/Server: trace [0-9a-f]{32} · 3 spans in api\./);
    expect(report).toMatch(/most self time: slow-query 1\.\d+s \[[0-9a-f]{8}\]/);
    // pino printed a warning with the trace context: it is found by trace like an OTLP record.
    expect(report).toMatch(/logs of this trace:\n {4}api warn: sales report was slow/);

    const found = await call('traces', { query: '{ duration > 1s }' });
    expect(found).toMatch(/^1 trace matches \{ duration > 1s \}/);
    const id = groupOf(found, /"trace":"([0-9a-f]{12})"/);
    const outline = await call('traces', { trace: id });
    expect(outline).toMatch(/Most of it: slow-query \[[0-9a-f]{8}\], 1\.\d+s \(9\d%\) on its own\./);
    // Rooted at the click (the browser's side Legible files), then the request, the server span, its children.
    expect(outline).toMatch(/\nClicking button "Sales report" \[e\d+\] · 1\.\d+s · self [^\n]+ · browser [^\n]+\n {2}GET \/slow · client · [^\n]+\n {4}GET \/slow · server · 1\.\d+s · self [^\n]+ · api [^\n]+\n {6}validate · [^\n]+\n {6}slow-query · 1\.\d+s/);
    const span = groupOf(outline, /slow-query · [^\n]*\[([0-9a-f]{8})\]/);
    expect(await call('traces', { trace: id, span })).toMatch(/^Span slow-query \[[0-9a-f]{16}\] in trace [0-9a-f]{32}\n[^\n]*\n[^\n]*\nAttributes:\n {2}db\.system = postgresql/);
  });

  it('adds the traceparent to the apps’ origins only, never to a third party, with no preflight', async () => {
    const before = third.seen.length;
    const ref = refOf(await call('snapshot'), 'button', 'Order');
    const report = await call('click', { ref });
    expect(report).toContain('Order placed');
    const traceId = groupOf(report, /Server: trace ([0-9a-f]{32})/);
    await until('the beacon', async () => third.seen.length > before);
    const beacon = third.seen.slice(before);
    expect(beacon.map((request) => request.method)).toEqual(['POST']);
    expect(Object.keys(beacon[0]!.headers)).not.toContain('traceparent');
    const ok = (await seenBy(apiUrl)).filter((request) => request.path === '/ok' && request.traceparent?.includes(traceId));
    expect(ok.map((request) => request.method)).toEqual(['POST']);
    expect((await seenBy(apiUrl)).filter((request) => request.method === 'OPTIONS')).toEqual([]);
    // navigate is an action too: the page's load carried a trace id to web, and the header added
    // on the way left the request's own headers (its cookie) as they were.
    await call('evaluate', { function: "() => { document.cookie = 'session=abc123'; }" });
    const reload = await call('navigate', { go: 'reload' });
    const loadTrace = groupOf(reload, /Server: trace ([0-9a-f]{32})/);
    const loads = (await seenBy(webUrl)).filter((request) => request.path === '/');
    expect(loads.at(-1)).toMatchObject({ method: 'GET', cookie: 'session=abc123' });
    expect(loads.at(-1)!.traceparent).toMatch(new RegExp(`^00-${loadTrace}-[0-9a-f]{16}-01$`));
  });

  it('finds the lines of a trace with logs', async () => {
    const found = await call('traces', { query: '{ name = "load-cart" }' });
    const id = groupOf(found, /"trace":"([0-9a-f]{12})"/);
    const full = groupOf(await call('traces', { trace: id }), /^Trace ([0-9a-f]{32})/m);
    const lines = await call('logs', { query: `{app="api"} | trace_id="${full}"` });
    expect(lines).toMatch(/^1 entry in the last 1h/);
    expect(lines).toContain('checkout failed');
  });

  it('answers PromQL over the OTLP and the scraped metrics', async () => {
    const otlp = await until('OTLP metrics', async () => {
      const text = await call('metrics', { query: 'sum by (http_response_status_code) (http_server_request_duration_seconds_count{job="api"})' });
      return /\n\d+\s+\{http_response_status_code="500"\}/.test(text) ? text : undefined;
    });
    expect(otlp).toMatch(/^\d series at /);
    const scraped = await until('scraped metrics', async () => {
      const text = await call('metrics', { query: 'shop_orders_total{instance!=""}' });
      return /^1 series/.test(text) ? text : undefined;
    });
    expect(scraped).toMatch(/channel="web"/);
    const range = await call('metrics', { query: 'sum(rate(shop_orders_total{instance!=""}[5s]))', start: '-30s', step: '5s' });
    expect(range).toMatch(/^1 series .* every 5s/);
    // An empty answer lists what exists, the names closest to the query's first.
    const empty = await call('metrics', { query: 'http_server_request_duration_count_total' });
    expect(empty).toMatch(/No metric "http_server_request_duration_count_total"; closest: [^\n]*http_server_request_duration_count/);
  });

  it('says where a query fails to parse, with a corrected one', async () => {
    const promql = await legible.call('metrics', { query: 'rate(shop_orders_total)' });
    expect(promql.isError).toBe(true);
    expect(promql.text).toMatch(/PromQL parse error at /);
    expect(promql.text).toContain('rate(shop_orders_total[5m])');
    const traceql = await legible.call('traces', { query: '{ name == "x" }' });
    expect(traceql.isError).toBe(true);
    expect(traceql.text).toMatch(/TraceQL syntax error at column 9/);
    expect(traceql.text).toContain('Did you mean: { name = "x" }');
    const time = await legible.call('metrics', { query: 'up', time: 'yesterday' });
    expect(time.isError).toBe(true);
    expect(time.text).toContain('"time": "yesterday" is not a time.');
  });

  it.skipIf(!binaries)('agrees with a real Prometheus scraping the same endpoint', async () => {
    const port = new URL(apiUrl).port;
    const config = ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', '  - job_name: api', '    static_configs:', `      - targets: ['127.0.0.1:${port}']`, ''].join('\n');
    const prometheus = await RunningPrometheus.start(binaries!, config);
    try {
      // Traffic, then quiet, so both have the same cumulative values.
      for (let i = 0; i < 3; i++) await fetch(`${apiUrl}/ok`, { method: 'POST' });
      await fetch(`${apiUrl}/checkout`);
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      // Legible's query of the scraped endpoint, the same query of its OTLP copy (named as
      // Prometheus names OTLP: the unit becomes a suffix), and Prometheus' query of the endpoint.
      const pairs: [string, string][] = [
        ['sum by (http_response_status_code) (http_server_request_duration_count{instance!=""})', 'sum by (http_response_status_code) (http_server_request_duration_count)'],
        ['sum by (http_response_status_code) (http_server_request_duration_seconds_count{job="api"})', 'sum by (http_response_status_code) (http_server_request_duration_count)'],
        ['sum by (le) (http_server_request_duration_seconds_bucket{job="api", http_response_status_code="200"})', 'sum by (le) (http_server_request_duration_bucket{http_response_status_code="200"})'],
        ['sum(shop_orders_total{job="api", instance=""})', 'sum(shop_orders_total)'],
        ['sum(shop_orders_total{instance!=""})', 'sum(shop_orders_total)'],
      ];
      await until('Prometheus to have scraped', async () => ((await prometheus.query('shop_orders_total', Date.now())).data as { result: unknown[] }).result.length > 0);
      const agree: string[] = [];
      let mismatch = '';
      await until(
        'the same answers',
        async () => {
          agree.length = 0;
          const at = Date.now();
          for (const [mine, theirs] of pairs) {
            const text = await call('metrics', { query: mine, time: new Date(at).toISOString() });
            const data = (await prometheus.query(theirs, at)).data as PromQueryData;
            const expected = formatMetricsAnswer({ query: mine, data, timeMs: at });
            if (rows(text) === rows(expected) && rows(text)) agree.push(mine);
            else mismatch = `${mine}\nLegible:\n${text}\nPrometheus:\n${expected}`;
          }
          return agree.length === pairs.length;
        },
        15_000,
      ).catch(() => undefined);
      expect(agree, mismatch).toEqual(pairs.map(([mine]) => mine));
    } finally {
      await prometheus.stop();
    }
  }, 60_000);

  it('answers malformed, huge and wrongly typed OTLP with HTTP errors, and keeps answering tools', async () => {
    const post = (body: Buffer | string, headers: Record<string, string>, path = '/v1/traces') => fetch(`${endpoint}${path}`, { method: 'POST', body, headers });
    const garbage = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { 'content-type': 'application/x-protobuf' });
    expect(garbage.status).toBe(400);
    expect(await garbage.text()).toMatch(/does not decode as OTLP protobuf/);
    const json = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    expect(await json.text()).toContain('not JSON');
    const typed = await post('hello', { 'content-type': 'text/plain' }, '/v1/logs');
    expect(typed.status).toBe(415);
    expect(await typed.text()).toContain('send application/x-protobuf or application/json');
    // A gzip bomb: 20 MB of zeros in a small body, refused once past the limit after inflating.
    const bomb = await post(gzipSync(Buffer.alloc(20 * 2 ** 20)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, '/v1/metrics');
    expect(bomb.status).toBe(413);
    const huge = await post(Buffer.alloc(17 * 2 ** 20, 1), { 'content-type': 'application/x-protobuf' }).catch((error: Error) => error);
    if (!(huge instanceof Error)) expect(huge.status).toBe(413);
    expect(await call('app', { action: 'status' })).toMatch(/refused \(last: HTTP 413/);
    expect(await call('traces', { query: '{ status = error }' })).toMatch(/trace(s)? match/);
  });

  it('leaves no process behind', async () => {
    const pid = legible.pid()!;
    expect(processesOf(pid).length).toBeGreaterThanOrEqual(2);
    await legible.close();
    expect(await waitForNoProcessesOf(pid)).toEqual([]);
  });
});

/** The rows of a metrics answer (after its header), for comparing two answers of different times. */
function rows(text: string): string {
  return text
    .split('\n')
    .slice(1)
    .filter((line) => /^\S+\s+\{/.test(line))
    .join('\n');
}

describe('the receiver on a fixed port, and stores at their caps', () => {
  let legible: LegibleClient;
  let port = 0;
  let blocker: Server;
  const dirs: string[] = [];
  const workspace = async (name: string) => {
    dirs.push(await tempDir(name));
    return dirs.at(-1)!;
  };

  beforeAll(async () => {
    port = await freePort();
    // A workspace without apps: the receiver serves apps started elsewhere.
    legible = await startLegible(['--otlp-port', String(port), '--max-spans', '1000', '--root', await workspace('otlp-port')]);
    // Something else holds a port: a second server asked for it says so, and keeps working.
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  }, 60_000);

  afterAll(async () => {
    await legible?.close();
    await new Promise((resolve) => blocker?.close(resolve));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('listens on --otlp-port from start-up, before any tool call', async () => {
    const body = Buffer.from(tracesProtobuf(makeSpans({ traces: 10, spansPerTrace: 10 })));
    const answer = await until('the receiver', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } }).catch(() => undefined);
      return response?.status === 200 ? response : undefined;
    });
    expect(answer.status).toBe(200);
  });

  it('drops the oldest spans past the cap, counts them and says so', async () => {
    for (let i = 0; i < 2; i++) {
      const body = Buffer.from(tracesProtobuf(makeSpans({ traces: 100, spansPerTrace: 10, seed: i + 2 })));
      expect((await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } })).status).toBe(200);
    }
    const status = (await legible.call('app', { action: 'status' })).text;
    expect(status).toContain(`Telemetry: OTLP/HTTP at http://127.0.0.1:${port}.`);
    expect(status).toMatch(/held: 1000 spans, [^\n]*; the oldest dropped by the caps: 1100 spans/);
    const found = await legible.call('traces', { query: '{ }' });
    expect(found.text).toContain('(1100 older spans dropped by the cap of the span store.)');
    // An empty search lists what is there to search.
    const empty = await legible.call('traces', { query: '{ name = "no such span" }' });
    expect(empty.text).toMatch(/^No trace matches \{ name = "no such span" \}/);
    expect(empty.text).toMatch(/\nServices: svc-0, svc-1, svc-2\.\nAttributes: [^\n]*span\.http\.route/);
  });

  it('says when --otlp-port is taken, and answers the other tools', async () => {
    const taken = (blocker.address() as AddressInfo).port;
    const other = await startLegible(['--otlp-port', String(taken), '--root', await workspace('otlp-taken')]);
    try {
      const status = await other.call('app', { action: 'status' });
      expect(status.text).toContain(`Legible's OTLP receiver could not start`);
      expect(status.text).toContain(`Port ${taken} (--otlp-port) is probably taken`);
      expect(status.text).toMatch(/Telemetry: the OTLP receiver is not running \(the OTLP receiver could not listen on 127\.0\.0\.1:\d+: [^)]*EADDRINUSE/);
      expect((await other.call('logs')).isError).toBe(false);
    } finally {
      await other.close();
    }
  });
});
