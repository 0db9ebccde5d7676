/**
 * The scraper against a real HTTP server on 127.0.0.1 (scrapes driven one by one, with a clock
 * of its own): target labels, report series, staleness, failures. The side-by-side test with a
 * real Prometheus is test/e2e/metrics-scrape-prometheus.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromQLEngine } from '../../src/telemetry/metrics/query.js';
import { Scraper } from '../../src/telemetry/metrics/scraper.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';

let body = '';
let status = 200;
let hang = false;
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    if (hang) return;
    response.writeHead(status, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function setup(options: { maxBodyBytes?: number; timeoutMs?: number } = {}) {
  let now = 1_700_000_000_000;
  const store = new MetricStore();
  const scraper = new Scraper(store, { url, intervalMs: 15_000, job: 'app', labels: { env: 'dev' }, ...options }, () => now);
  const engine = new PromQLEngine(store);
  return {
    store,
    scraper,
    query: (q: string) => engine.query(q, now),
    advance: (ms: number) => (now += ms),
  };
}

describe('Scraper', () => {
  it('writes the samples with target labels, renames clashing ones, and reports the scrape', async () => {
    body = 'requests_total{code="200"} 5\nbatch{job="nightly",instance="h1"} 1\n';
    status = 200;
    const { scraper, query } = setup();
    const result = await scraper.scrapeOnce();
    expect(result).toMatchObject({ up: true, scrapes: 1, lastSamples: 2, lastError: undefined });
    const instance = new URL(url).host;
    expect(query('requests_total').result).toEqual([{ metric: { __name__: 'requests_total', code: '200', env: 'dev', instance, job: 'app' }, value: [expect.any(Number), '5'] }]);
    expect(query('batch').result).toMatchObject([{ metric: { exported_job: 'nightly', exported_instance: 'h1', job: 'app', instance } }]);
    expect(query('up').result).toMatchObject([{ value: [expect.any(Number), '1'] }]);
    expect(query('scrape_samples_scraped').result).toMatchObject([{ value: [expect.any(Number), '2'] }]);
    expect(query('scrape_series_added').result).toMatchObject([{ value: [expect.any(Number), '2'] }]);
    expect(query('scrape_duration_seconds').result).toHaveLength(1);
  });

  it('marks a series stale at the first scrape without it, and all of them when a scrape fails', async () => {
    status = 200;
    body = 'a 1\nb 2\n';
    const { scraper, query, advance } = setup();
    await scraper.scrapeOnce();
    advance(15_000);
    body = 'a 1\n';
    await scraper.scrapeOnce();
    expect(query('b').result).toEqual([]);
    expect(query('a').result).toHaveLength(1);
    expect(query('scrape_series_added').result).toMatchObject([{ value: [expect.any(Number), '0'] }]);

    advance(15_000);
    status = 503;
    const failed = await scraper.scrapeOnce();
    expect(failed).toMatchObject({ up: false, failures: 1, lastError: 'server returned HTTP status 503 Service Unavailable' });
    expect(query('a').result).toEqual([]);
    expect(query('up').result).toMatchObject([{ value: [expect.any(Number), '0'] }]);

    advance(15_000);
    status = 200;
    await scraper.scrapeOnce();
    expect(query('a').result).toHaveLength(1);
    advance(1_000);
    await scraper.stop();
    expect(query('a').result).toEqual([]);
    expect(query('up').result).toEqual([]);
  });

  it('fails a scrape whose body does not parse, naming the line', async () => {
    status = 200;
    body = 'good 1\nbad{x=1} 2\n';
    const { scraper, query } = setup();
    expect(await scraper.scrapeOnce()).toMatchObject({ up: false, lastError: 'line 2: the value of label x must be a quoted string' });
    expect(query('good').result).toEqual([]);
  });

  it('gives up on a body over the size limit and on a target that does not answer in time', async () => {
    status = 200;
    body = `big ${'1'.repeat(200)}\n`;
    expect(await setup({ maxBodyBytes: 100 }).scraper.scrapeOnce()).toMatchObject({ up: false, lastError: expect.stringMatching(/exceeds the limit of 100/) });
    hang = true;
    try {
      expect(await setup({ timeoutMs: 300 }).scraper.scrapeOnce()).toMatchObject({ up: false, lastError: 'scrape timed out after 300 ms' });
    } finally {
      hang = false;
    }
  });

  it('scrapes on its own at the interval once started', async () => {
    status = 200;
    body = 'tick 1\n';
    const store = new MetricStore();
    const scraper = new Scraper(store, { url, intervalMs: 100 });
    scraper.start();
    await new Promise((resolve) => setTimeout(resolve, 450));
    await scraper.stop();
    expect(scraper.status().scrapes).toBeGreaterThanOrEqual(3);
    expect(store.series().map((labels) => labels.__name__)).toContain('tick');
  });
});
