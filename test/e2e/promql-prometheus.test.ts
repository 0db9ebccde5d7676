/**
 * Legible's PromQL engine against a real Prometheus (Debian's 2.42) holding exactly the same
 * samples: the data set is backfilled into a fresh TSDB with promtool, loaded into Legible's
 * store, and every query of the corpus is asked of both, instant and range, and compared value
 * for value. Skips loudly without Prometheus; fails under CI=true without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromQLEngine, type PromQueryData } from '../../src/telemetry/metrics/query.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';
import type { SeriesSample } from '../../src/telemetry/model.js';
import { buildDataset, T0, TEND } from '../helpers/metricsDataset.js';
import { compareData } from '../helpers/promCompare.js';
import { A, B, CORPUS, R1, type CorpusCase } from '../helpers/promqlCorpus.js';
import { backfill, prometheusOrSkip, RunningPrometheus, type PrometheusApiAnswer } from '../helpers/prometheus.js';

const binaries = prometheusOrSkip('PromQL engine vs Prometheus');

/**
 * Disagreements that are understood and accepted, by query, with the reason. Every other
 * disagreement fails the test.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {
  'predict_linear(memory_usage_bytes[5m] @ end(), 60)':
    'In a range query, Prometheus 2.42 moves an @-pinned range with each step when the function is not step-invariant ' +
    '(predict_linear always): the window ends at @ + (t − start). Legible keeps the window at the @ time, as documented.',
};

type Outcome = { ok: true; data: PromQueryData } | { ok: false; error: string };

function mine(run: () => PromQueryData): Outcome {
  try {
    return { ok: true, data: run() };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function theirs(answer: PrometheusApiAnswer): Outcome {
  return answer.status === 'success' ? { ok: true, data: answer.data as PromQueryData } : { ok: false, error: `${answer.errorType}: ${answer.error}` };
}

/** How an agreeing comparison agreed: on data, on an empty answer, or on both refusing the query. */
function kindOf(a: Outcome): 'data' | 'empty' | 'error' {
  if (!a.ok) return 'error';
  const { result } = a.data;
  return Array.isArray(result) && result.length === 0 ? 'empty' : 'data';
}

function compareOutcomes(a: Outcome, b: Outcome, ordered: boolean): string | undefined {
  if (!a.ok && !b.ok) return undefined;
  if (!a.ok) return `Legible failed (${a.error.split('\n')[0]}) but Prometheus answered`;
  if (!b.ok) return `Prometheus failed (${b.error}) but Legible answered`;
  return compareData(a.data, b.data, ordered);
}

/**
 * Queries at exactly the edges of a lookback or a range (2.x includes both ends): the last
 * sample of queue "a" before its gap seen from exactly 5 minutes later, and windows that start
 * exactly on a sample of the 60 s counter.
 */
function boundaryCases(samples: SeriesSample[]): CorpusCase[] {
  const queueA = samples.filter((s) => s.labels.__name__ === 'queue_depth' && s.labels.queue === 'a' && s.timeMs < T0 + 61 * 60_000);
  const lastBeforeGap = queueA[queueA.length - 1]!.timeMs;
  const slow = samples.filter((s) => s.labels.__name__ === 'slow_counter_total').map((s) => s.timeMs);
  const onSample = slow[30]! + 60_000 * 3;
  return [
    { query: 'queue_depth', at: [lastBeforeGap + 300_000, lastBeforeGap + 300_001], ranges: [{ start: lastBeforeGap + 240_000, end: lastBeforeGap + 360_000, step: 1 }] },
    { query: 'count_over_time(slow_counter_total[3m])', at: [onSample, onSample + 1, onSample - 1] },
    { query: `slow_counter_total[3m]`, at: [onSample], ranges: [] },
    { query: `rate(slow_counter_total[3m])`, at: [onSample], ranges: [{ start: slow[10]!, end: slow[40]!, step: 60_000 }] },
    { query: `count_over_time(slow_counter_total[3m:1m])`, at: [onSample], ranges: [] },
  ];
}

describe.skipIf(!binaries)('PromQL engine vs Prometheus 2.42 on the same samples', () => {
  const dataset = buildDataset();
  const store = new MetricStore();
  const engine = new PromQLEngine(store);
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    store.appendMany(dataset.samples);
    prometheus = await RunningPrometheus.start(binaries!, 'global: {}\nscrape_configs: []\n', (dataDir) => backfill(binaries!, dataset.openMetrics, dataDir));
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
  });

  it('both hold exactly the same samples', async () => {
    expect(store.stats().samples).toBe(dataset.samples.length);
    const query = '{__name__=~".+"}[4h]';
    // The last scrapes are up to 500 ms late: look from just after them.
    const answer = await prometheus.query(query, TEND + 1_000);
    expect(answer.status).toBe('success');
    const data = answer.data as PromQueryData & { resultType: 'matrix' };
    expect(data.result.reduce((total, series) => total + series.values.length, 0)).toBe(dataset.samples.length);
    // Exact: timestamps and value strings must be identical, not just close.
    const exact = (d: PromQueryData) => JSON.stringify((d as typeof data).result.map((s) => [JSON.stringify(Object.entries(s.metric).sort()), s.values]).sort());
    expect(exact(engine.query(query, TEND + 1_000))).toBe(exact(data));
  });

  it('answers the corpus as Prometheus does, instant and range', async () => {
    const results: { what: string; problem: string | undefined; kind: string }[] = [];
    for (const testCase of [...CORPUS, ...boundaryCases(dataset.samples)]) {
      for (const at of testCase.at ?? [A, B]) {
        const ours = mine(() => engine.query(testCase.query, at));
        const problem = compareOutcomes(ours, theirs(await prometheus.query(testCase.query, at)), !!testCase.ordered);
        results.push({ what: `${testCase.query}  @ T0+${(at - T0) / 1000}s`, problem, kind: kindOf(ours) });
      }
      for (const range of testCase.ranges ?? [R1]) {
        const ours = mine(() => engine.queryRange(testCase.query, range.start, range.end, range.step));
        const problem = compareOutcomes(ours, theirs(await prometheus.queryRange(testCase.query, range.start, range.end, range.step)), false);
        results.push({ what: `${testCase.query}  over T0+${(range.start - T0) / 1000}s..T0+${(range.end - T0) / 1000}s step ${range.step / 1000}s`, problem, kind: kindOf(ours) });
      }
    }
    const agreed = results.filter((result) => !result.problem);
    const tally = (kind: string) => agreed.filter((result) => result.kind === kind).length;
    const failed = results.filter((result) => result.problem);
    const unexplained = failed.filter((result) => !KNOWN_DIFFERENCES[result.what.split('  ')[0]!]);
    console.log(
      `PromQL agreement with Prometheus 2.42: ${results.length - failed.length} / ${results.length} comparisons agree ` +
        `(${CORPUS.length} queries; agreeing on data ${tally('data')}, on an empty answer ${tally('empty')}, on refusing the query ${tally('error')})${failed.length ? `; disagreements:\n${failed.map((f) => `  ${f.what}: ${f.problem}`).join('\n')}` : ''}`,
    );
    expect(unexplained.map((result) => `${result.what}: ${result.problem}`)).toEqual([]);
    // The corpus must mostly compare real answers, not agree on nothing.
    expect(tally('data')).toBeGreaterThan(results.length * 0.85);
  }, 300_000);
});
