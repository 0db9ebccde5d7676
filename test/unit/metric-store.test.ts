import { describe, expect, it } from 'vitest';
import type { Matcher } from '../../src/telemetry/metrics/ast.js';
import { referencedNames, storeCatalog } from '../../src/telemetry/metrics/catalog.js';
import { compileRegex } from '../../src/telemetry/metrics/lexical.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';

const eq = (name: string, value: string): Matcher => ({ name, op: '=', value });
const ne = (name: string, value: string): Matcher => ({ name, op: '!=', value });
const re = (name: string, value: string): Matcher => ({ name, op: '=~', value, regex: compileRegex(value) });
const nre = (name: string, value: string): Matcher => ({ name, op: '!~', value, regex: compileRegex(value) });

function filled(): MetricStore {
  const store = new MetricStore();
  for (let i = 0; i < 10; i++) {
    store.append({ labels: { __name__: 'req_total', job: 'api', code: '200' }, timeMs: i * 1000, value: i });
    store.append({ labels: { __name__: 'req_total', job: 'api', code: '500' }, timeMs: i * 1000, value: i * 2 });
    store.append({ labels: { __name__: 'req_total', job: 'web', code: '200' }, timeMs: i * 1000, value: i * 3 });
    store.append({ labels: { __name__: 'temp', room: 'a' }, timeMs: i * 1000, value: 20 });
  }
  return store;
}

describe('MetricStore', () => {
  it('selects by all four matchers through the label index, sorted by labels', () => {
    const store = filled();
    const keys = (matchers: Matcher[]) => store.select(matchers, 0, 10_000).map((series) => `${series.labels.__name__}/${series.labels.job ?? ''}/${series.labels.code ?? ''}`);
    // Sorted as Prometheus sorts label sets: pair by pair in name order (code before job).
    expect(keys([eq('__name__', 'req_total')])).toEqual(['req_total/api/200', 'req_total/web/200', 'req_total/api/500']);
    expect(keys([eq('__name__', 'req_total'), ne('code', '200')])).toEqual(['req_total/api/500']);
    expect(keys([re('job', 'a.*')])).toEqual(['req_total/api/200', 'req_total/api/500']);
    expect(keys([eq('__name__', 'req_total'), nre('job', 'api|x')])).toEqual(['req_total/web/200']);
    // A matcher that accepts "" also accepts series without the label; one that refuses "" requires it.
    expect(keys([re('__name__', '.+'), eq('job', '')])).toEqual(['temp//']);
    expect(keys([re('__name__', '.+'), ne('job', '')])).toHaveLength(3);
    expect(keys([eq('__name__', 'nope')])).toEqual([]);
  });

  it('returns the samples in [minT, maxT], both ends included, across chunks', () => {
    const store = new MetricStore();
    for (let i = 0; i < 2_000; i++) store.append({ labels: { __name__: 'x' }, timeMs: i * 10, value: i });
    const [series] = store.select([eq('__name__', 'x')], 4_000, 14_000);
    expect(series!.t.length).toBe(1_001);
    expect(series!.t[0]).toBe(4_000);
    expect(series!.t[series!.t.length - 1]).toBe(14_000);
    expect(Array.from(series!.v.subarray(0, 3))).toEqual([400, 401, 402]);
    expect(store.select([eq('__name__', 'x')], 30_000, 40_000)).toEqual([]);
  });

  it('refuses samples older than the newest of their series, and a second value for the same time', () => {
    const store = new MetricStore();
    expect(store.append({ labels: { __name__: 'x' }, timeMs: 2_000, value: 1 })).toBe(true);
    expect(store.append({ labels: { __name__: 'x' }, timeMs: 1_000, value: 2 })).toBe(false);
    expect(store.append({ labels: { __name__: 'x' }, timeMs: 2_000, value: 3 })).toBe(false);
    expect(store.stats()).toMatchObject({ series: 1, samples: 1, dropped: { outOfOrder: 1 } });
  });

  it('drops empty label values and keeps one series per label set, whatever the order of labels', () => {
    const store = new MetricStore();
    store.append({ labels: { b: '2', __name__: 'x', a: '1', empty: '' }, timeMs: 1, value: 1 });
    store.append({ labels: { __name__: 'x', a: '1', b: '2' }, timeMs: 2, value: 2 });
    expect(store.series()).toEqual([{ __name__: 'x', a: '1', b: '2' }]);
    expect(store.labelNames()).toEqual(['__name__', 'a', 'b']);
    expect(store.metricNames()).toEqual(['x']);
    expect(store.labelValues('a')).toEqual(['1']);
  });

  it('keeps stale markers apart from NaN values, only for series it holds', () => {
    const store = new MetricStore();
    store.append({ labels: { __name__: 'x' }, timeMs: 1_000, value: NaN });
    expect(store.appendStale({ __name__: 'x' }, 2_000)).toBe(true);
    expect(store.appendStale({ __name__: 'never' }, 2_000)).toBe(false);
    const [series] = store.select([eq('__name__', 'x')], 0, 3_000);
    expect(Array.from(series!.stale!)).toEqual([0, 1]);
    expect(series!.v[0]).toBeNaN();
  });

  it('drops the oldest samples past the sample cap, and counts them', () => {
    const store = new MetricStore({ maxSamples: 1_000 });
    for (let i = 0; i < 3_000; i++) {
      store.append({ labels: { __name__: 'a' }, timeMs: i, value: i });
      store.append({ labels: { __name__: 'b' }, timeMs: i, value: i });
    }
    const stats = store.stats();
    expect(stats.samples).toBeLessThanOrEqual(1_000);
    expect(stats.samples + stats.dropped.samples).toBe(6_000);
    // What is left is the newest of each series.
    for (const name of ['a', 'b']) {
      const [series] = store.select([eq('__name__', name)], 0, 10_000);
      expect(series!.t[series!.t.length - 1]).toBe(2_999);
      expect(series!.t[0]).toBeGreaterThan(2_000);
    }
  });

  it('stays under the byte cap', () => {
    const store = new MetricStore({ maxBytes: 200_000 });
    for (let i = 0; i < 50_000; i++) store.append({ labels: { __name__: 'a', n: String(i % 20) }, timeMs: i, value: i });
    expect(store.stats().bytes).toBeLessThanOrEqual(200_000);
    expect(store.stats().dropped.samples).toBeGreaterThan(0);
  });

  it('drops the series written longest ago at the series cap, and forgets their labels', () => {
    const store = new MetricStore({ maxSeries: 64 });
    for (let i = 0; i < 100; i++) store.append({ labels: { __name__: 'x', id: String(i) }, timeMs: i, value: 1 });
    const stats = store.stats();
    expect(stats.series).toBeLessThanOrEqual(64);
    expect(stats.dropped.series).toBe(100 - stats.series);
    expect(store.labelValues('id')).not.toContain('0');
    expect(store.labelValues('id')).toContain('99');
  });

  it('lists what exists for an empty answer: names, labels, the values of the labels a query uses, the time span', () => {
    const store = filled();
    expect(referencedNames('sum(rate(req_total{job="x", code=~"5.."}[5m])) / on(job) temp')).toEqual({ metrics: ['req_total', 'temp'], labels: ['job', 'code'] });
    expect(storeCatalog(store, 'req_total{job="nope"}')).toEqual({
      metricNames: ['req_total', 'temp'],
      labelNames: ['__name__', 'code', 'job', 'room'],
      labelValues: { job: ['api', 'web'] },
      oldestMs: 0,
      newestMs: 9_000,
    });
  });
});
