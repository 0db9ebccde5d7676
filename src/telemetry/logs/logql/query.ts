import type { Labels } from '../../model.js';
import { LEVEL, levelName } from '../levels.js';
import { infoLevel, type LogStore } from '../store.js';
import { toNanos, type QueryAnswer, type StreamValue } from './answer.js';
import { rangeOf, type LogQuery, type MetricQuery, type Query } from './ast.js';
import { evaluateMetric, type MetricWork } from './metric.js';
import { parseLogql } from './parse.js';
import { compilePipeline, Row, selectStreams } from './pipeline.js';

export interface QueryOptions {
  /** The time range, epoch ms (inclusive). */
  startMs: number;
  endMs: number;
  /** Log queries: how many entries to return (all matches are still counted). */
  limit: number;
  /** Log queries: newest first (Loki's default) or oldest first. */
  direction?: 'backward' | 'forward';
  /**
   * Metric queries: the step. Without one, a query whose range covers the whole time range is
   * evaluated once, at the end (a vector); otherwise at steps of its range, at most 60 of them.
   */
  stepMs?: number;
  /** Work budget: scanning stops after this long and the answer says so (default 3 s). */
  budgetMs?: number;
}

const DEFAULT_BUDGET_MS = 3_000;
const MAX_AUTO_STEPS = 60;

/** Runs a LogQL query (text or parsed) against the store; the answer has the shape of Loki's. */
export function runLogql(store: LogStore, query: string | Query, options: QueryOptions): QueryAnswer {
  const parsed = typeof query === 'string' ? parseLogql(query) : query;
  return parsed.kind === 'log' ? runLogQuery(store, parsed, options) : runMetricQuery(store, parsed, options);
}

function runLogQuery(store: LogStore, query: LogQuery, options: QueryOptions): QueryAnswer {
  const { startMs, endMs, limit } = options;
  const backward = (options.direction ?? 'backward') === 'backward';
  const streamLabels = (id: number) => store.streamLabels(id);
  const selected = selectStreams(query.matchers, store.streamCount(), streamLabels);
  const pipeline = compilePipeline(query.stages, { streamLabels, needed: new Set() });
  const deadline = performance.now() + (options.budgetMs ?? DEFAULT_BUDGET_MS);
  const collected: { stream: number; value: StreamValue; time: number }[] = [];
  const row = new Row();
  let matched = 0;
  let scanned = 0;
  let partial: string | undefined;
  const segments = store.segments();
  const { head, rest } = pipeline;
  outer: for (let s = 0; s < segments.length; s++) {
    const segment = segments[backward ? segments.length - 1 - s : s]!;
    const count = segment.count;
    if (!count || segment.maxTime < startMs || segment.minTime > endMs) continue;
    const { times, streams, lines } = segment;
    for (let k = 0; k < count; k++) {
      const i = backward ? count - 1 - k : k;
      const time = times[i]!;
      if (time < startMs || time > endMs) continue;
      const stream = streams[i]!;
      if (selected[stream] === 0) continue;
      if ((++scanned & 4095) === 0 && performance.now() > deadline) {
        partial = `counting stopped after ${scanned.toLocaleString('en-US')} entries (the query's time budget ran out)`;
        break outer;
      }
      let line = lines[i]!;
      if (head !== undefined && !head(line)) continue;
      if (rest !== undefined) {
        row.line = line;
        row.timeMs = time;
        row.stream = stream;
        row.info = segment.info[i]!;
        row.segment = segment;
        row.index = i;
        row.labels = undefined;
        if (!rest(row)) continue;
        line = row.line;
      }
      matched++;
      if (collected.length < limit) {
        const metadata: Labels = {};
        const level = infoLevel(segment.info[i]!);
        if (level !== LEVEL.unknown) metadata.detected_level = levelName(level);
        const traceId = segment.traceIds?.[i];
        if (traceId) metadata.trace_id = traceId;
        const spanId = segment.spanIds?.[i];
        if (spanId) metadata.span_id = spanId;
        collected.push({ stream, time, value: [toNanos(time), line, { structuredMetadata: metadata }] });
      }
    }
  }
  const byStream = new Map<number, StreamValue[]>();
  for (const entry of collected) {
    const values = byStream.get(entry.stream) ?? [];
    values.push(entry.value);
    byStream.set(entry.stream, values);
  }
  return {
    data: { resultType: 'streams', result: [...byStream].map(([stream, values]) => ({ stream: store.streamLabels(stream), values })) },
    stats: {
      matched,
      returned: collected.length,
      scanned,
      ...(partial ? { partial } : {}),
      evicted: store.dropped((id) => selected[id] === 1),
      startMs,
      endMs,
      parseErrors: 0,
    },
  };
}

/** Where a metric query is evaluated: once at the end (instant), or `count` steps ending at endMs. */
export interface MetricSteps {
  instant: boolean;
  stepMs: number;
  count: number;
  /** The first step's time. */
  first: number;
  /** The query's [range]. */
  rangeMs: number;
}

/**
 * The steps of a metric query over [startMs, endMs]: with a step, at it; without one, once at the
 * end when the query's range covers the whole time range, else at a round step of at least its
 * range (at most 60 steps). Steps end at endMs, so the newest data is always in the last point.
 * A remote Loki is asked at the same steps (remote/loki.ts), so both answer alike.
 */
export function metricSteps(query: MetricQuery, startMs: number, endMs: number, stepMs?: number): MetricSteps {
  const rangeMs = rangeOf(query);
  const span = endMs - startMs;
  const instant = stepMs === undefined && rangeMs >= span;
  const step = stepMs ?? (instant ? rangeMs : Math.max(rangeMs, niceStep(span / MAX_AUTO_STEPS)));
  const count = instant ? 1 : Math.floor(span / step) + 1;
  return { instant, stepMs: step, count, first: endMs - (count - 1) * step, rangeMs };
}

function runMetricQuery(store: LogStore, query: MetricQuery, options: QueryOptions): QueryAnswer {
  const { endMs } = options;
  const { instant, stepMs, count, first, rangeMs: range } = metricSteps(query, options.startMs, endMs, options.stepMs);
  const work: MetricWork = { scanned: 0, parseErrors: 0, unwrapErrors: 0, evicted: 0, deadline: performance.now() + (options.budgetMs ?? DEFAULT_BUDGET_MS) };
  const series = evaluateMetric(store, query, { startMs: first, stepMs, count }, work);
  series.sort((a, b) => labelKey(a.labels).localeCompare(labelKey(b.labels)));
  const stats = {
    matched: 0,
    returned: 0,
    scanned: work.scanned,
    ...(work.partial ? { partial: work.partial } : {}),
    evicted: work.evicted,
    startMs: instant ? endMs - range : first,
    endMs,
    ...(instant ? {} : { stepMs }),
    parseErrors: work.parseErrors,
    ...(work.unwrapErrors ? { unwrapErrors: work.unwrapErrors } : {}),
  };
  if (instant) {
    return {
      data: { resultType: 'vector', result: series.map((one) => ({ metric: one.labels, value: [endMs / 1_000, String(one.values[0])] })) },
      stats,
    };
  }
  return {
    data: {
      resultType: 'matrix',
      result: series.map((one) => ({
        metric: one.labels,
        values: [...one.values].flatMap((value, k) => (Number.isNaN(value) ? [] : [[(first + k * stepMs) / 1_000, String(value)] as [number, string]])),
      })),
    },
    stats,
  };
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${labels[name]}`)
    .join(',');
}

const NICE_STEPS = [1_000, 5_000, 10_000, 15_000, 30_000, 60_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000];

/** The smallest round step at least `ms` long. */
export function niceStep(ms: number): number {
  return NICE_STEPS.find((step) => step >= ms) ?? Math.ceil(ms / 86_400_000) * 86_400_000;
}
