import { beforeAll, describe, expect, it } from 'vitest';
import { loadLogql } from '../../src/telemetry/logs/logql/parse.js';
import { runLogql } from '../../src/telemetry/logs/logql/query.js';
import type { MatrixData, StreamsData, VectorData } from '../../src/telemetry/logs/logql/answer.js';
import { LogStore } from '../../src/telemetry/logs/store.js';

beforeAll(loadLogql);

const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);

/** api: pino JSON; web: plain text; worker: logfmt. One entry a second from T0. */
function sampleStore(): LogStore {
  const store = new LogStore();
  const add = (second: number, labels: Record<string, string>, line: string, extra: { traceId?: string } = {}) =>
    store.append({ timeMs: T0 + second * 1_000, labels, line, ...extra });
  const api = { app: 'api', stream: 'stdout' };
  add(0, api, JSON.stringify({ level: 30, msg: 'listening', port: 4000 }));
  add(1, api, JSON.stringify({ level: 30, msg: 'request completed', req: { method: 'GET', url: '/api/items' }, status: 200, took: '12ms' }));
  add(2, api, JSON.stringify({ level: 50, msg: 'upstream timeout', req: { method: 'POST', url: '/api/cart' }, status: 500, took: '3.2s' }), { traceId: 'a'.repeat(32) });
  add(3, api, JSON.stringify({ level: 40, msg: 'slow query', status: 200, took: '1.5s' }));
  add(4, api, JSON.stringify({ level: 50, msg: 'upstream timeout', req: { method: 'POST', url: '/api/cart' }, status: 502, took: '3s' }));
  add(5, { app: 'web', stream: 'stdout' }, 'VITE v8 ready in 300 ms');
  add(6, { app: 'web', stream: 'stderr' }, 'Error: proxy timeout\n    at Proxy.handle (proxy.js:1:1)');
  add(7, { app: 'worker', stream: 'stdout' }, 'time=x level=info msg="job done" duration=250ms');
  add(8, { app: 'worker', stream: 'stdout' }, 'time=x level=error msg="job failed" duration=2s');
  return store;
}

const range = { startMs: T0 - 1_000, endMs: T0 + 60_000, limit: 100 };
const lines = (data: unknown) =>
  (data as StreamsData).result
    .flatMap((stream) => stream.values.map((value) => [value[0], `${stream.stream.app}: ${value[1]}`] as const))
    .sort((a, b) => (BigInt(b[0]) > BigInt(a[0]) ? 1 : -1))
    .map(([, line]) => line);

describe('LogQL log queries', () => {
  it('selects streams and filters lines, newest first', () => {
    const answer = runLogql(sampleStore(), '{app=~"api|web"} |= "timeout"', range);
    expect(answer.data.resultType).toBe('streams');
    expect(lines(answer.data)).toEqual([
      'web: Error: proxy timeout\n    at Proxy.handle (proxy.js:1:1)',
      `api: ${JSON.stringify({ level: 50, msg: 'upstream timeout', req: { method: 'POST', url: '/api/cart' }, status: 502, took: '3s' })}`,
      `api: ${JSON.stringify({ level: 50, msg: 'upstream timeout', req: { method: 'POST', url: '/api/cart' }, status: 500, took: '3.2s' })}`,
    ]);
    expect(answer.stats).toMatchObject({ matched: 3, returned: 3 });
  });

  it('counts every match but returns at most the limit', () => {
    const answer = runLogql(sampleStore(), '{app="api"}', { ...range, limit: 2 });
    expect(answer.stats).toMatchObject({ matched: 5, returned: 2 });
    expect(lines(answer.data)).toHaveLength(2);
    const oldest = runLogql(sampleStore(), '{app="api"}', { ...range, limit: 1, direction: 'forward' });
    expect(lines(oldest.data)[0]).toContain('listening');
  });

  it('parses JSON (pino levels read as names) and logfmt, and filters on fields', () => {
    expect(lines(runLogql(sampleStore(), '{app="api"} | json | level="error" | line_format "{{.req_method}} {{.req_url}} {{.status}}"', range).data)).toEqual([
      'api: POST /api/cart 502',
      'api: POST /api/cart 500',
    ]);
    expect(lines(runLogql(sampleStore(), '{app="api"} | json | status >= 500 and took > 3.1s | line_format "{{.msg}} {{.took}}"', range).data)).toEqual(['api: upstream timeout 3.2s']);
    expect(lines(runLogql(sampleStore(), '{app="worker"} | logfmt | duration > 1s | line_format "{{.msg | ToUpper}}"', range).data)).toEqual(['worker: JOB FAILED']);
    expect(lines(runLogql(sampleStore(), '{app="api"} | json m="req.method" | m="POST" | line_format "{{.m}}"', range).data)).toEqual(['api: POST', 'api: POST']);
  });

  it('keeps lines a parser cannot read, marked with __error__', () => {
    const answer = runLogql(sampleStore(), '{app="web"} | json | __error__="JSONParserErr"', range);
    expect(answer.stats.matched).toBe(2);
    expect(runLogql(sampleStore(), '{app="web"} | json | __error__=""', range).stats.matched).toBe(0);
  });

  it('filters on the detected level and trace ids (structured metadata) without a parser', () => {
    expect(runLogql(sampleStore(), '{app=~".+"} | detected_level=~"error|fatal"', range).stats.matched).toBe(4);
    const traced = runLogql(sampleStore(), `{app="api"} | trace_id="${'a'.repeat(32)}"`, range);
    expect(traced.stats.matched).toBe(1);
    const value = (traced.data as StreamsData).result[0]!.values[0]!;
    expect(value[2]).toEqual({ structuredMetadata: { detected_level: 'error', trace_id: 'a'.repeat(32) } });
  });

  it('answers Loki timestamps in nanoseconds and honours the time range', () => {
    const answer = runLogql(sampleStore(), '{app="api"}', { startMs: T0 + 1_000, endMs: T0 + 2_000, limit: 10 });
    expect((answer.data as StreamsData).result[0]!.values.map((value) => value[0])).toEqual([`${T0 + 2_000}000000`, `${T0 + 1_000}000000`]);
  });
});

describe('LogQL metric queries', () => {
  it('counts by level over one range covering the time range (a vector)', () => {
    const answer = runLogql(sampleStore(), 'sum by (level) (count_over_time({app="api"} | json [10m]))', { startMs: T0, endMs: T0 + 10_000, limit: 0 });
    expect(answer.data.resultType).toBe('vector');
    const values = Object.fromEntries((answer.data as VectorData).result.map((sample) => [sample.metric.level, sample.value[1]]));
    expect(values).toEqual({ info: '2', warn: '1', error: '2' });
  });

  it('evaluates at steps over a longer time range (a matrix)', () => {
    const answer = runLogql(sampleStore(), 'sum(count_over_time({app=~".+"}[2s]))', { startMs: T0, endMs: T0 + 8_000, limit: 0, stepMs: 2_000 });
    expect(answer.data.resultType).toBe('matrix');
    // Windows (t-2s, t] at t = 0, 2, 4, 6, 8 s: {0}, {1,2}, {3,4}, {5,6}, {7,8}.
    expect((answer.data as MatrixData).result[0]!.values.map((sample) => sample[1])).toEqual(['1', '2', '2', '2', '2']);
  });

  it('rates, bytes, unwrap and topk (windows are (t - range, t])', () => {
    const options = { startMs: T0, endMs: T0 + 10_000, limit: 0 };
    const rate = runLogql(sampleStore(), 'sum(rate({app="worker"}[10s]))', options).data as VectorData;
    expect(rate.result[0]!.value[1]).toBe('0.2');
    const bytes = runLogql(sampleStore(), 'sum(bytes_over_time({app="web", stream="stdout"}[10s]))', options).data as VectorData;
    expect(bytes.result[0]!.value[1]).toBe(String('VITE v8 ready in 300 ms'.length));
    const slowest = runLogql(sampleStore(), 'max_over_time({app="api"} | json | unwrap duration(took) [10s]) by (msg)', options).data as VectorData;
    expect(Object.fromEntries(slowest.result.map((sample) => [sample.metric.msg, sample.value[1]]))).toEqual({
      'request completed': '0.012',
      'slow query': '1.5',
      'upstream timeout': '3.2',
    });
    const top = runLogql(sampleStore(), 'topk(1, sum by (app) (count_over_time({app=~".+"}[1m])))', options).data as VectorData;
    expect(top.result).toEqual([{ metric: { app: 'api' }, value: [(T0 + 10_000) / 1000, '5'] }]);
  });

  it('keeps unparsable lines as their own series instead of failing', () => {
    const answer = runLogql(sampleStore(), 'sum by (level) (count_over_time({app=~"api|web"} | json [10m]))', { startMs: T0, endMs: T0 + 10_000, limit: 0 });
    const errors = (answer.data as VectorData).result.find((sample) => sample.metric.__error__);
    expect(errors).toEqual({ metric: { __error__: 'JSONParserErr' }, value: [(T0 + 10_000) / 1000, '2'] });
    expect(answer.stats.parseErrors).toBe(2);
  });

  it('refuses a query that would make too many series', () => {
    const store = new LogStore();
    for (let i = 0; i < 10_001; i++) store.append({ timeMs: T0, labels: { app: 'api' }, line: JSON.stringify({ id: i }) });
    expect(() => runLogql(store, 'count_over_time({app="api"} | json [1m])', { startMs: T0 - 1, endMs: T0 + 1, limit: 0 })).toThrow(/more than 10,000 series/);
  });
});
