/**
 * The Loki client against a fixture answering as the Loki HTTP API documents (Loki 3.x,
 * grafana.com/docs/loki/latest/reference/loki-http-api/): log queries by query_range (Unix ns
 * range, limit, direction), metric queries at a step (matrix) or once at the end (/query,
 * vector), categorized labels (structured metadata as each value's third element, asked with
 * X-Loki-Response-Encoding-Flags), the label and series listings, a refused query, and a Loki
 * that stops at the limit. Loki cannot run here: tested by contract (docs/team-stack.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LokiClient } from '../../src/telemetry/remote/loki.js';
import { LegibleError } from '../../src/util/errors.js';
import { FixtureBackend, type Asked, type FixtureAnswer } from '../helpers/fixtureBackend.js';

const T = 1_764_496_800_000;
const WINDOW = { startMs: T - 3_600_000, endMs: T };
const ns = (ms: number) => `${ms}000000`;

describe('Loki client', () => {
  let route: (asked: Asked) => FixtureAnswer = () => ({ body: {} });
  const loki = new FixtureBackend((asked) => route(asked));
  let client: LokiClient;
  beforeAll(async () => {
    await loki.start();
    client = new LokiClient({ baseUrl: loki.url, headers: { 'X-Scope-OrgID': 'team-a' } });
  });
  afterAll(() => loki.stop());

  it('a log query: query_range with the LogQL unchanged, ns range, limit and direction; categorized labels kept as structured metadata', async () => {
    route = () => ({
      body: {
        status: 'success',
        data: {
          resultType: 'streams',
          result: [
            {
              stream: { service_name: 'api', level: 'error' },
              values: [
                [ns(T - 1_000), 'payment failed', { structuredMetadata: { detected_level: 'error', trace_id: '0af7651916cd43dd8448eb211c80319c' }, parsed: {} }],
                [ns(T - 2_000), 'retrying', { structuredMetadata: {} }],
              ],
            },
            { stream: { service_name: 'web' }, values: [[ns(T - 1_500), 'GET /cart 500']] },
          ],
          stats: { summary: { totalLinesProcessed: 1234, execTime: 0.01 } },
        },
      },
    });
    const query = '{service_name=~"api|web"} |= "fail" or "500"';
    const answer = await client.query(query, { ...WINDOW, limit: 100 });
    const asked = loki.asked.at(-1)!;
    expect(asked.path).toBe('/loki/api/v1/query_range');
    expect(Object.fromEntries(asked.params)).toEqual({ query, start: ns(WINDOW.startMs), end: ns(WINDOW.endMs), limit: '100', direction: 'backward' });
    expect(asked.headers).toMatchObject({ 'x-loki-response-encoding-flags': 'categorize-labels', 'x-scope-orgid': 'team-a' });
    expect(answer.data).toEqual({
      resultType: 'streams',
      result: [
        {
          stream: { service_name: 'api', level: 'error' },
          values: [
            [ns(T - 1_000), 'payment failed', { structuredMetadata: { detected_level: 'error', trace_id: '0af7651916cd43dd8448eb211c80319c' } }],
            [ns(T - 2_000), 'retrying'],
          ],
        },
        { stream: { service_name: 'web' }, values: [[ns(T - 1_500), 'GET /cart 500']] },
      ],
    });
    expect(answer.stats).toEqual({ matched: 3, returned: 3, scanned: 1234, evicted: 0, parseErrors: 0, startMs: WINDOW.startMs, endMs: WINDOW.endMs });
  });

  it('says when Loki stopped at the limit (it does not count the rest)', async () => {
    route = () => ({ body: { status: 'success', data: { resultType: 'streams', result: [{ stream: { app: 'api' }, values: [[ns(T - 1), 'a'], [ns(T - 2), 'b']] }] } } });
    const answer = await client.query('{app="api"}', { ...WINDOW, limit: 2, direction: 'forward' });
    expect(loki.asked.at(-1)!.params.get('direction')).toBe('forward');
    expect(answer.stats.partial).toBe('Loki answered its limit of 2 entries; more may match');
  });

  it('says so in good grammar for a limit of one', async () => {
    route = () => ({ body: { status: 'success', data: { resultType: 'streams', result: [{ stream: { app: 'api' }, values: [[ns(T - 1), 'a']] }] } } });
    expect((await client.query('{app="api"}', { ...WINDOW, limit: 1 })).stats.partial).toBe('Loki answered its limit of 1 entry; more may match');
  });

  it('a metric query: at a step by query_range (matrix), without one once at the end by /query (vector)', async () => {
    route = () => ({ body: { status: 'success', data: { resultType: 'matrix', result: [{ metric: { level: 'error' }, values: [[T / 1000 - 60, '3'], [T / 1000, '5']] }, { metric: { __error__: 'JSONParserErr' }, values: [[T / 1000, '1']] }] } } });
    const range = await client.query('sum by (level) (count_over_time({app="api"} | json [1m]))', { ...WINDOW, limit: 100, stepMs: 60_000 });
    expect(loki.asked.at(-1)!.path).toBe('/loki/api/v1/query_range');
    expect(loki.asked.at(-1)!.params.get('step')).toBe('60');
    expect(range.data.resultType).toBe('matrix');
    // The steps the embedded engine uses: ending at the end of the range.
    expect(loki.asked.at(-1)!.params.get('start')).toBe(ns(WINDOW.startMs));
    expect(range.stats).toMatchObject({ stepMs: 60_000, startMs: WINDOW.startMs, parseErrors: 0 });
    route = () => ({ body: { status: 'success', data: { resultType: 'vector', result: [{ metric: { app: 'api' }, value: [T / 1000, '42'] }] } } });
    const instant = await client.query('count_over_time({app="api"}[1h])', { ...WINDOW, limit: 100 });
    expect(loki.asked.at(-1)!.path).toBe('/loki/api/v1/query');
    expect(Object.fromEntries(loki.asked.at(-1)!.params)).toEqual({ query: 'count_over_time({app="api"}[1h])', time: ns(T), limit: '100' });
    expect(instant.data).toEqual({ resultType: 'vector', result: [{ metric: { app: 'api' }, value: [T / 1000, '42'] }] });
  });

  it('lists labels, values and streams within the range', async () => {
    route = (asked) => ({ body: { status: 'success', data: asked.path.endsWith('/series') ? [{ app: 'api', stream: 'stderr' }] : ['stream', 'app'] } });
    expect(await client.labelNames(WINDOW)).toEqual(['app', 'stream']);
    expect(Object.fromEntries(loki.asked.at(-1)!.params)).toEqual({ start: ns(WINDOW.startMs), end: ns(WINDOW.endMs) });
    await client.labelValues('app', WINDOW);
    expect(loki.asked.at(-1)!.path).toBe('/loki/api/v1/label/app/values');
    expect(await client.series(['{app="api"}'], WINDOW)).toEqual([{ app: 'api', stream: 'stderr' }]);
    expect(loki.asked.at(-1)!.params.getAll('match[]')).toEqual(['{app="api"}']);
  });

  it('a refused query quotes Loki', async () => {
    route = () => ({ status: 400, body: 'parse error at line 1, col 15: syntax error: unexpected IDENTIFIER, expecting STRING' });
    const error = await client.query('{app="api"} |= error', { ...WINDOW, limit: 100 }).catch((caught: unknown) => caught as LegibleError);
    expect(error).toBeInstanceOf(LegibleError);
    expect(error.message).toBe(`The Loki at ${loki.url} refused the query: parse error at line 1, col 15: syntax error: unexpected IDENTIFIER, expecting STRING`);
  });
});
