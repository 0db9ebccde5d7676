/**
 * The engine's own rules, checked without a Prometheus (test/e2e/promql-prometheus.test.ts
 * compares it with a real one): answer shapes, lookback and staleness, limits, errors.
 */
import { describe, expect, it } from 'vitest';
import { PromQLEngine } from '../../src/telemetry/metrics/query.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';
import { formatValue } from '../../src/telemetry/metrics/values.js';
import { LegibleError } from '../../src/util/errors.js';

const T = 1_700_000_000_000;

function engineWith(build: (store: MetricStore) => void, options = {}): PromQLEngine {
  const store = new MetricStore();
  build(store);
  return new PromQLEngine(store, options);
}

const counter = (store: MetricStore, labels: Record<string, string>, every = 15_000, count = 41, step = 10) => {
  for (let i = 0; i < count; i++) store.append({ labels: { __name__: 'req_total', ...labels }, timeMs: T + i * every, value: i * step });
};

describe('PromQL engine', () => {
  it('answers in the shape of the Prometheus HTTP API data', () => {
    const engine = engineWith((store) => counter(store, { job: 'a' }));
    expect(engine.query('req_total', T + 600_000)).toEqual({ resultType: 'vector', result: [{ metric: { __name__: 'req_total', job: 'a' }, value: [(T + 600_000) / 1000, '400'] }] });
    expect(engine.query('1 + 1', T)).toEqual({ resultType: 'scalar', result: [T / 1000, '2'] });
    expect(engine.query('"x"', T)).toEqual({ resultType: 'string', result: [T / 1000, 'x'] });
    expect(engine.query('req_total[30s]', T + 600_000)).toEqual({
      resultType: 'matrix',
      result: [{ metric: { __name__: 'req_total', job: 'a' }, values: [[(T + 570_000) / 1000, '380'], [(T + 585_000) / 1000, '390'], [(T + 600_000) / 1000, '400']] }],
    });
    const range = engine.queryRange('rate(req_total[1m])', T + 60_000, T + 120_000, 30_000);
    expect(range).toEqual({ resultType: 'matrix', result: [{ metric: { job: 'a' }, values: [[(T + 60_000) / 1000, '0.6666666666666666'], [(T + 90_000) / 1000, '0.6666666666666666'], [(T + 120_000) / 1000, '0.6666666666666666']] }] });
  });

  it('looks back 5 minutes for the newest sample, and no further', () => {
    const engine = engineWith((store) => store.append({ labels: { __name__: 'g' }, timeMs: T, value: 7 }));
    expect(engine.query('g', T + 300_000).result).toHaveLength(1);
    expect(engine.query('g', T + 300_001).result).toEqual([]);
    expect(engine.query('g', T - 1).result).toEqual([]);
    const lookback = new PromQLEngine((engine as unknown as { store: MetricStore }).store, { lookbackMs: 60_000 });
    expect(lookback.query('g', T + 60_001).result).toEqual([]);
  });

  it('hides a series from the moment of its stale marker, and leaves it out of ranges', () => {
    const engine = engineWith((store) => {
      store.append({ labels: { __name__: 'g' }, timeMs: T, value: 1 });
      store.append({ labels: { __name__: 'g' }, timeMs: T + 15_000, value: 2 });
      store.appendStale({ __name__: 'g' }, T + 30_000);
    });
    expect(engine.query('g', T + 29_999).result).toHaveLength(1);
    expect(engine.query('g', T + 30_000).result).toEqual([]);
    expect(engine.query('count_over_time(g[1m])', T + 40_000)).toMatchObject({ result: [{ value: [expect.any(Number), '2'] }] });
  });

  it('writes floats as Go does, never in exponent form', () => {
    expect(formatValue(1e21)).toBe('1000000000000000000000');
    expect(formatValue(1.5e-7)).toBe('0.00000015');
    expect(formatValue(-0.1)).toBe('-0.1');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-Inf');
  });

  it('refuses range queries Prometheus refuses, saying what to change', () => {
    const engine = engineWith((store) => counter(store, {}));
    const error = (run: () => unknown) => {
      try {
        run();
      } catch (problem) {
        expect(problem).toBeInstanceOf(LegibleError);
        return `${(problem as LegibleError).message} | ${(problem as LegibleError).hint}`;
      }
      return 'answered';
    };
    expect(error(() => engine.queryRange('req_total', T, T + 86_400_000, 1_000))).toMatch(/exceeded maximum resolution of 11,000 points.*\| Use a larger step \(at least 7\.86s\)/);
    expect(error(() => engine.queryRange('req_total[5m]', T, T + 60_000, 15_000))).toMatch(/invalid expression type "range vector" for range query.*\| Wrap the range in a function such as rate/);
    expect(error(() => engine.queryRange('req_total', T, T + 60_000, 0))).toMatch(/step must be positive/);
    expect(error(() => engine.queryRange('req_total', T + 60_000, T, 1_000))).toMatch(/end of the range is before its start/);
    expect(error(() => engine.query('req_total', NaN))).toMatch(/The time of the query is not a time/);
    expect(error(() => engine.queryRange('req_total', T, Infinity, 1_000))).toMatch(/The end of the query is not a time/);
  });

  it('explains matching errors and the same-labelset error with a next step', () => {
    const engine = engineWith((store) => {
      counter(store, { job: 'a', instance: '1' });
      counter(store, { job: 'a', instance: '2' });
      counter(store, { job: 'b', instance: '1' }, 15_000, 41, 1);
      for (let i = 0; i < 41; i++) store.append({ labels: { __name__: 'copy_total', job: 'a', instance: '1' }, timeMs: T + i * 15_000, value: i });
    });
    const at = T + 600_000;
    expect(() => engine.query('req_total / on(job) req_total', at)).toThrow(/found duplicate series for the match group \{job="a"\} on the right hand-side/);
    try {
      engine.query('req_total / on(job) req_total', at);
    } catch (problem) {
      expect((problem as LegibleError).hint).toMatch(/group_left/);
    }
    expect(() => engine.query('label_replace(req_total, "instance", "x", "", "") * 2', at)).toThrow(/vector cannot contain metrics with the same labelset/);
    // Two left series that differ only in the name they lose, matched to one right series.
    expect(() => engine.query('{__name__=~"req_total|copy_total", job="a", instance="1"} * on(job, instance) group_left req_total{job="a", instance="1"}', at)).toThrow(
      /multiple matches for labels: grouping labels must ensure unique matches/,
    );
  });

  it('bounds the samples one query may load', () => {
    const engine = engineWith((store) => counter(store, {}, 1_000, 2_000), { maxSamples: 1_000 });
    expect(() => engine.query('count_over_time(req_total[30m])', T + 2_000_000)).toThrow(/too many samples/);
    expect(engine.query('count_over_time(req_total[10m])', T + 2_000_000).result).toHaveLength(1);
  });

  it('evaluates subqueries at steps aligned to their resolution, and @ at a fixed time', () => {
    const engine = engineWith((store) => counter(store, {}, 15_000, 200));
    // Steps at multiples of 1m in (t - 5m, t]: 5 of them when t is not on a minute.
    expect(engine.query('count_over_time(req_total[5m:1m])', T + 30 * 60_000 + 7_000)).toMatchObject({ result: [{ value: [expect.any(Number), '5'] }] });
    const pinned = engine.queryRange(`req_total @ ${(T + 60_000) / 1000}`, T + 600_000, T + 660_000, 30_000);
    expect(pinned).toMatchObject({ result: [{ values: [[expect.any(Number), '40'], [expect.any(Number), '40'], [expect.any(Number), '40']] }] });
  });
});
