/**
 * Legible's scraper and a real Prometheus scrape the same fixture /metrics endpoint: both must
 * hold the same series (names and labels, including job/instance, exported_job and the scrape
 * report series), the same values for the metrics that do not change, and treat a series that
 * disappears, and then a target that goes down, the same way (stale markers: gone from instant
 * queries at once). Skips loudly without Prometheus; fails under CI=true without it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromQLEngine, type PromQueryData } from '../../src/telemetry/metrics/query.js';
import { Scraper } from '../../src/telemetry/metrics/scraper.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';
import { compareData } from '../helpers/promCompare.js';
import { prometheusOrSkip, RunningPrometheus } from '../helpers/prometheus.js';

const binaries = prometheusOrSkip('Scraper vs Prometheus');

let requests = 0;
let vanish = false;

function exposition(): string {
  requests++;
  return [
    '# HELP http_requests_total Requests served.',
    '# TYPE http_requests_total counter',
    `http_requests_total{method="GET",code="200"} ${requests * 3}`,
    `http_requests_total{method="POST",code="500"} ${requests}`,
    '# HELP process_temperature A gauge.',
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
    'odd_labels{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb",empty=""} 1',
    'with_job_label{job="batch",instance="elsewhere"} 2',
    'special{kind="nan"} NaN',
    'special{kind="inf"} +Inf',
    'special{kind="ninf"} -Inf',
    ...(vanish ? [] : ['vanishing_gauge 1']),
    '',
  ].join('\n');
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function seriesKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe.skipIf(!binaries)('scraping the same endpoint as Prometheus 2.42', () => {
  let fixture: Server;
  let prometheus: RunningPrometheus;
  const store = new MetricStore();
  const engine = new PromQLEngine(store);
  let scraper: Scraper;

  const theirs = async (query: string) => (await prometheus.query(query, Date.now())).data as PromQueryData;
  const mine = (query: string) => engine.query(query, Date.now());
  /** Both answers at the same instant. */
  const compareNow = async (query: string) => {
    const at = Date.now();
    return compareData(engine.query(query, at), (await prometheus.query(query, at)).data as PromQueryData);
  };
  const scrapesBy = async (since: number) => {
    const prom = (await theirs(`count_over_time(up{job="fixture"}[10m]) - ${since}`)) as { result: { value: [number, string] }[] };
    return { prometheus: Number(prom.result[0]?.value[1] ?? -since), legible: scraper.status().scrapes - since };
  };

  beforeAll(async () => {
    fixture = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(exposition());
    });
    await new Promise<void>((resolve) => fixture.listen(0, '127.0.0.1', resolve));
    const port = (fixture.address() as AddressInfo).port;
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: fixture',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${port}']`,
      '',
    ].join('\n');
    prometheus = await RunningPrometheus.start(binaries!, config);
    scraper = new Scraper(store, { url: `http://127.0.0.1:${port}/metrics`, intervalMs: 1_000, job: 'fixture' });
    scraper.start();
  }, 60_000);

  afterAll(async () => {
    await scraper?.stop();
    await prometheus?.stop();
    await new Promise((resolve) => fixture?.close(resolve));
  });

  it('holds the same series, labels and values, and the same staleness', async () => {
    await waitFor('three scrapes by each', async () => {
      const { prometheus: p, legible: l } = await scrapesBy(0);
      return p >= 3 && l >= 3;
    });

    const end = Date.now();
    const answer = await prometheus.api('/api/v1/series', { 'match[]': '{job="fixture"}', start: (end - 600_000) / 1000, end: end / 1000 });
    const theirSeries = (answer.data as Record<string, string>[]).map(seriesKey).sort();
    const mySeries = store.series().map(seriesKey).sort();
    expect(mySeries).toEqual(theirSeries);
    // What the comparison covers: the scraped families, the renamed job label, the report series.
    expect(mySeries.length).toBe(23);
    expect(mySeries.some((key) => key.includes('"exported_job","batch"') && key.includes('"exported_instance","elsewhere"'))).toBe(true);
    expect(mySeries.some((key) => key.includes('scrape_series_added'))).toBe(true);

    for (const query of ['process_temperature', 'odd_labels', 'special', 'rpc_latency', 'request_duration_seconds_bucket', 'with_job_label', 'up', 'vanishing_gauge', 'scrape_samples_scraped']) {
      expect(await compareNow(query), query).toBeUndefined();
    }

    // A series the endpoint stops exposing is stale at the next scrape: gone from instant queries at once.
    const before = await scrapesBy(0);
    vanish = true;
    await waitFor('two scrapes after the series went away', async () => {
      const { prometheus: p, legible: l } = await scrapesBy(0);
      return p >= before.prometheus + 2 && l >= before.legible + 2;
    });
    expect((await theirs('vanishing_gauge')).result).toEqual([]);
    expect(mine('vanishing_gauge').result).toEqual([]);
    expect((mine('count_over_time(vanishing_gauge[10m])').result as unknown[]).length).toBe(1);
    expect(await compareNow('count(scrape_samples_scraped)')).toBeUndefined();

    // A target that stops answering: up is 0 and every scraped series is stale.
    const upBefore = await scrapesBy(0);
    await new Promise((resolve) => {
      fixture.close(resolve);
      fixture.closeAllConnections();
    });
    await waitFor('a failed scrape by each', async () => {
      const { prometheus: p, legible: l } = await scrapesBy(0);
      return p >= upBefore.prometheus + 2 && l >= upBefore.legible + 2;
    });
    for (const query of ['up', 'http_requests_total', 'count({job="fixture"}) by (__name__)']) {
      expect(await compareNow(query), query).toBeUndefined();
    }
    expect(mine('up').result).toMatchObject([{ value: [expect.any(Number), '0'] }]);
    expect(mine('http_requests_total').result).toEqual([]);
    expect(scraper.status().lastError).toMatch(/fetch failed|ECONNREFUSED/);
  }, 120_000);
});
