import { describe, expect, it } from 'vitest';
import { compactNumber, formatMetricsAnswer, labelsToLookUp } from '../../src/format/metricsFormat.js';
import type { PromQueryData } from '../../src/telemetry/metrics/query.js';

const T = 1_764_496_800_000; // 2025-11-30T10:00:00Z

function vector(count: number, common: Record<string, string> = { __name__: 'http_requests_total', job: 'api' }): PromQueryData {
  return {
    resultType: 'vector',
    result: Array.from({ length: count }, (_, i) => ({ metric: { ...common, instance: `i${i}` }, value: [T / 1000, String(i / 3)] as [number, string] })),
  };
}

describe('formatMetricsAnswer', () => {
  it('says shared labels once and gives one row per series', () => {
    expect(formatMetricsAnswer({ query: 'http_requests_total{job="api"}', data: vector(3), timeMs: T })).toBe(
      [
        '3 series at 2025-11-30T10:00:00Z; all http_requests_total{job="api"}',
        'value     labels',
        '0         {instance="i0"}',
        '0.333333  {instance="i1"}',
        '0.666667  {instance="i2"}',
      ].join('\n'),
    );
  });

  it('shows a range as min, max, last and a few points at common times', () => {
    const data: PromQueryData = {
      resultType: 'matrix',
      result: [
        { metric: { job: 'api' }, values: Array.from({ length: 61 }, (_, i) => [T / 1000 + i * 60, String(i % 7)] as [number, string]) },
        { metric: { job: 'web' }, values: [[T / 1000 + 3_600, 'NaN']] },
      ],
    };
    expect(formatMetricsAnswer({ query: 'x', data, range: { startMs: T, endMs: T + 3_600_000, stepMs: 60_000 } })).toBe(
      [
        '2 series 2025-11-30T10:00:00Z → 2025-11-30T11:00:00Z every 1m0s',
        'points at 10:00:00 10:12:00 10:24:00 10:36:00 10:48:00 11:00:00 (· = no value)',
        '{job="api"}  n=61 min=0 max=6 last=4  [0 5 3 1 6 4]',
        '{job="web"}  n=1 min=NaN max=NaN last=NaN  [· · · · · NaN]',
      ].join('\n'),
    );
  });

  it('stays within its budget and says how many series were left out and how to see them', () => {
    const text = formatMetricsAnswer({ query: 'x', data: vector(500), timeMs: T, budget: 1_000, pageHint: (next) => `metrics {offset: ${next}}` });
    expect(text.length).toBeLessThanOrEqual(1_000);
    const shown = text.split('\n').filter((line) => line.includes('{instance=')).length;
    expect(text).toContain(`… ${500 - shown} more series. To see them: metrics {offset: ${shown}}`);
    const next = formatMetricsAnswer({ query: 'x', data: vector(500), timeMs: T, budget: 1_000, offset: shown });
    expect(next).toContain(`(series ${shown + 1}–`);
    // Rows read in label order (as Prometheus sorts label sets): i0, i1, i10, i100, …
    const inLabelOrder = Array.from({ length: 500 }, (_, i) => `i${i}`).sort();
    expect(next).toContain(`{instance="${inLabelOrder[shown]}"}`);
  });

  it('orders instant rows the same whichever engine answered: by labels, topk largest first, bottomk smallest first, sort() as given', () => {
    const sample = (instance: string, value: string) => ({ metric: { instance }, value: [T / 1000, value] as [number, string] });
    // Prometheus answers topk in heap order, VictoriaMetrics in another: the text must not depend on it.
    const heap = { resultType: 'vector' as const, result: [sample('b', '5'), sample('c', '9'), sample('a', '7'), sample('d', 'NaN')] };
    const rows = (query: string) =>
      formatMetricsAnswer({ query, data: heap, timeMs: T })
        .split('\n')
        .slice(2)
        .map((line) => /instance="(\w)"/.exec(line)![1])
        .join('');
    expect(rows('topk(4, x)')).toBe('cabd');
    expect(rows('bottomk(4, x)')).toBe('bacd');
    expect(rows('x')).toBe('abcd');
    expect(rows('sort_desc(x)')).toBe('bcad');
    expect(rows('rate(x[')).toBe('bcad');
    // Range answers by labels, as Prometheus sorts them (VictoriaMetrics answers in its own order).
    const matrix = { resultType: 'matrix' as const, result: ['c', 'a', 'b'].map((instance) => ({ metric: { instance }, values: [[T / 1000, '1'] as [number, string]] })) };
    const text = formatMetricsAnswer({ query: 'topk(3, x)', data: matrix, range: { startMs: T, endMs: T, stepMs: 60_000 } });
    expect([...text.matchAll(/instance="(\w)"/g)].map((match) => match[1]).join('')).toBe('abc');
  });

  it('answers an empty result with the names that exist, closest to the query first', () => {
    const text = formatMetricsAnswer({
      query: 'sum(rate(http_request_total{jbo="api", status="500"}[5m]))',
      data: { resultType: 'vector', result: [] },
      timeMs: T,
      catalog: {
        metricNames: ['go_goroutines', 'http_requests_total', 'http_request_duration_seconds_bucket', 'up'],
        labelNames: ['__name__', 'instance', 'job', 'le', 'status'],
        labelValues: { status: ['200', '404'] },
        oldestMs: T - 3_600_000,
        newestMs: T - 60_000,
      },
    });
    expect(text).toBe(
      [
        'No series at 2025-11-30T10:00:00Z: sum(rate(http_request_total{jbo="api", status="500"}[5m])) found nothing.',
        'No metric "http_request_total"; closest: http_requests_total, http_request_duration_seconds_bucket',
        'No label "jbo"; closest: job.',
        'Values of status: 200, 404',
        'Metrics (4): http_requests_total, http_request_duration_seconds_bucket, go_goroutines, up',
        'Labels: instance, job, le, status',
        'Data from 2025-11-30T09:00:00Z to 2025-11-30T09:59:00Z.',
      ].join('\n'),
    );
    expect(formatMetricsAnswer({ query: 'up', data: { resultType: 'vector', result: [] }, timeMs: T, catalog: { metricNames: [], labelNames: [] } })).toMatch(/No metrics are stored yet/);
    expect(formatMetricsAnswer({ query: 'rate(up[1m])', data: { resultType: 'vector', result: [] }, timeMs: T, catalog: { metricNames: ['up'], labelNames: ['job'] } })).toMatch(/need at least two samples/);
    expect(labelsToLookUp('sum(rate(x{jbo="api", status=~"5.."}[5m]))')).toEqual(['jbo', 'status']);
  });

  it('writes scalars and strings on one line, numbers compactly', () => {
    expect(formatMetricsAnswer({ query: 'time()', data: { resultType: 'scalar', result: [T / 1000, '1764496800'] }, timeMs: T })).toBe('scalar 1764496800 at 2025-11-30T10:00:00Z');
    expect(formatMetricsAnswer({ query: '"a"', data: { resultType: 'string', result: [T / 1000, 'a'] } })).toBe('string "a"');
    expect(['0.1333333333', '1e-7', '123456789', '+Inf', 'NaN', '2.5e20'].map(compactNumber)).toEqual(['0.133333', '1.000e-7', '123456789', '+Inf', 'NaN', '2.500e+20']);
  });
});
