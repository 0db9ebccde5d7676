/**
 * The Prometheus HTTP API client against a fixture that answers as the API documents
 * (prometheus.io/docs/prometheus/2.42/querying/api/): what it sends (the query unchanged, a time
 * or range, a limit, the server-side timeout, the headers from the environment), what it makes of
 * refusals (400 bad_data with Legible's own correction, 401, 404, an error envelope with 200),
 * native histograms, warnings, and the catalog it builds from the listings for empty answers.
 * The same client against real Prometheus and VictoriaMetrics: test/e2e/metrics-backends.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendHeaders } from '../../src/config/backendHeaders.js';
import { LegibleError } from '../../src/util/errors.js';
import { PrometheusClient } from '../../src/telemetry/remote/prometheus.js';
import { FixtureBackend, type Asked, type FixtureAnswer } from '../helpers/fixtureBackend.js';

const T = 1_764_496_800_123;
const ok = (data: unknown, extra: Record<string, unknown> = {}): FixtureAnswer => ({ body: { status: 'success', data, ...extra } });

describe('Prometheus HTTP API client', () => {
  let route: (asked: Asked) => FixtureAnswer = () => ok({ resultType: 'vector', result: [] });
  const backend = new FixtureBackend((asked) => route(asked));
  let client: PrometheusClient;
  beforeAll(async () => {
    await backend.start();
    client = new PrometheusClient({ baseUrl: `${backend.url}/prometheus/`, headers: backendHeaders('metrics', { LEGIBLE_METRICS_HEADERS: 'Authorization=Bearer%20tok3n,X-Scope-OrgID=team-a' }) });
  });
  afterAll(() => backend.stop());

  it('sends the query unchanged, with its time, a limit, the server-side timeout and the headers, under the base URL\'s path', async () => {
    route = () => ok({ resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'api' }, value: [T / 1000, '1'] }] });
    const query = 'sum by (job) (rate(http_requests_total{path=~"/api/.+"}[5m])) > 0.5';
    const answer = await client.query(query, T);
    expect(answer).toEqual({ data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'api' }, value: [T / 1000, '1'] }] }, warnings: [] });
    const asked = backend.asked.at(-1)!;
    expect(asked.method).toBe('POST');
    expect(asked.path).toBe('/prometheus/api/v1/query');
    expect(Object.fromEntries(asked.params)).toEqual({ query, time: '1764496800.123', timeout: '10s', limit: '10000' });
    expect(asked.headers).toMatchObject({ authorization: 'Bearer tok3n', 'x-scope-orgid': 'team-a' });

    route = () => ok({ resultType: 'matrix', result: [] });
    await client.queryRange('up', { startMs: T - 3_600_000, endMs: T, stepMs: 15_000 });
    expect(Object.fromEntries(backend.asked.at(-1)!.params)).toEqual({ query: 'up', start: '1764493200.123', end: '1764496800.123', step: '15', timeout: '10s', limit: '10000' });
  });

  it('lists labels, values and series within a time range and a limit', async () => {
    route = (asked) => (asked.path.endsWith('/series') ? ok([{ __name__: 'up', job: 'api' }]) : ok(['job', '__name__', 'instance']));
    const window = { startMs: T - 60_000, endMs: T };
    expect(await client.labelNames(window)).toEqual(['__name__', 'instance', 'job']);
    expect(backend.asked.at(-1)!.path).toBe('/prometheus/api/v1/labels');
    expect(Object.fromEntries(backend.asked.at(-1)!.params)).toEqual({ start: '1764496740.123', end: '1764496800.123', limit: '10000' });
    await client.labelValues('service.name', window);
    expect(backend.asked.at(-1)!.path).toBe('/prometheus/api/v1/label/service.name/values');
    expect(await client.series(['up', '{job="api"}'], window)).toEqual([{ __name__: 'up', job: 'api' }]);
    expect(backend.asked.at(-1)!.params.getAll('match[]')).toEqual(['up', '{job="api"}']);
  });

  it('a refused query quotes the backend and offers Legible\'s own correction', async () => {
    route = () => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error: '1:6: parse error: unexpected "]" in subquery selector, expected ":"' } });
    const error = await client.query('rate(http_requests_total)', T).catch((caught: unknown) => caught as LegibleError);
    expect(error).toBeInstanceOf(LegibleError);
    expect(error.message).toBe(`The Prometheus API at ${backend.url}/prometheus refused the query: bad_data: 1:6: parse error: unexpected "]" in subquery selector, expected ":"`);
    expect(error.hint).toBe('Did you mean: rate(http_requests_total[5m])');
    // Valid PromQL the backend refuses anyway (a MetricsQL-only engine, a limit): its words, no correction.
    route = () => ({ status: 422, body: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory' } });
    const execution = await client.query('up', T).catch((caught: unknown) => caught as LegibleError);
    expect(execution.message).toContain('refused the query: execution: query processing would load too many samples');
    expect(execution.hint).toContain('went to the Prometheus API at');
    // Some proxies answer the error envelope with 200.
    route = () => ({ body: { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' } });
    await expect(client.query('up', T)).rejects.toThrow('refused the query: timeout: query timed out in expression evaluation');
  });

  it('401 and 404 say what to fix: the credentials variable, the base URL', async () => {
    route = () => ({ status: 401, body: 'no org id' });
    const denied = await client.query('up', T).catch((caught: unknown) => caught as LegibleError);
    expect(denied.message).toBe(`The Prometheus API at ${backend.url}/prometheus answered 401 Unauthorized to the query: "no org id".`);
    expect(denied.hint).toContain('set LEGIBLE_METRICS_HEADERS');
    route = () => ({ status: 404, body: '404 page not found' });
    const missing = await client.labelNames({ startMs: T - 1, endMs: T }).catch((caught: unknown) => caught as LegibleError);
    expect(missing.hint).toContain('Is --metrics-url the API\'s base URL');
  });

  it('keeps native-histogram series out (floats only) and says so; passes warnings and infos on', async () => {
    route = () =>
      ok(
        {
          resultType: 'vector',
          result: [
            { metric: { __name__: 'a' }, value: [T / 1000, '2'] },
            { metric: { __name__: 'h' }, histogram: [T / 1000, { count: '3', sum: '1', buckets: [] }] },
          ],
        },
        { warnings: ['PromQL warning: encountered a mix of histograms and floats'], infos: ['PromQL info: metric might not be a counter'] },
      );
    const answer = await client.query('{__name__=~"a|h"}', T);
    expect(answer.data).toEqual({ resultType: 'vector', result: [{ metric: { __name__: 'a' }, value: [T / 1000, '2'] }] });
    expect(answer.warnings).toEqual([
      'PromQL warning: encountered a mix of histograms and floats',
      'PromQL info: metric might not be a counter',
      '1 native-histogram series left out: Legible shows float samples (use histogram_quantile, histogram_count or histogram_sum to get floats).',
    ]);
  });

  it('builds an empty answer\'s catalog from the backend\'s own listings; a listing that fails leaves its part empty', async () => {
    route = (asked) => {
      if (asked.path.endsWith('/label/__name__/values')) return ok(['http_requests_total', 'up']);
      if (asked.path.endsWith('/labels')) return ok(['__name__', 'job', 'status']);
      if (asked.path.endsWith('/label/status/values')) return ok(['200', '500']);
      return { status: 500, body: 'boom' };
    };
    const catalog = await client.catalog('sum(rate(http_request_total{status="404", jbo="x"}[5m]))', { startMs: T - 3_600_000, endMs: T });
    expect(catalog).toEqual({ metricNames: ['http_requests_total', 'up'], labelNames: ['__name__', 'job', 'status'], labelValues: { status: ['200', '500'], jbo: [] } });
  });
});

describe('remoteBackends: what the start-up options ask for', () => {
  it('builds a client per backend set, Tempo or Jaeger as --traces-api says, with headers from the environment, and a forwarder', async () => {
    const { remoteBackends, otlpForwarder } = await import('../../src/telemetry/remote/backends.js');
    const { parseConfig } = await import('../../src/config/config.js');
    const env = { LEGIBLE_TRACES_HEADERS: 'X-Scope-OrgID=team-a' };
    const none = remoteBackends(parseConfig({}), env);
    expect(none).toEqual({});
    const some = remoteBackends(parseConfig({ metricsUrl: 'http://prom:9090', tracesUrl: 'http://jaeger:16686', tracesApi: 'jaeger', backendTimeout: 2_000 }), env);
    expect(some.metrics?.name).toBe('the Prometheus API at http://prom:9090');
    expect(some.traces?.name).toBe('the Jaeger query API at http://jaeger:16686');
    expect(remoteBackends(parseConfig({ tracesUrl: 'http://tempo:3200' }), env).traces?.name).toBe('the Tempo at http://tempo:3200');
    expect(otlpForwarder(parseConfig({}), env)).toBeUndefined();
    const forwarder = otlpForwarder(parseConfig({ otlpForward: 'http://collector:4318' }), env)!;
    expect(forwarder.describe()).toBe('forwarding OTLP to http://collector:4318: nothing sent yet');
  });
});
