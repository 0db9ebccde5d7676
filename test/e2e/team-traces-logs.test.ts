/**
 * The built server with --traces-url and --logs-url, end to end through the MCP client: a team's
 * stack stands beside it — a collector (a real OTLP/HTTP endpoint on a socket, Legible's
 * OtlpReceiver class) filling a span store and a log store, served by fixture HTTP servers that
 * answer as Tempo's HTTP API (Tempo 2.x, "Tempo HTTP API") and Loki's (Loki 3.x, "Loki HTTP API")
 * document: real Tempo and Loki cannot be installed here, so these are tested by contract
 * (docs/team-stack.md says so). The api app (the instrumented fixture) sends its telemetry to
 * the team's collector only (its own env names it); web sends to Legible, which forwards.
 *
 * - a click whose request fails: the Server section shows the api's spans and its log record,
 *   which only the team's backends hold; the fixtures record that they were asked by trace id;
 * - `traces` and `logs` go to the same backends and show what they answered;
 * - a Tempo that hangs: the click's report still comes within its bounded wait and says in one
 *   line that Tempo did not answer; a Loki that fails: one line, in its own words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLogql } from '../../src/telemetry/logs/logql/parse.js';
import { logInputs } from '../../src/telemetry/otlp/logInputs.js';
import { OtlpReceiver } from '../../src/telemetry/otlp/receiver.js';
import { LogStore } from '../../src/telemetry/logs/store.js';
import { SpanStore } from '../../src/telemetry/traces/spanStore.js';
import { appsWorkspace, otelApp, removeWorkspaces } from '../helpers/apps.js';
import { groupOf, refOf } from '../helpers/e2e.js';
import { FixtureBackend } from '../helpers/fixtureBackend.js';
import { lokiAnswers } from '../helpers/lokiFixture.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';
import { tempoFixture } from '../helpers/traceFixtures.js';

describe('--traces-url and --logs-url: the tools and the Server section ask the team’s backends', () => {
  const teamSpans = new SpanStore();
  const teamLogs = new LogStore();
  const collector = new OtlpReceiver({
    traces: (request) => teamSpans.ingest(request),
    logs: (request) => {
      for (const input of logInputs(request)) teamLogs.append(input);
    },
    metrics: () => undefined,
  });
  const tempoAnswers = tempoFixture(teamSpans);
  const lokiAnswer = lokiAnswers(teamLogs);
  const tempo = new FixtureBackend(tempoAnswers);
  const loki = new FixtureBackend(lokiAnswer);
  let legible: LegibleClient;
  let webUrl = '';

  const call = async (tool: string, args: Record<string, unknown> = {}) => {
    const result = await legible.call(tool, args);
    expect(result.isError, result.text).toBe(false);
    return result.text;
  };
  const checkout = async () => call('click', { ref: refOf(await call('snapshot'), 'button', 'Checkout') });

  beforeAll(async () => {
    await loadLogql();
    const collectorUrl = await collector.start();
    await Promise.all([tempo.start(), loki.start()]);
    const root = await appsWorkspace({
      api: otelApp({ OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl }),
      web: otelApp({ API_URL: '{apps.api.url}' }),
    });
    legible = await startLegible(['--root', root, '--traces-url', tempo.url, '--logs-url', loki.url, '--otlp-forward', collectorUrl, '--backend-timeout', '60000']);
    webUrl = groupOf(await call('app', { action: 'start' }), /^Started web at (\S+):/m);
    await call('navigate', { url: webUrl });
  }, 90_000);

  afterAll(async () => {
    await legible?.close();
    await Promise.all([tempo.stop(), loki.stop(), collector.close()]);
    await removeWorkspaces();
  });

  it('shows in the click’s Server section the spans and the log record only the team’s backends hold', async () => {
    const report = await checkout();
    expect(report).toContain('Checkout failed: 500');
    const traceId = groupOf(report, /Server: trace ([0-9a-f]{32}) · 2 spans in api, 2 errors\./);
    expect(report).toMatch(/✗ load-cart \[[0-9a-f]{8}\] \(api\): error "Cannot read properties of undefined \(reading 'items'\)" · TypeError/);
    expect(report).toMatch(/logs of this trace:\n {4}api error: checkout failed: Cannot read properties of undefined \(reading 'items'\)/);
    expect(report).not.toContain('⚠');
    // Legible itself never got them: the api sends to the team's collector only.
    expect(teamSpans.traces.has(traceId)).toBe(true);
    expect(tempo.to(`/api/v2/traces/${traceId}`).length).toBeGreaterThan(0);
    const lokiQueries = loki.to('/loki/api/v1/query_range').map((asked) => asked.params.get('query'));
    expect(lokiQueries).toContain(`{service_name=~"api"} | trace_id="${traceId}"`);
  });

  it('answers traces and logs from the same backends', async () => {
    const searches = tempo.to('/api/search').length;
    const found = await call('traces', { query: '{ name = "load-cart" }' });
    expect(tempo.to('/api/search').length).toBe(searches + 1);
    expect(found).toMatch(/^1 trace matches \{ name = "load-cart" \}/);
    const id = groupOf(found, /"trace":"([0-9a-f]{12})"/);
    const outline = await call('traces', { trace: id });
    expect(outline).toMatch(/✗ load-cart · [^\n]*error: Cannot read properties of undefined/);
    const full = groupOf(outline, /^Trace ([0-9a-f]{32})/m);
    expect(tempo.to(`/api/v2/traces/${full}`).length).toBeGreaterThan(0);

    const asked = loki.asked.length;
    const lines = await call('logs', { query: `{service_name="api"} | trace_id="${full}"` });
    expect(loki.asked.slice(asked).map((request) => request.path)).toContain('/loki/api/v1/query_range');
    expect(lines).toMatch(/^1 entry in the last 1h/);
    expect(lines).toContain('checkout failed');
  });

  it('keeps the click’s report within its bounded wait when Tempo hangs, and says so in one line', async () => {
    tempo.answer(async (asked) => (asked.path.startsWith('/api/v2/traces/') ? { ...(await tempoAnswers(asked)), delayMs: 60_000 } : tempoAnswers(asked)));
    try {
      const before = Date.now();
      const report = await checkout();
      // The backend's own time limit is 60 s: the report is bounded by the Server section's wait.
      expect(Date.now() - before).toBeLessThan(15_000);
      expect(report).toMatch(/POST http:\/\/localhost:\d+\/checkout → 500/);
      expect(report).toMatch(new RegExp(`\\nServer: The Tempo at ${tempo.url.replace(/\./g, '\\.')} did not answer within \\d(\\.\\d+)?s\\. \\(Legible itself received nothing of trace [0-9a-f]{32} either\\)`));
    } finally {
      tempo.answer(tempoAnswers);
    }
  });

  it('says in one line that Loki failed, and still shows the spans', async () => {
    loki.answer((asked) => (asked.path === '/loki/api/v1/query_range' ? { status: 500, body: 'too many outstanding requests' } : lokiAnswer(asked)));
    try {
      const report = await checkout();
      expect(report).toMatch(/Server: trace [0-9a-f]{32} · 2 spans in api, 2 errors\./);
      expect(report).toMatch(/\n {2}⚠ The Loki at \S+ answered 500 Internal Server Error to the query: "too many outstanding requests"\. \(shown: what Legible received itself\)/);
    } finally {
      loki.answer(lokiAnswer);
    }
  });
});
