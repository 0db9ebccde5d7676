import type { LokiData, QueryStats } from './logs/logql/answer.js';
import type { MetricsCatalog } from './metrics/catalog.js';
import type { PromQueryData } from './metrics/query.js';
import type { Labels } from './model.js';
import type { TempoSearchResponse, TempoTrace } from './traces/tempo.js';

/**
 * One interface per signal between the tools and whatever answers the queries: the embedded
 * stores (thin adapters: metrics/backend.ts, traces/backend.ts) or a team's engines over HTTP
 * (remote/: a Prometheus HTTP API, Tempo, Jaeger, Loki). Answers have the shapes of the matching
 * HTTP APIs (Prometheus' `data`, Tempo's search and trace-by-id answers, Loki's `data`), so one
 * formatter renders every backend's answer, and an empty answer's hints come from the backend's
 * own listings (`catalog`). Every call carries a time range and a limit; a remote backend that is
 * down, slow, failing or answering garbage gives a LegibleError within its time limit.
 */

/** A time range, epoch ms, both ends included. */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}

export interface BackendInfo {
  /** For answers and errors: "the embedded store", "the Prometheus API at http://prom:9090". */
  readonly name: string;
  /** Whether it is a team's engine over HTTP (queries go through unchanged). */
  readonly remote: boolean;
}

/** A PromQL answer and the engine's warnings (Prometheus' `warnings` and `infos`). */
export interface MetricsResult {
  data: PromQueryData;
  warnings: string[];
}

export interface MetricsRange extends TimeWindow {
  stepMs: number;
}

export interface MetricsBackend extends BackendInfo {
  /** An instant query at `timeMs` (GET /api/v1/query). */
  query(query: string, timeMs: number): Promise<MetricsResult>;
  /** A range query (GET /api/v1/query_range). */
  queryRange(query: string, range: MetricsRange): Promise<MetricsResult>;
  /** Label names with data in the window (GET /api/v1/labels), sorted. */
  labelNames(window: TimeWindow): Promise<string[]>;
  /** Values of one label (`__name__`: the metric names) in the window, sorted. */
  labelValues(name: string, window: TimeWindow): Promise<string[]>;
  /** The label sets of the series that series selectors match in the window (GET /api/v1/series). */
  series(selectors: string[], window: TimeWindow): Promise<Labels[]>;
  /** What exists, for an answer to `query` that found nothing (names, labels, the values the query matches on). */
  catalog(query: string, window: TimeWindow): Promise<MetricsCatalog>;
}

export interface TraceSearchOptions extends TimeWindow {
  /** Most traces answered, newest first. */
  limit: number;
  /** Most spans listed per matched trace (Tempo's `spss`). Default 3. */
  spansPerSpanSet?: number;
}

/** What exists, for a trace search that found nothing. */
export interface TraceCatalog {
  services: string[];
  /** Attribute names as TraceQL scopes them (`resource.service.name`, `span.http.route`); empty when the backend cannot list them. */
  attributes: string[];
}

export interface TracesBackend extends BackendInfo {
  /** TraceQL search, answered as Tempo's /api/search answers. */
  search(query: string, options: TraceSearchOptions): Promise<TempoSearchResponse>;
  /**
   * One trace by id (OTLP/JSON resourceSpans, as Tempo's /api/v2/traces/<id>). A prefix works for
   * the traces a search of this backend answered (or, embedded, any stored trace). `signal`
   * cancels a remote request (the Server section's wait ended).
   */
  trace(idOrPrefix: string, window?: TimeWindow, signal?: AbortSignal): Promise<TempoTrace & { traceID: string }>;
  catalog(window: TimeWindow): Promise<TraceCatalog>;
}

/** Loki's query answers (`data` of /loki/api/v1/query and /query_range), as the embedded log store answers. */
export type { LokiData, StreamValue } from './logs/logql/answer.js';

/** What a log answer says beside `data`: how much matched, what was left out, the range asked. */
export type LogsStats = QueryStats;

export interface LogsResult {
  data: LokiData;
  stats: LogsStats;
}

export interface LogQueryOptions extends TimeWindow {
  /** Log queries: most entries answered. */
  limit: number;
  /** Log queries: newest first (Loki's default) or oldest first. */
  direction?: 'backward' | 'forward';
  /** Cancels a remote request (the Server section's wait ended). */
  signal?: AbortSignal;
  /**
   * Metric queries: evaluate at this step (a matrix); without it, as the embedded engine does
   * (logs/logql/query.ts `metricSteps`): once at the end (a vector) when the query's range covers
   * the window, else at a round step of at least its range.
   */
  stepMs?: number;
}

/** What exists, for a log query that found nothing: the streams and the values of their labels. */
export interface LogsCatalog {
  /** Stream label sets, with their entry counts when the backend knows them. */
  streams: { labels: Labels; entries?: number }[];
  /** Label names and (some of) their values. */
  labels: Record<string, string[]>;
}

export interface LogsBackend extends BackendInfo {
  /** LogQL over the window, as /loki/api/v1/query_range (or /query for a metric query without a step). */
  query(query: string, options: LogQueryOptions): Promise<LogsResult>;
  labelNames(window: TimeWindow): Promise<string[]>;
  labelValues(name: string, window: TimeWindow): Promise<string[]>;
  /** The label sets of the streams that selectors match (/loki/api/v1/series). */
  series(selectors: string[], window: TimeWindow): Promise<Labels[]>;
  /** What exists in the window, for an answer that found nothing. */
  catalog(window: TimeWindow): Promise<LogsCatalog>;
}
