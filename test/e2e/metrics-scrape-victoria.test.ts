/**
 * VictoriaMetrics (Debian's 1.79, its own Prometheus-compatible scraper) and Legible's scraper
 * scrape the same fixture /metrics endpoint at 1 s; then the same questions go to both through
 * the MetricsBackend interface (the embedded adapter and the Prometheus API client) and the
 * answers are compared as an agent reads them: the series listing, and rendered answers for the
 * metrics that do not change between scrapes. Skips loudly without victoria-metrics; fails
 * under CI=true without it.
 */
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMetricsAnswer } from '../../src/format/metricsFormat.js';
import type { MetricsBackend } from '../../src/telemetry/backends.js';
import { EmbeddedMetrics } from '../../src/telemetry/metrics/backend.js';
import { Scraper } from '../../src/telemetry/metrics/scraper.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';
import { PrometheusClient } from '../../src/telemetry/remote/prometheus.js';
import { RunningVictoriaMetrics, victoriaMetricsOrSkip } from '../helpers/victoriaMetrics.js';

const binary = victoriaMetricsOrSkip('Scraper vs VictoriaMetrics');

const EXPOSITION = [
  '# TYPE http_requests_total counter',
  'http_requests_total{method="GET",code="200"} 30',
  'http_requests_total{method="POST",code="500"} 4',
  '# TYPE process_temperature gauge',
  'process_temperature 21.5',
  '# TYPE request_duration_seconds histogram',
  'request_duration_seconds_bucket{le="0.1"} 3',
  'request_duration_seconds_bucket{le="0.5"} 5',
  'request_duration_seconds_bucket{le="+Inf"} 6',
  'request_duration_seconds_sum 1.7',
  'request_duration_seconds_count 6',
  '# TYPE rpc_latency summary',
  'rpc_latency{quantile="0.5"} 0.2',
  'rpc_latency{quantile="0.99"} 0.9',
  'rpc_latency_sum 12',
  'rpc_latency_count 40',
  'odd_labels{path="C:\\\\dir",quote="say \\"hi\\"",empty=""} 1',
  'with_job_label{job="batch",instance="elsewhere"} 2',
  '',
].join('\n');

/** What the endpoint exposes (the report series each scraper adds differ: see below). */
const SCRAPED = ['http_requests_total', 'process_temperature', 'request_duration_seconds_bucket', 'request_duration_seconds_sum', 'request_duration_seconds_count', 'rpc_latency', 'rpc_latency_sum', 'rpc_latency_count', 'odd_labels', 'with_job_label', 'up'];

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!binary)('scraping the same endpoint as VictoriaMetrics 1.79', () => {
  let fixture: Server;
  let vm: RunningVictoriaMetrics;
  let scraper: Scraper;
  const store = new MetricStore();
  const embedded = new EmbeddedMetrics(store);
  let remote: MetricsBackend;
  const configPath = join(tmpdir(), `legible-vm-scrape-${process.pid}-${Date.now()}.yml`);

  beforeAll(async () => {
    fixture = createServer((request, response) => {
      if (request.url !== '/metrics') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(EXPOSITION);
    });
    await new Promise<void>((resolve) => fixture.listen(0, '127.0.0.1', resolve));
    const port = (fixture.address() as AddressInfo).port;
    await writeFile(configPath, ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: fixture', '    static_configs:', `      - targets: ['127.0.0.1:${port}']`, ''].join('\n'));
    vm = await RunningVictoriaMetrics.start(binary!, [`-promscrape.config=${configPath}`]);
    remote = new PrometheusClient({ baseUrl: vm.url });
    scraper = new Scraper(store, { url: `http://127.0.0.1:${port}/metrics`, intervalMs: 1_000, job: 'fixture' });
    scraper.start();
  }, 60_000);

  afterAll(async () => {
    await scraper?.stop();
    await vm?.stop();
    await new Promise((resolve) => fixture?.close(resolve));
    await rm(configPath, { force: true });
  });

  it('holds the same scraped series (names, labels, job and instance, exported_job) and renders the same answers', async () => {
    const window = () => ({ startMs: Date.now() - 600_000, endMs: Date.now() });
    const scraped = `{job="fixture", __name__=~"${SCRAPED.join('|')}"}`;
    await waitFor('both to hold every scraped series', async () => {
      await fetch(`${vm.url}/internal/force_flush`);
      const [theirs, mine] = await Promise.all([remote.series([scraped], window()), embedded.series([scraped], window())]);
      return scraper.status().scrapes >= 2 && theirs.length >= 15 && theirs.length === mine.length;
    });
    const [theirs, mine] = await Promise.all([remote.series([scraped], window()), embedded.series([scraped], window())]);
    expect(theirs).toEqual(mine);
    expect(mine).toHaveLength(15);
    expect(mine).toContainEqual({ __name__: 'with_job_label', exported_instance: 'elsewhere', exported_job: 'batch', instance: expect.any(String), job: 'fixture' });

    // Both add the scrape report series Prometheus adds.
    for (const name of ['scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']) {
      expect((await remote.series([name], window())).length, name).toBe(1);
      expect((await embedded.series([name], window())).length, name).toBe(1);
    }

    // Values that do not change between scrapes, asked at the same instant, rendered.
    const at = Date.now() - 1_500;
    for (const query of ['process_temperature', 'http_requests_total', 'rpc_latency', 'request_duration_seconds_bucket', 'odd_labels', 'with_job_label', 'up', 'sum by (code) (http_requests_total)', 'histogram_quantile(0.5, request_duration_seconds_bucket)']) {
      const render = async (backend: MetricsBackend) => formatMetricsAnswer({ query, data: (await backend.query(query, at)).data, timeMs: at });
      expect(await render(remote), query).toBe(await render(embedded));
    }
  }, 90_000);
});
