/**
 * The instrumented fixture app (test/fixtures/otel-app: the OpenTelemetry SDK's Prometheus
 * exporter at /metrics) scraped at 1 s by three at once: Legible's scraper into its embedded
 * store (the same Scraper and MetricStore the server uses for an app's `metrics`), Debian's
 * Prometheus 2.42 and VictoriaMetrics 1.79. All three must hold the same series: names and every
 * label (job, instance, the exporter's target_info, histogram buckets' `le`), and the same values
 * for what no longer changes. Skips loudly without the binaries; fails under CI=true without them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMetricsAnswer } from '../../src/format/metricsFormat.js';
import { EmbeddedMetrics } from '../../src/telemetry/metrics/backend.js';
import { Scraper } from '../../src/telemetry/metrics/scraper.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';
import { OtlpReceiver } from '../../src/telemetry/otlp/receiver.js';
import { PrometheusClient } from '../../src/telemetry/remote/prometheus.js';
import { prometheusOrSkip, RunningPrometheus } from '../helpers/prometheus.js';
import { RunningVictoriaMetrics, victoriaMetricsOrSkip } from '../helpers/victoriaMetrics.js';
import { OTEL_APP_ARGS } from '../helpers/apps.js';

const prometheusBinaries = prometheusOrSkip('Fixture app scraped by Legible and Prometheus');
const vmBinary = victoriaMetricsOrSkip('Fixture app scraped by Legible and VictoriaMetrics');

type Labels = Record<string, string>;
const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
const keys = (series: Labels[]) => series.map(key).sort();
/** The report series each engine adds about its own scrapes (VictoriaMetrics adds a few more of them). */
const isReport = (labels: Labels) => /^scrape_/.test(labels.__name__ ?? '');

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts the fixture app on a free port, its OTLP going to a sink of this test; answers its base URL. */
async function startApp(otlpEndpoint: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, OTEL_APP_ARGS, {
    env: { ...process.env, PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, OTEL_SERVICE_NAME: 'shop', OTEL_METRIC_EXPORT_INTERVAL: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /^listening (\d+)/m.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the fixture app exited (${code}) before listening: ${out}`)));
    setTimeout(() => reject(new Error('the fixture app did not listen within 30 s')), 30_000);
  });
  const url = `http://127.0.0.1:${port}`;
  // The SDK detects some resource attributes (host.id) asynchronously: target_info gains them a
  // moment after start, as a new series. Start scraping once its exposition is settled, so all
  // three scrapers (whose first scrapes fall at different moments) see the same target_info.
  const targetInfo = async () => /^target_info\{.*$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[0];
  let previous: string | undefined;
  await waitFor('a settled target_info', async () => {
    const now = await targetInfo();
    const settled = now !== undefined && now === previous;
    previous = now;
    if (!settled) await new Promise((resolve) => setTimeout(resolve, 750));
    return settled;
  }, 20_000);
  return { child, url };
}

describe.skipIf(!prometheusBinaries || !vmBinary)('the instrumented fixture app scraped by Legible, Prometheus 2.42 and VictoriaMetrics 1.79', () => {
  const sink = new OtlpReceiver({ traces: () => undefined, metrics: () => undefined, logs: () => undefined });
  const store = new MetricStore();
  const embedded = new EmbeddedMetrics(store);
  let app: { child: ChildProcess; url: string };
  let prometheus: RunningPrometheus;
  let vm: RunningVictoriaMetrics;
  let viaPrometheus: PrometheusClient;
  let viaVm: PrometheusClient;
  let scraper: Scraper;
  const vmConfig = join(tmpdir(), `legible-vm-fixture-app-${process.pid}-${Date.now()}.yml`);

  beforeAll(async () => {
    app = await startApp(await sink.start());
    // Traffic first (every route the series come from), then quiet: the series stop changing.
    for (let i = 0; i < 3; i++) await fetch(`${app.url}/ok`, { method: 'POST' });
    await fetch(`${app.url}/checkout`, { method: 'POST' });
    await fetch(`${app.url}/`);
    const target = new URL(app.url).host;
    const config = ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', '  - job_name: fixture', '    static_configs:', `      - targets: ['${target}']`, ''].join('\n');
    await writeFile(vmConfig, config);
    [prometheus, vm] = await Promise.all([RunningPrometheus.start(prometheusBinaries!, config), RunningVictoriaMetrics.start(vmBinary!, [`-promscrape.config=${vmConfig}`])]);
    viaPrometheus = new PrometheusClient({ baseUrl: prometheus.url });
    viaVm = new PrometheusClient({ baseUrl: vm.url });
    scraper = new Scraper(store, { url: `${app.url}/metrics`, intervalMs: 1_000, job: 'fixture' });
    scraper.start();
  }, 90_000);

  afterAll(async () => {
    await scraper?.stop();
    await Promise.all([prometheus?.stop(), vm?.stop()]);
    app?.child.kill('SIGKILL');
    await sink.close();
    await rm(vmConfig, { force: true });
  });

  it('holds the same series (names and labels) in all three, and the same values', async () => {
    const window = () => ({ startMs: Date.now() - 600_000, endMs: Date.now() });
    const all = ['{job="fixture"}'];
    let last = '';
    await waitFor('the same series in all three', async () => {
      await fetch(`${vm.url}/internal/force_flush`);
      const [mine, prom, victoria] = await Promise.all([embedded.series(all, window()), viaPrometheus.series(all, window()), viaVm.series(all, window())]);
      const only = (a: Labels[], b: Labels[]) => keys(a).filter((k) => !keys(b).includes(k));
      last = `Legible ${mine.length}, Prometheus ${prom.length}, VictoriaMetrics ${victoria.length}; only in Legible: ${only(mine, prom).join(' ')}; only in Prometheus: ${only(prom, mine).join(' ')}; only in VictoriaMetrics: ${only(victoria, mine).join(' ')}; not in VictoriaMetrics: ${only(mine, victoria).join(' ')}`;
      const scraped = (series: Labels[]) => keys(series.filter((labels) => !isReport(labels)));
      return scraper.status().scrapes >= 3 && mine.length > 10 && keys(mine).join() === keys(prom).join() && scraped(mine).join() === scraped(victoria).join();
    }).catch((error: Error) => {
      throw new Error(`${error.message} (${last})`);
    });
    const [mine, prom, victoria] = await Promise.all([embedded.series(all, window()), viaPrometheus.series(all, window()), viaVm.series(all, window())]);
    // Prometheus: every series, the scrape report series included.
    expect(keys(mine)).toEqual(keys(prom));
    // VictoriaMetrics: every scraped series and `up`; of the report series, the ones Prometheus adds too.
    expect(keys(mine.filter((labels) => !isReport(labels)))).toEqual(keys(victoria.filter((labels) => !isReport(labels))));
    for (const name of ['scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']) {
      expect(victoria.filter((labels) => labels.__name__ === name).length, name).toBe(1);
    }
    // What the comparison covers: the SDK's own metrics, the app's counter, histogram buckets, target_info.
    const names = new Set(mine.map((labels) => labels.__name__));
    for (const name of ['target_info', 'shop_orders_total', 'http_server_request_duration_bucket', 'http_server_request_duration_count', 'up']) expect(names, name).toContain(name);
    expect(mine.find((labels) => labels.__name__ === 'shop_orders_total')).toMatchObject({ channel: 'web', job: 'fixture', instance: new URL(app.url).host });

    // The values that no longer change, rendered as an agent reads them, at the same instant (once each engine has samples there).
    const queries = ['shop_orders_total', 'sum by (http_response_status_code) (http_server_request_duration_count)', 'sum by (le) (http_server_request_duration_bucket{http_response_status_code="200"})', 'up'];
    const render = async (backend: EmbeddedMetrics | PrometheusClient, query: string, at: number) => formatMetricsAnswer({ query, data: (await backend.query(query, at)).data, timeMs: at });
    const answers = async () => {
      const at = Date.now() - 1_500;
      return Promise.all(queries.map(async (query) => ({ query, mine: await render(embedded, query, at), prom: await render(viaPrometheus, query, at), vm: await render(viaVm, query, at) })));
    };
    let rendered = await answers();
    await waitFor('samples in all three', async () => {
      rendered = await answers();
      return rendered.every(({ mine, prom, vm: victoria }) => /^\d+ series/.test(mine) && mine === prom && mine === victoria);
    }, 15_000).catch(() => undefined);
    for (const { query, mine, prom, vm: victoria } of rendered) {
      expect(mine, query).toMatch(/^\d+ series/);
      expect(prom, query).toBe(mine);
      expect(victoria, query).toBe(mine);
    }
  }, 120_000);
});
