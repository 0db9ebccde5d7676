import { z } from 'zod';
import { LegibleError, UsageError } from '../../util/errors.js';
import type { MetricsBackend, MetricsRange, MetricsResult, TimeWindow } from '../backends.js';
import type { MetricsCatalog } from '../metrics/catalog.js';
import type { PromQueryData } from '../metrics/query.js';
import type { Labels } from '../model.js';
import { RemoteApi, RemoteError, type Params, type RemoteApiOptions } from './http.js';

/**
 * A Prometheus HTTP API as a MetricsBackend: Prometheus itself, and the engines that serve the
 * same API (VictoriaMetrics, Mimir and Cortex under their /prometheus prefix, Thanos Query).
 * Queries go through unchanged (the backend's own PromQL, or MetricsQL, evaluates them); every
 * call carries its time (instant: `time`; range: `start`/`end`/`step`; listings: `start`/`end`)
 * and a limit (`limit` on listings and queries, which engines that do not know it ignore, plus
 * the answer's size cap), and the backend's `timeout`. Answers are validated against the API's
 * documented envelope (`{status, data, warnings, infos}`) before anyone reads them.
 */

/** Most entries asked of a listing (labels, values, series); more are cut and said. */
export const LISTING_LIMIT = 10_000;
/** Most series asked of a query (`limit`, honoured by Prometheus 3 and newer engines). */
export const SERIES_LIMIT = 10_000;

const labels = z.record(z.string(), z.string());
const sample = z.tuple([z.number(), z.string()]);
/** Native histograms (Prometheus 2.40+) answer `histogram`/`histograms` instead of floats; kept out (counted). */
const histogramSample = z.tuple([z.number(), z.unknown()]);
const vectorItem = z.object({ metric: labels, value: sample.optional(), histogram: histogramSample.optional() });
const matrixItem = z.object({ metric: labels, values: z.array(sample).optional(), histograms: z.array(histogramSample).optional() });

const dataSchema = z.discriminatedUnion('resultType', [
  z.object({ resultType: z.literal('vector'), result: z.array(vectorItem) }),
  z.object({ resultType: z.literal('matrix'), result: z.array(matrixItem) }),
  z.object({ resultType: z.literal('scalar'), result: sample }),
  z.object({ resultType: z.literal('string'), result: sample }),
]);

/** The envelope: success with data, or an error (which some proxies send with status 200). */
function envelope<T extends z.ZodType>(data: T) {
  return z.union([
    z.object({ status: z.literal('success'), data, warnings: z.array(z.string()).optional(), infos: z.array(z.string()).optional() }),
    z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
  ]);
}

const queryEnvelope = envelope(dataSchema);
const namesEnvelope = envelope(z.array(z.string()).nullable());
const seriesEnvelope = envelope(z.array(labels).nullable());

export class PrometheusClient implements MetricsBackend {
  readonly remote = true;
  readonly api: RemoteApi;

  constructor(options: Omit<RemoteApiOptions, 'kind' | 'flag' | 'headersVariable'> & Partial<Pick<RemoteApiOptions, 'kind' | 'flag' | 'headersVariable'>>) {
    this.api = new RemoteApi({ kind: 'Prometheus API', flag: '--metrics-url', headersVariable: 'LEGIBLE_METRICS_HEADERS', ...options });
  }

  get name(): string {
    return `the ${this.api.where}`;
  }

  async query(query: string, timeMs: number): Promise<MetricsResult> {
    return this.ask('/api/v1/query', { query, time: seconds(timeMs), timeout: this.timeout(), limit: SERIES_LIMIT }, query);
  }

  async queryRange(query: string, range: MetricsRange): Promise<MetricsResult> {
    const params = { query, start: seconds(range.startMs), end: seconds(range.endMs), step: range.stepMs / 1000, timeout: this.timeout(), limit: SERIES_LIMIT };
    return this.ask('/api/v1/query_range', params, query);
  }

  async labelNames(window: TimeWindow): Promise<string[]> {
    return this.listing('/api/v1/labels', window, 'label names');
  }

  async labelValues(name: string, window: TimeWindow): Promise<string[]> {
    return this.listing(`/api/v1/label/${encodeURIComponent(name)}/values`, window, `the values of ${name}`);
  }

  async series(selectors: string[], window: TimeWindow): Promise<Labels[]> {
    if (!selectors.length) throw new UsageError('Listing series needs at least one selector.', 'For example http_requests_total or {job="api"}.');
    const params: Params = { 'match[]': selectors, start: seconds(window.startMs), end: seconds(window.endMs), limit: LISTING_LIMIT };
    const answer = await this.api.json('/api/v1/series', params, seriesEnvelope, { method: 'POST', what: 'a series listing' });
    if (answer.status === 'error') throw this.refused(answer, 'the series listing');
    return (answer.data ?? []).slice(0, LISTING_LIMIT);
  }

  /**
   * Metric names, label names and the values of the labels `query` matches on, from the
   * backend's own listings in the window; a listing that fails leaves its part empty (an empty
   * answer must not fail because a hint could not be had).
   */
  async catalog(query: string, window: TimeWindow): Promise<MetricsCatalog> {
    const { referencedNames } = await import('../metrics/catalog.js');
    const wanted = referencedNames(query).labels.slice(0, 6);
    const quiet = (promise: Promise<string[]>) => promise.catch(() => [] as string[]);
    const [metricNames, labelNames, ...values] = await Promise.all([
      quiet(this.labelValues('__name__', window)),
      quiet(this.labelNames(window)),
      ...wanted.map((label) => quiet(this.labelValues(label, window))),
    ]);
    const labelValues: Record<string, string[]> = {};
    wanted.forEach((label, index) => (labelValues[label] = values[index]!));
    return { metricNames: metricNames!, labelNames: labelNames!, labelValues };
  }

  private timeout(): string {
    return `${Math.max(1, Math.floor(this.api.timeoutMs / 1000))}s`;
  }

  private async listing(path: string, window: TimeWindow, what: string): Promise<string[]> {
    const params = { start: seconds(window.startMs), end: seconds(window.endMs), limit: LISTING_LIMIT };
    const answer = await this.api.json(path, params, namesEnvelope, { what });
    if (answer.status === 'error') throw this.refused(answer, what);
    return [...(answer.data ?? [])].sort().slice(0, LISTING_LIMIT);
  }

  private async ask(path: string, params: Params, query: string): Promise<MetricsResult> {
    let answer: z.output<typeof queryEnvelope>;
    try {
      answer = await this.api.json(path, params, queryEnvelope, { method: 'POST', what: 'the query' });
    } catch (error) {
      // 400 (bad_data) and 422 (execution): the query's fault, said in the backend's words.
      if (error instanceof RemoteError && error.failure === 'http' && (error.status === 400 || error.status === 422)) {
        throw await this.queryRefused(query, error.backendMessage ?? error.message);
      }
      throw error;
    }
    if (answer.status === 'error') throw await this.queryRefused(query, `${answer.errorType ? `${answer.errorType}: ` : ''}${answer.error ?? 'no reason given'}`);
    const warnings = [...(answer.warnings ?? []), ...(answer.infos ?? [])];
    return { data: floatsOnly(answer.data, warnings), warnings };
  }

  /** The backend refused the query: its message, and Legible's own correction when its PromQL parser has one. */
  private async queryRefused(query: string, said: string): Promise<LegibleError> {
    const shown = said.length > 300 ? `${said.slice(0, 300)}…` : said;
    let hint = `The query went to ${this.name} unchanged; fix what it names.`;
    try {
      const { parsePromQL } = await import('../metrics/query.js');
      parsePromQL(query);
    } catch (error) {
      if (error instanceof LegibleError && error.hint) hint = `${error.hint}`;
    }
    return new UsageError(`The ${this.api.where} refused the query: ${shown}`, hint);
  }

  private refused(answer: { errorType?: string | undefined; error?: string | undefined }, what: string): LegibleError {
    const said = `${answer.errorType ? `${answer.errorType}: ` : ''}${answer.error ?? 'no reason given'}`;
    return new UsageError(`The ${this.api.where} refused ${what}: ${said.slice(0, 300)}`, 'Check the label name, or the base URL in --metrics-url.');
  }
}

/** Unix seconds with milliseconds, as the API takes them (exact: no float noise in the digits). */
export function seconds(ms: number): string {
  const whole = Math.round(ms);
  const sign = whole < 0 ? '-' : '';
  const abs = Math.abs(whole);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

/** The answer as PromQueryData: native-histogram samples (which Legible does not render) left out and said. */
function floatsOnly(data: z.output<typeof dataSchema>, warnings: string[]): PromQueryData {
  if (data.resultType === 'scalar' || data.resultType === 'string') return data;
  let histograms = 0;
  let result: PromQueryData['result'];
  if (data.resultType === 'vector') {
    result = data.result.flatMap((item) => {
      if (item.value) return [{ metric: item.metric, value: item.value }];
      histograms++;
      return [];
    });
  } else {
    result = data.result.flatMap((item) => {
      if (item.histograms?.length) histograms++;
      return item.values?.length ? [{ metric: item.metric, values: item.values }] : [];
    });
  }
  if (histograms) warnings.push(`${histograms} native-histogram series left out: Legible shows float samples (use histogram_quantile, histogram_count or histogram_sum to get floats).`);
  return { resultType: data.resultType, result } as PromQueryData;
}
