/**
 * The records every source of telemetry hands to the stores: an app's stdout/stderr lines (apps),
 * OTLP log records and metrics (the receiver), scraped Prometheus text. Sources convert into
 * these; each store owns how it keeps them.
 */

/** Label names to values, as Prometheus and Loki have them. */
export type Labels = Record<string, string>;

/** One log line or OTLP log record on its way into the log store. */
export interface LogInput {
  /** When it was written (or received, when the source has no time), epoch ms. */
  timeMs: number;
  /** Stream labels: `app` and `stream` for an app's output; `service_name` and the like for OTLP. */
  labels: Labels;
  /** The line as printed (one entry may span several lines: a stack trace stays with its message). */
  line: string;
  /** `trace`, `debug`, `info`, `warn`, `error` or `fatal`, when the source says. */
  level?: string;
  /** W3C trace context, when the record carries it (32 and 16 lowercase hex digits). */
  traceId?: string;
  spanId?: string;
}

/** One sample of one series on its way into the metric store; `labels.__name__` is the metric name. */
export interface SeriesSample {
  labels: Labels;
  timeMs: number;
  value: number;
}
