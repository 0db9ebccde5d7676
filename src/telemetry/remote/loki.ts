import { z } from 'zod';
import { LegibleError } from '../../util/errors.js';
import type { LogQueryOptions, LogsBackend, LogsCatalog, LogsResult, LokiData, StreamValue, TimeWindow } from '../backends.js';
import type { MetricSteps } from '../logs/logql/query.js';
import type { Labels } from '../model.js';
import { RemoteApi, RemoteError, type RemoteApiOptions } from './http.js';
import { plural } from '../../util/text.js';

/**
 * Loki's query API as a LogsBackend (the "Loki HTTP API" page of Loki 3.x):
 * `GET /loki/api/v1/query_range` (log queries, and metric queries at a step), `GET
 * /loki/api/v1/query` (a metric query once, at the end of the range), `/loki/api/v1/labels`,
 * `/loki/api/v1/label/<name>/values` and `/loki/api/v1/series`, each with a time range (Unix
 * nanoseconds) and, for queries, a limit. The LogQL goes through unchanged. Entries are asked
 * with `X-Loki-Response-Encoding-Flags: categorize-labels`, so structured metadata (Loki 3's
 * `detected_level`, an OTLP record's `trace_id`) arrive as each value's third element, as the
 * embedded store answers; a Loki that ignores the flag answers two-element values, also read.
 */

const labels = z.record(z.string(), z.string());
const sample = z.tuple([z.number(), z.string()]);
const categorized = z.looseObject({ structuredMetadata: labels.nullable().optional(), parsed: labels.nullable().optional() });
const entry = z.union([z.tuple([z.string().regex(/^\d+$/), z.string()]), z.tuple([z.string().regex(/^\d+$/), z.string(), categorized])]);

const dataSchema = z.discriminatedUnion('resultType', [
  z.object({ resultType: z.literal('streams'), result: z.array(z.object({ stream: labels, values: z.array(entry) })), stats: z.unknown().optional() }),
  z.object({ resultType: z.literal('matrix'), result: z.array(z.object({ metric: labels, values: z.array(sample) })), stats: z.unknown().optional() }),
  z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: labels, value: sample })), stats: z.unknown().optional() }),
]);
const queryEnvelope = z.object({ status: z.string(), data: dataSchema });
const namesEnvelope = z.object({ status: z.string(), data: z.array(z.string()).nullable().default([]) });
const seriesEnvelope = z.object({ status: z.string(), data: z.array(labels).nullable().default([]) });
const summary = z.object({ summary: z.looseObject({ totalLinesProcessed: z.number().optional() }).optional() });

/** Most values asked of a label listing. */
const LISTING_LIMIT = 10_000;

export class LokiClient implements LogsBackend {
  readonly remote = true;
  readonly api: RemoteApi;

  constructor(options: Omit<RemoteApiOptions, 'kind' | 'flag' | 'headersVariable'>) {
    this.api = new RemoteApi({
      kind: 'Loki',
      flag: '--logs-url',
      headersVariable: 'LEGIBLE_LOGS_HEADERS',
      ...options,
      headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels', ...options.headers },
    });
  }

  get name(): string {
    return `the ${this.api.where}`;
  }

  async query(query: string, options: LogQueryOptions): Promise<LogsResult> {
    const steps = await metricStepsOf(query, options);
    const logQuery = steps === 'log';
    const range = { start: nanos(options.startMs), end: nanos(options.endMs) };
    let path: string;
    let params: Record<string, string | number>;
    if (logQuery) {
      path = '/loki/api/v1/query_range';
      params = { query, ...range, limit: options.limit, direction: options.direction ?? 'backward' };
    } else if (!steps.instant) {
      // The steps the embedded engine would use, ending at endMs.
      path = '/loki/api/v1/query_range';
      params = { query, start: nanos(steps.first), end: range.end, step: steps.stepMs / 1000, limit: options.limit };
    } else {
      path = '/loki/api/v1/query';
      params = { query, time: range.end, limit: options.limit };
    }
    let answer: z.output<typeof queryEnvelope>;
    try {
      answer = await this.api.json(path, params, queryEnvelope, { what: 'the query', ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (error instanceof RemoteError && error.failure === 'http' && error.status === 400) {
        throw new LegibleError(`The ${this.api.where} refused the query: ${error.backendMessage ?? error.message}`, `The query went to ${this.name} unchanged (Loki's LogQL); fix what it names.`, {
          kind: 'usage',
        });
      }
      throw error;
    }
    return toResult(answer.data, options, steps);
  }

  async labelNames(window: TimeWindow): Promise<string[]> {
    const answer = await this.api.json('/loki/api/v1/labels', { start: nanos(window.startMs), end: nanos(window.endMs) }, namesEnvelope, { what: 'label names' });
    return [...(answer.data ?? [])].sort().slice(0, LISTING_LIMIT);
  }

  async labelValues(name: string, window: TimeWindow): Promise<string[]> {
    const answer = await this.api.json(`/loki/api/v1/label/${encodeURIComponent(name)}/values`, { start: nanos(window.startMs), end: nanos(window.endMs) }, namesEnvelope, { what: `the values of ${name}` });
    return [...(answer.data ?? [])].sort().slice(0, LISTING_LIMIT);
  }

  async series(selectors: string[], window: TimeWindow): Promise<Labels[]> {
    const answer = await this.api.json('/loki/api/v1/series', { 'match[]': selectors, start: nanos(window.startMs), end: nanos(window.endMs) }, seriesEnvelope, { what: 'a stream listing' });
    return (answer.data ?? []).slice(0, LISTING_LIMIT);
  }

  /**
   * Label names and some values of each (the first 12 names), and the streams that have the
   * first label (Loki lists streams only for a selector); a listing that fails leaves its part
   * empty. Loki does not count entries per stream.
   */
  async catalog(window: TimeWindow): Promise<LogsCatalog> {
    const names = (await this.labelNames(window).catch(() => [] as string[])).filter((name) => !name.startsWith('__'));
    const shown = names.slice(0, 12);
    const values = await Promise.all(shown.map((name) => this.labelValues(name, window).catch(() => [] as string[])));
    const first = names.includes('service_name') ? 'service_name' : names.includes('app') ? 'app' : names[0];
    const streams = first ? await this.series([`{${first}=~".+"}`], window).catch(() => [] as Labels[]) : [];
    return {
      streams: streams.slice(0, 100).map((labels) => ({ labels })),
      labels: Object.fromEntries(shown.map((name, index) => [name, values[index]!.slice(0, 50)])),
    };
  }
}

/**
 * 'log' for a log query; for a metric query, the steps the embedded engine would evaluate it at
 * (read with Legible's LogQL parser). A query that parser does not read still goes to Loki
 * unchanged: a log query by its leading selector, a metric query at the given step or once at the end.
 */
async function metricStepsOf(query: string, options: LogQueryOptions): Promise<'log' | MetricSteps> {
  try {
    const [{ loadLogql, parseLogql }, { metricSteps }] = await Promise.all([import('../logs/logql/parse.js'), import('../logs/logql/query.js')]);
    await loadLogql();
    const parsed = parseLogql(query);
    return parsed.kind === 'log' ? 'log' : metricSteps(parsed, options.startMs, options.endMs, options.stepMs);
  } catch {
    if (isLogQuery(query)) return 'log';
    const stepMs = options.stepMs;
    if (stepMs === undefined) return { instant: true, stepMs: options.endMs - options.startMs, count: 1, first: options.endMs, rangeMs: options.endMs - options.startMs };
    const count = Math.floor((options.endMs - options.startMs) / stepMs) + 1;
    return { instant: false, stepMs, count, first: options.endMs - (count - 1) * stepMs, rangeMs: stepMs };
  }
}

/** A log query begins with its stream selector; a metric query with a function, an aggregation or a number. */
export function isLogQuery(query: string): boolean {
  return query.trimStart().startsWith('{');
}

/** Epoch ms → Unix nanoseconds as Loki takes them (exact). */
function nanos(ms: number): string {
  const whole = Math.floor(ms);
  const sub = Math.round((ms - whole) * 1e6);
  return `${whole}${String(sub).padStart(6, '0')}`;
}

function toResult(data: z.output<typeof dataSchema>, options: LogQueryOptions, steps: 'log' | MetricSteps): LogsResult {
  const scanned = summary.safeParse(data.stats ?? {}).data?.summary?.totalLinesProcessed ?? 0;
  const base = { startMs: options.startMs, endMs: options.endMs, evicted: 0, scanned };
  if (data.resultType !== 'streams') {
    // Lines a parser could not read are counted in series labelled __error__, which the answer
    // shows; Loki does not say how many lines that was.
    const parseErrors = 0;
    const { stats: _stats, ...rest } = data;
    const when = steps === 'log' ? {} : steps.instant ? { startMs: options.endMs - steps.rangeMs } : { startMs: steps.first, stepMs: steps.stepMs };
    return { data: rest as LokiData, stats: { ...base, ...when, matched: 0, returned: 0, parseErrors } };
  }
  let returned = 0;
  let parseErrors = 0;
  const result = data.result.map((stream) => {
    returned += stream.values.length;
    for (const value of stream.values) if (stream.stream.__error__ || value[2]?.parsed?.__error__) parseErrors++;
    const values = stream.values.map((value): StreamValue => {
      const meta = value[2]?.structuredMetadata;
      return meta && Object.keys(meta).length ? [value[0], value[1], { structuredMetadata: meta }] : [value[0], value[1]];
    });
    return { stream: stream.stream, values };
  });
  // Loki stops at the limit and does not count the rest.
  const partial = returned >= options.limit ? `Loki answered its limit of ${plural(options.limit, 'entry', 'entries')}; more may match` : undefined;
  return { data: { resultType: 'streams', result }, stats: { ...base, matched: returned, returned, parseErrors, ...(partial ? { partial } : {}) } };
}
