import { describe, expect, it } from 'vitest';
import { ingestOtlpMetrics, OtlpMetricsConverter, parseOtlpMetrics } from '../../src/telemetry/metrics/otlpToSamples.js';
import { prometheusLabelName, prometheusMetricName } from '../../src/telemetry/metrics/promNames.js';
import { PromQLEngine } from '../../src/telemetry/metrics/query.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';
import { LegibleError } from '../../src/util/errors.js';

const NANOS = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
const T = 1_700_000_000_000;

describe('OpenTelemetry names as Prometheus names them', () => {
  it('adds unit suffixes, _total for counters, _ratio for unit-1 gauges', () => {
    const cases: [string, string | undefined, Parameters<typeof prometheusMetricName>[2], string][] = [
      ['http.server.request.duration', 's', 'histogram', 'http_server_request_duration_seconds'],
      ['http.server.duration', 'ms', 'histogram', 'http_server_duration_milliseconds'],
      ['system.memory.usage', 'By', 'updown', 'system_memory_usage_bytes'],
      ['http.requests', '{request}', 'counter', 'http_requests_total'],
      ['requests.total', '1', 'counter', 'requests_total'],
      ['cpu.utilization', '1', 'gauge', 'cpu_utilization_ratio'],
      ['network.io', 'By/s', 'gauge', 'network_io_bytes_per_second'],
      ['disk.free', '%', 'gauge', 'disk_free_percent'],
      ['duration_seconds', 's', 'gauge', 'duration_seconds'],
      ['temperature', 'Cel', 'gauge', 'temperature_celsius'],
      ['queue.size', 'items', 'gauge', 'queue_size_items'],
      ['1st.metric', undefined, 'gauge', '_1st_metric'],
      ['jobs', undefined, 'counter', 'jobs_total'],
    ];
    for (const [name, unit, kind, expected] of cases) expect(prometheusMetricName(name, unit, kind), `${name} (${unit})`).toBe(expected);
  });

  it('sanitizes attribute keys into label names', () => {
    expect(prometheusLabelName('http.request.method')).toBe('http_request_method');
    expect(prometheusLabelName('1foo')).toBe('key_1foo');
    expect(prometheusLabelName('_foo')).toBe('key_foo');
    expect(prometheusLabelName('__foo')).toBe('__foo');
    expect(prometheusLabelName('a-b/c')).toBe('a_b_c');
  });
});

function request(metrics: unknown[], resource: Record<string, unknown> = { 'service.name': 'shop', 'service.namespace': 'demo', 'service.instance.id': 'pod-1', 'host.name': 'box' }) {
  return parseOtlpMetrics({
    resourceMetrics: [
      {
        resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } })) },
        scopeMetrics: [{ scope: { name: 'test' }, metrics }],
      },
    ],
  });
}

const attrs = (labels: Record<string, string>) => Object.entries(labels).map(([key, value]) => ({ key, value: { stringValue: value } }));

describe('OTLP metrics → samples', () => {
  it('turns counters, gauges, histograms and summaries into the Prometheus series, with job, instance and target_info', () => {
    const store = new MetricStore();
    const converter = new OtlpMetricsConverter();
    const result = ingestOtlpMetrics(
      store,
      converter,
      request([
        { name: 'http.requests', unit: '{request}', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ attributes: attrs({ 'http.route': '/cart' }), timeUnixNano: NANOS(T), asInt: '42' }] } },
        { name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: NANOS(T), asDouble: 3.5 }] } },
        { name: 'active', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', isMonotonic: false, dataPoints: [{ timeUnixNano: NANOS(T), asInt: 7 }] } },
        {
          name: 'http.server.request.duration',
          unit: 's',
          histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: NANOS(T), count: '6', sum: 1.25, bucketCounts: ['1', '2', '3'], explicitBounds: [0.1, 0.5] }] },
        },
        { name: 'rpc.latency', unit: 'ms', summary: { dataPoints: [{ timeUnixNano: NANOS(T), count: 10, sum: 55, quantileValues: [{ quantile: 0.5, value: 4 }, { quantile: 0.99, value: 20 }] }] } },
      ]),
    );
    expect(result).toMatchObject({ dropped: 0 });
    const engine = new PromQLEngine(store);
    const target = { job: 'demo/shop', instance: 'pod-1' };
    const at = (query: string) => engine.query(query, T).result;
    expect(at('http_requests_total')).toEqual([{ metric: { __name__: 'http_requests_total', http_route: '/cart', ...target }, value: [T / 1000, '42'] }]);
    expect(at('queue_depth')).toMatchObject([{ value: [T / 1000, '3.5'] }]);
    expect(at('active')).toMatchObject([{ value: [T / 1000, '7'] }]);
    expect(at('http_server_request_duration_seconds_bucket')).toEqual([
      { metric: { __name__: 'http_server_request_duration_seconds_bucket', le: '+Inf', ...target }, value: [T / 1000, '6'] },
      { metric: { __name__: 'http_server_request_duration_seconds_bucket', le: '0.1', ...target }, value: [T / 1000, '1'] },
      { metric: { __name__: 'http_server_request_duration_seconds_bucket', le: '0.5', ...target }, value: [T / 1000, '3'] },
    ]);
    expect(at('http_server_request_duration_seconds_sum')).toMatchObject([{ value: [T / 1000, '1.25'] }]);
    expect(at('http_server_request_duration_seconds_count')).toMatchObject([{ value: [T / 1000, '6'] }]);
    expect(at('histogram_quantile(0.5, http_server_request_duration_seconds_bucket)')).toMatchObject([{ value: [T / 1000, '0.5'] }]);
    expect(at('rpc_latency_milliseconds')).toHaveLength(2);
    expect(at('rpc_latency_milliseconds{quantile="0.99"}')).toMatchObject([{ value: [T / 1000, '20'] }]);
    expect(at('rpc_latency_milliseconds_count')).toMatchObject([{ value: [T / 1000, '10'] }]);
    expect(at('target_info')).toEqual([{ metric: { __name__: 'target_info', host_name: 'box', ...target }, value: [T / 1000, '1'] }]);
  });

  it('accumulates delta temporality into cumulative totals per series', () => {
    const store = new MetricStore();
    const converter = new OtlpMetricsConverter();
    const delta = (ms: number, value: number) =>
      request([{ name: 'jobs', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: NANOS(ms), asInt: String(value) }] } }], { 'service.name': 'w' });
    for (const [i, value] of [5, 3, 0, 2].entries()) ingestOtlpMetrics(store, converter, delta(T + i * 10_000, value));
    expect(new PromQLEngine(store).query('jobs_total[1m]', T + 30_000).result).toMatchObject([{ values: [[T / 1000, '5'], [T / 1000 + 10, '8'], [T / 1000 + 20, '8'], [T / 1000 + 30, '10']] }]);
  });

  it('writes exponential histograms as classic buckets with their exponential bounds', () => {
    const store = new MetricStore();
    ingestOtlpMetrics(
      store,
      new OtlpMetricsConverter(),
      request([
        {
          name: 'latency',
          unit: 's',
          exponentialHistogram: {
            aggregationTemporality: 2,
            dataPoints: [{ timeUnixNano: NANOS(T), count: 10, sum: 12, scale: 0, zeroCount: 1, positive: { offset: 0, bucketCounts: [2, 3, 4] }, negative: { offset: 0, bucketCounts: [] } }],
          },
        },
      ]),
    );
    const buckets = (new PromQLEngine(store).query('latency_seconds_bucket', T).result as { metric: { le: string }; value: [number, string] }[])
      .map((sample) => [sample.metric.le, sample.value[1]])
      .sort((a, b) => Number(a[0] === '+Inf' ? Infinity : a[0]) - Number(b[0] === '+Inf' ? Infinity : b[0]));
    // Bucket i at scale 0 covers (2^i, 2^(i+1)]; the zero bucket sits at le="0".
    expect(buckets).toEqual([['0', '1'], ['2', '3'], ['4', '6'], ['8', '10'], ['+Inf', '10']]);
  });

  it('marks series stale for points without a recorded value, joins colliding keys, takes ints and special doubles', () => {
    const store = new MetricStore();
    const converter = new OtlpMetricsConverter();
    ingestOtlpMetrics(store, converter, request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: NANOS(T), asDouble: 'NaN', attributes: attrs({ 'a.b': 'x', a_b: 'y' }) }] } }]));
    const engine = new PromQLEngine(store);
    expect(engine.query('g', T).result).toEqual([{ metric: { __name__: 'g', a_b: 'x;y', job: 'demo/shop', instance: 'pod-1' }, value: [T / 1000, 'NaN'] }]);
    ingestOtlpMetrics(store, converter, request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: NANOS(T + 1_000), flags: 1, attributes: attrs({ 'a.b': 'x', a_b: 'y' }) }] } }]));
    expect(engine.query('g', T + 1_000).result).toEqual([]);
  });

  it('drops what Prometheus drops (no temporality) and says why; refuses what is not OTLP', () => {
    const conversion = new OtlpMetricsConverter().convert(request([{ name: 'x', sum: { isMonotonic: true, dataPoints: [{ asInt: 1 }, { asInt: 2 }] } }]));
    expect(conversion).toMatchObject({ dropped: 2, reasons: ['metric "x" has no aggregation temporality'] });
    expect(() => parseOtlpMetrics({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 3 }] }] }] })).toThrow(LegibleError);
    expect(() => parseOtlpMetrics({ resourceMetrics: 'nope' })).toThrow(/Not an OTLP metrics payload: .* at resourceMetrics/);
  });
});
