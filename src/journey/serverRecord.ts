import type { ResourceSpans } from '../telemetry/otlp/model.js';
import type { CompactSpan } from '../telemetry/traces/compactSpans.js';
import { isSecretName, REDACTED, redactText } from '../util/redact.js';

/**
 * What a journey run keeps of the server side, so the run holds the whole story (the report, its
 * files and comparisons are made from the record alone, also from a record written by an earlier
 * server): per step its trace id, spans and log lines; per run the apps' start-up times, every
 * span of its steps' traces (OTLP/JSON) and what the apps printed or exported meanwhile.
 */

/** One log line as a run keeps it. */
export interface ServerLine {
  /** Epoch ms. */
  timeMs: number;
  app: string;
  stream?: string;
  level: string;
  line: string;
  traceId?: string;
  spanId?: string;
}

export interface StepServer {
  /** The trace the step's requests to the apps carried. */
  traceId?: string;
  /** Its spans, depth first (the browser's action first), at most MAX_STEP_SPANS. */
  spans: CompactSpan[];
  spansMore: number;
  /** The lines carrying its trace, then the warnings and errors printed meanwhile. */
  logs: ServerLine[];
  logsMore: number;
}

export interface RunApp {
  name: string;
  url?: string;
  /** Its most recent start before or during the run: spawn → ready, and when. */
  readyMs?: number;
  startedAt?: number;
  /** The run started it (it was not running). */
  startedByRun?: boolean;
}

export interface RunServer {
  /** The run's time range, epoch ms: what the server expectations looked at. */
  startMs: number;
  endMs: number;
  apps: RunApp[];
  /** Where the steps' URLs were moved to reach the apps where they run now. */
  moved?: { app: string; from: string; to: string }[];
  /** Every span of the steps' traces, OTLP/JSON (the report writes it as <run>-spans.json). */
  resourceSpans: ResourceSpans[];
  spansDropped: number;
  /** What the apps printed and exported as logs during the run, oldest first. */
  logs: ServerLine[];
  logsDropped: number;
}

/** Caps of what a run keeps. */
export const MAX_STEP_SPANS = 40;
export const MAX_STEP_LINES = 12;
export const MAX_RUN_SPANS = 2_000;
export const MAX_RUN_LINES = 2_000;

/**
 * OTLP/JSON with every string through redactText and the value of a secret-looking attribute
 * (`{key: "http.request.header.authorization", value: …}`) redacted: OTLP's attribute lists are
 * `{key, value}` pairs, which neither redactJson (keys of objects) nor redactNamedValues (`name`) see.
 */
function redactOtlp(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactOtlp);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.key === 'string' && 'value' in record && isSecretName(record.key.split('.').pop()!)) return { ...record, value: { stringValue: REDACTED } };
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, redactOtlp(inner)]));
  }
  return value;
}

function redactLine(line: ServerLine): ServerLine {
  return { ...line, line: redactText(line.line) };
}

function redactSpan(span: CompactSpan): CompactSpan {
  return {
    ...span,
    name: redactText(span.name),
    ...(span.statusMessage !== undefined ? { statusMessage: redactText(span.statusMessage) } : {}),
    ...(span.exception !== undefined ? { exception: redactText(span.exception) } : {}),
    ...(span.route !== undefined ? { route: redactText(span.route) } : {}),
  };
}

/** A step's server side through the one redaction (util/redact.ts), as every kept run is. */
export function redactStepServer(server: StepServer): StepServer {
  return { ...server, spans: server.spans.map(redactSpan), logs: server.logs.map(redactLine) };
}

export function redactRunServer(server: RunServer): RunServer {
  return {
    ...server,
    apps: server.apps.map((app) => (app.url ? { ...app, url: redactText(app.url) } : app)),
    resourceSpans: redactOtlp(server.resourceSpans) as ResourceSpans[],
    logs: server.logs.map(redactLine),
  };
}
