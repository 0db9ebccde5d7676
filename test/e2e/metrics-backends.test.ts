/**
 * The same metrics answers from the embedded store and from real engines, through the
 * MetricsBackend interface and the formatter: Debian's Prometheus 2.42 (backfilled with promtool)
 * and VictoriaMetrics 1.79 (imported through its Prometheus text import with millisecond
 * timestamps) hold exactly the samples Legible's store holds (checked), then every query of the
 * PromQL corpus is asked of the three, instant and range, and the ANSWERS AS RENDERED (the text
 * an agent reads, including an empty answer's hints from each backend's own listings) compared.
 *
 * Prometheus must render the same text for every query but the documented `@` difference
 * (docs/promql.md). VictoriaMetrics evaluates MetricsQL, which differs from PromQL on purpose in
 * places: the everyday queries below must agree except where KNOWN_VM_DIFFERENCES says why;
 * the whole corpus's agreement is printed (docs/team-stack.md lists the differences).
 * Skips loudly without the binaries; fails under CI=true without them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMetricsAnswer } from '../../src/format/metricsFormat.js';
import type { MetricsBackend } from '../../src/telemetry/backends.js';
import { EmbeddedMetrics } from '../../src/telemetry/metrics/backend.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';
import { PrometheusClient } from '../../src/telemetry/remote/prometheus.js';
import { buildDataset, T0, TEND } from '../helpers/metricsDataset.js';
import { A, B, CORPUS, R1, type CorpusCase, type QueryRange } from '../helpers/promqlCorpus.js';
import { backfill, prometheusOrSkip, RunningPrometheus } from '../helpers/prometheus.js';
import { RunningVictoriaMetrics, victoriaMetricsOrSkip } from '../helpers/victoriaMetrics.js';

const prometheusBinaries = prometheusOrSkip('Metrics backends: Prometheus');
const vmBinary = victoriaMetricsOrSkip('Metrics backends: VictoriaMetrics');

const MIN = 60_000;

/** Prometheus disagreements that are understood, by query (see docs/promql.md). */
const KNOWN_PROMETHEUS_DIFFERENCES: Record<string, string> = {
  'predict_linear(memory_usage_bytes[5m] @ end(), 60)': 'Prometheus 2.42 moves an @-pinned window with each step of a range query for functions that are not step-invariant; Legible keeps it at the @ time.',
};

/** Queries agents write every day: VictoriaMetrics must render exactly what the embedded store renders. */
const EVERYDAY = [
  'http_requests_total',
  'http_requests_total{job="api"}',
  'http_requests_total{instance=~"i[12]", method!~"G.*"}',
  '{__name__=~"http_requests_total|up", job="web"}',
  'path_hits_total{path=~"/api/.*"}',
  'nonexistent_metric',
  'http_requests_total offset 10m',
  'irate(http_requests_total[5m])',
  'last_over_time(temperature_celsius[5m])',
  'count_over_time(batch_items_total[5m])',
  'sum(http_requests_total)',
  'max by (job) (http_requests_total)',
  'count by (instance) (http_requests_total)',
  'count(up == 1)',
  'topk(100, temperature_celsius)',
  'quantile(0.5, temperature_celsius)',
  'http_requests_total > 1000',
  'http_requests_total - http_requests_total offset 5m',
  'up * on() group_left(version, revision) build_info',
  'http_requests_total{status="500"} or http_requests_total{method="POST"}',
  'up unless on(instance) (up == 0)',
  'label_replace(up, "host", "$1", "instance", "i(.*)")',
  'sort_desc(memory_usage_bytes)',
  'absent(nonexistent{job="x"})',
  'timestamp(http_requests_total)',
  'vector(1)',
];

/**
 * Everyday queries that VictoriaMetrics answers differently, with the reason (MetricsQL differs
 * from PromQL on purpose; docs/team-stack.md lists these). Each must still differ: a difference
 * that goes away fails the test, so the list stays true.
 */
const KNOWN_VM_DIFFERENCES: Record<string, string> = {
  'rate(http_requests_total[5m])': 'MetricsQL rate() does not extrapolate to the window edges; it takes the increase from the last sample before the window.',
  'increase(http_requests_total[10m])': 'MetricsQL increase() does not extrapolate: whole numbers on integer counters.',
  'sum by (job) (rate(http_requests_total[5m]))': 'rate() as above.',
  'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))': 'rate() as above, under the quantile.',
  'max_over_time(temperature_celsius[30m])': 'MetricsQL keeps the metric name after functions that do not change what a value means (the *_over_time family, round, ceil, floor, clamp_*).',
  'round(temperature_celsius)': 'The metric name is kept, as above.',
  '1 + 2 * 3': 'MetricsQL answers a scalar as an instant vector of one series without labels.',
  'time()': 'A scalar, as above.',
  '"hello"': 'MetricsQL has no string results: a string literal answers nothing.',
  special_values: 'VictoriaMetrics drops NaN samples at ingestion (it keeps ±Inf).',
  queue_depth: 'A series ends after about two of its own sample intervals without a sample (VictoriaMetrics detects the interval), not after a fixed 5-minute lookback: a series that stopped disappears sooner, and a range past the end of the data has fewer points.',
  'stdvar_over_time(memory_usage_bytes[30m])': 'A window leaves out a sample exactly at its start ((t-d, t], as Prometheus 3 does); Prometheus 2.42 includes it.',
};

interface Ask {
  what: string;
  query: string;
  at?: number;
  range?: QueryRange;
}

function asks(cases: CorpusCase[]): Ask[] {
  const out: Ask[] = [];
  for (const c of cases) {
    for (const at of c.at ?? [A, B]) out.push({ what: `${c.query}  @ T0+${(at - T0) / 1000}s`, query: c.query, at });
    for (const range of c.ranges ?? [R1]) out.push({ what: `${c.query}  over T0+${(range.start - T0) / 1000}s..T0+${(range.end - T0) / 1000}s step ${range.step / 1000}s`, query: c.query, range });
  }
  return out;
}

/** The text an agent would read: the formatted answer, or "refused" (each engine words its refusal its own way). */
async function render(backend: MetricsBackend, ask: Ask): Promise<string> {
  try {
    const window = ask.range ? { startMs: ask.range.start - 24 * 60 * MIN, endMs: ask.range.end + 5 * MIN } : { startMs: ask.at! - 24 * 60 * MIN, endMs: ask.at! + 5 * MIN };
    const { data } = ask.range
      ? await backend.queryRange(ask.query, { startMs: ask.range.start, endMs: ask.range.end, stepMs: ask.range.step })
      : await backend.query(ask.query, ask.at!);
    const empty = Array.isArray(data.result) && data.result.length === 0 && (data.resultType === 'vector' || data.resultType === 'matrix');
    const catalog = empty ? await backend.catalog(ask.query, window) : undefined;
    const text = formatMetricsAnswer({
      query: ask.query,
      data,
      ...(ask.range ? { range: { startMs: ask.range.start, endMs: ask.range.end, stepMs: ask.range.step } } : { timeMs: ask.at! }),
      ...(catalog ? { catalog } : {}),
    });
    // The embedded store also says the time span of its data; a remote API has no cheap way to.
    return text.replace(/\nData from [^\n]*/, '');
  } catch (error) {
    return `refused (${(error as Error).name})`;
  }
}

describe.skipIf(!prometheusBinaries && !vmBinary)('metrics answers: embedded store, Prometheus and VictoriaMetrics on the same samples', () => {
  const dataset = buildDataset();
  const store = new MetricStore();
  const embedded = new EmbeddedMetrics(store);
  let prometheus: RunningPrometheus | undefined;
  let vm: RunningVictoriaMetrics | undefined;

  beforeAll(async () => {
    store.appendMany(dataset.samples);
    await Promise.all([
      prometheusBinaries
        ? RunningPrometheus.start(prometheusBinaries, 'global: {}\nscrape_configs: []\n', (dataDir) => backfill(prometheusBinaries, dataset.openMetrics, dataDir)).then((p) => (prometheus = p))
        : undefined,
      vmBinary
        ? RunningVictoriaMetrics.start(vmBinary).then(async (v) => {
            vm = v;
            await v.importSamples(dataset.samples);
          })
        : undefined,
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([prometheus?.stop(), vm?.stop()]);
  });

  it('VictoriaMetrics holds the same samples, except NaN, which it drops at ingestion', async () => {
    if (!vm) return;
    const nan = dataset.samples.filter((sample) => Number.isNaN(sample.value)).length;
    expect(await vm.exportCount()).toBe(dataset.samples.length - nan);
  });

  /** The listings the empty answers' hints are made of, and series, over the data's window. */
  const listings = async (backend: MetricsBackend) => {
    const window = { startMs: T0, endMs: TEND };
    return {
      labelNames: await backend.labelNames(window),
      metricNames: await backend.labelValues('__name__', window),
      jobs: await backend.labelValues('job', window),
      series: await backend.series(['http_requests_total{job="api", status="500"}', '{__name__=~"node_cpu.*", cpu="1"}'], window),
    };
  };

  it('the listings (label names, metric names, label values, series) are the same from every backend', async () => {
    const mine = await listings(embedded);
    expect(mine.metricNames).toHaveLength(16);
    expect(mine.series).toHaveLength(10);
    if (prometheus) expect(await listings(new PrometheusClient({ baseUrl: prometheus.url }))).toEqual(mine);
    if (vm) expect(await listings(new PrometheusClient({ baseUrl: vm.url }))).toEqual(mine);
  });

  const compare = async (backend: MetricsBackend, label: string) => {
    const results: { what: string; query: string; same: boolean; mine: string; theirs: string }[] = [];
    for (const ask of asks(CORPUS)) {
      const [mine, theirs] = await Promise.all([render(embedded, ask), render(backend, ask)]);
      results.push({ what: ask.what, query: ask.query, same: mine === theirs, mine, theirs });
    }
    const differing = results.filter((result) => !result.same);
    console.log(`${label}: ${results.length - differing.length} / ${results.length} rendered answers identical to the embedded store's`);
    return { results, differing };
  };

  it.skipIf(!prometheusBinaries)('Prometheus renders the same text for every query of the corpus', async () => {
    const client = new PrometheusClient({ baseUrl: prometheus!.url });
    const { differing } = await compare(client, 'Prometheus 2.42');
    const unexplained = differing.filter((result) => !KNOWN_PROMETHEUS_DIFFERENCES[result.query]);
    expect(unexplained.map((result) => `${result.what}\n--- embedded\n${result.mine}\n--- Prometheus\n${result.theirs}`)).toEqual([]);
  }, 600_000);

  it.skipIf(!vmBinary)('VictoriaMetrics renders the same text for everyday queries, but for the documented MetricsQL differences', async () => {
    const client = new PrometheusClient({ baseUrl: vm!.url, kind: 'Prometheus API (VictoriaMetrics)' });
    const { results } = await compare(client, 'VictoriaMetrics 1.79 (whole PromQL corpus)');
    const byQuery = new Map<string, typeof results>();
    for (const result of results) byQuery.set(result.query, [...(byQuery.get(result.query) ?? []), result]);
    const show = (query: string) => byQuery.get(query)!.filter((r) => !r.same).map((r) => `${r.what}\n--- embedded\n${r.mine}\n--- VictoriaMetrics\n${r.theirs}`);
    const missing = [...EVERYDAY, ...Object.keys(KNOWN_VM_DIFFERENCES)].filter((query) => !byQuery.has(query));
    expect(missing, 'every listed query must be in the PromQL corpus').toEqual([]);
    expect(EVERYDAY.flatMap(show)).toEqual([]);
    // A documented difference that went away must leave the documentation.
    const stale = Object.keys(KNOWN_VM_DIFFERENCES).filter((query) => byQuery.get(query)!.every((r) => r.same));
    expect(stale).toEqual([]);
  }, 600_000);
});

