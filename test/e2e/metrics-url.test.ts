/**
 * The built server with --metrics-url, end to end through the MCP client, on real engines:
 * Legible starts the instrumented fixture app (test/fixtures/otel-app, the OpenTelemetry SDK's
 * Prometheus exporter at /metrics) on a known port; Debian's Prometheus 2.42 and VictoriaMetrics
 * 1.79 scrape it, each under its own job name (which only that engine has, so an answer that
 * lists it came from it). One Legible server is pointed at Prometheus, another at
 * VictoriaMetrics; `metrics` (instant, range, an empty answer's hints, a refused query) must
 * answer what the engine's own HTTP API answers, rendered. Skips loudly without the binaries;
 * fails under CI=true without them.
 */
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMetricsAnswer } from '../../src/format/metricsFormat.js';
import type { PromQueryData } from '../../src/telemetry/metrics/query.js';
import { appsWorkspace, NODE, OTEL_APP_ARGS, removeWorkspaces } from '../helpers/apps.js';
import { tempDir, waitFor } from '../helpers/e2e.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';
import { freePort, prometheusOrSkip, RunningPrometheus } from '../helpers/prometheus.js';
import { RunningVictoriaMetrics, victoriaMetricsOrSkip } from '../helpers/victoriaMetrics.js';

const until = <T>(what: string, probe: () => Promise<T | undefined | false>, ms = 30_000) => waitFor(what, probe, ms, 250);

const prometheusBinaries = prometheusOrSkip('--metrics-url with Prometheus (e2e)');
const vmBinary = victoriaMetricsOrSkip('--metrics-url with VictoriaMetrics (e2e)');

/** An engine's own answer over its HTTP API (plain fetch: not Legible's client). */
async function engineAnswer(base: string, path: string, params: Record<string, string>): Promise<PromQueryData> {
  const response = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
  const body = (await response.json()) as { status: string; data: PromQueryData; error?: string };
  if (body.status !== 'success') throw new Error(`${base}${path}: ${body.error}`);
  return body.data;
}

describe.skipIf(!prometheusBinaries || !vmBinary)('--metrics-url: metrics answers from Prometheus and VictoriaMetrics scraping the fixture app', () => {
  let prometheus: RunningPrometheus;
  let vm: RunningVictoriaMetrics;
  let onPrometheus: LegibleClient;
  let onVm: LegibleClient;
  let appUrl = '';
  const vmConfig = join(tmpdir(), `legible-metrics-url-${process.pid}-${Date.now()}.yml`);

  const call = async (legible: LegibleClient, args: Record<string, unknown>) => {
    const result = await legible.call('metrics', args);
    expect(result.isError, result.text).toBe(false);
    return result.text;
  };

  beforeAll(async () => {
    const port = await freePort();
    const scrape = (job: string) => ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', `  - job_name: ${job}`, '    static_configs:', `      - targets: ['127.0.0.1:${port}']`, ''].join('\n');
    await writeFile(vmConfig, scrape('team-vm'));
    [prometheus, vm] = await Promise.all([RunningPrometheus.start(prometheusBinaries!, scrape('team-prometheus')), RunningVictoriaMetrics.start(vmBinary!, [`-promscrape.config=${vmConfig}`])]);
    const root = await appsWorkspace({
      shop: { command: [NODE, ...OTEL_APP_ARGS], port, ready: { log: '^listening', timeout: '30s' }, metrics: { path: '/metrics', interval: '1s' } },
    });
    [onPrometheus, onVm] = await Promise.all([startLegible(['--root', root, '--metrics-url', prometheus.url]), startLegible(['--root', await tempDir('metrics-url-vm'), '--metrics-url', vm.url])]);
    const started = await onPrometheus.call('app', { action: 'start' });
    expect(started.isError, started.text).toBe(false);
    appUrl = `http://127.0.0.1:${port}`;
    // Traffic, then quiet: the values stop changing.
    for (let i = 0; i < 3; i++) await fetch(`${appUrl}/ok`, { method: 'POST' });
    await fetch(`${appUrl}/checkout`, { method: 'POST' });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([onPrometheus?.close(), onVm?.close()]);
    await Promise.all([prometheus?.stop(), vm?.stop()]);
    await rm(vmConfig, { force: true });
    await removeWorkspaces();
  });

  for (const engine of ['Prometheus', 'VictoriaMetrics'] as const) {
    it(`answers what ${engine}'s own HTTP API answers: instant, range, hints from its listings, its refusals`, async () => {
      const legible = engine === 'Prometheus' ? onPrometheus : onVm;
      const base = engine === 'Prometheus' ? prometheus.url : vm.url;
      const job = engine === 'Prometheus' ? 'team-prometheus' : 'team-vm';
      const flush = async () => void (engine === 'VictoriaMetrics' ? await fetch(`${vm.url}/internal/force_flush`) : undefined);
      // The job name only this engine has: the answer came from it, not from Legible's own scrape.
      await until(`${engine} to have scraped the app's counter`, async () => {
        await flush();
        return /^1 series/.test(await call(legible, { query: `shop_orders_total{job="${job}"}` }));
      });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await flush();

      const at = Date.now() - 1_000;
      const time = new Date(at).toISOString();
      for (const query of [`up{job="${job}"}`, `shop_orders_total{job="${job}"}`, `sum by (http_response_status_code) (http_server_request_duration_count{job="${job}"})`, `count by (__name__) ({job="${job}", __name__=~"shop_.*|target_info|up"})`]) {
        const expected = formatMetricsAnswer({ query, data: await engineAnswer(base, '/api/v1/query', { query, time: String(at / 1000) }), timeMs: at, budget: 4_000 });
        expect(expected, query).toMatch(/^\d+ series/);
        expect(await call(legible, { query, time }), query).toBe(expected);
      }

      const range = { startMs: at - 20_000, endMs: at, stepMs: 5_000 };
      const rangeQuery = `sum(shop_orders_total{job="${job}"})`;
      const rangeData = await engineAnswer(base, '/api/v1/query_range', { query: rangeQuery, start: String(range.startMs / 1000), end: String(range.endMs / 1000), step: '5' });
      expect(await call(legible, { query: rangeQuery, start: new Date(range.startMs).toISOString(), end: time, step: '5s' })).toBe(formatMetricsAnswer({ query: rangeQuery, data: rangeData, range, budget: 4_000 }));

      // Nothing found: the hints come from the engine's own listings (the names it holds, the job only it has).
      const empty = await call(legible, { query: `shop_order_total{job="${job}"}` });
      expect(empty).toMatch(/No metric "shop_order_total"; closest: [^\n]*shop_orders_total/);
      const wrongJob = await call(legible, { query: 'shop_orders_total{job="nope"}' });
      expect(wrongJob).toMatch(new RegExp(`\nValues of job: ${job}\n`));

      // A query the engine refuses: its own words, named as coming from it.
      const refused = await legible.call('metrics', { query: 'sum(shop_orders_total' });
      expect(refused.isError).toBe(true);
      expect(refused.text).toMatch(new RegExp(`^Error: The Prometheus API at ${base.replace(/\./g, '\\.')} refused the query: [^\n]*(parse error|unexpected token)[^\n]*\nNext: Did you mean: sum\\(shop_orders_total\\)`));
    }, 90_000);
  }
});
