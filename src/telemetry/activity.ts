import { randomBytes } from 'node:crypto';
import type { LogsBackend, TracesBackend } from './backends.js';
import { fromNanos } from './logs/logql/answer.js';
import { entriesSince, isProblemLine, type LoggedLine } from './logs/recent.js';
import { levelName, levelOf, type LevelName } from './logs/levels.js';
import type { Labels } from './model.js';
import type { LogStore } from './logs/store.js';
import type { ExportTraceRequest, Span } from './otlp/model.js';
import { summarizeActionTrace, type ActionTraceSummary } from './traces/actionTrace.js';
import { browserSpans, type SentRequest } from './traces/browserSpans.js';
import { redactUrl } from '../util/redact.js';

/**
 * What the server side did while one browser action ran, for its report's Server section: the
 * spans of the action's own trace (every request the page sent to an app carried the action's
 * trace id in a `traceparent`), the log lines carrying that trace id, and the warning and error
 * lines the apps printed meanwhile without it (an app that is not instrumented shows only these).
 */
export interface ServerActivity {
  /** Problem lines printed during the action that are not in `trace.logs`; oldest first, at most MAX_LINES. */
  logs: LoggedLine[];
  /** How many more there were. */
  more: number;
  /** The action's trace, when the apps sent spans of it. */
  trace?: ActionTraceSummary & {
    /** Log lines carrying the trace id (any level), oldest first. */
    logs: LoggedLine[];
    logsMore: number;
    /** Requests that carried the trace id to an app whose span did not arrive in time. */
    missing: number;
  };
  /** The action's trace id, when requests to the apps carried it. */
  traceId?: string;
}

/** What feeds the log store while actions run, and where the apps listen (the app supervisor). */
export interface ActivitySource {
  /** Whether anything may still be writing (an app is running). */
  active(): boolean;
  /** Stores output still held back (a line waiting for its stack trace). */
  flush(): void;
  /** The running apps' origins (`http://localhost:5173`), each with its app's name. */
  origins(): ReadonlyMap<string, string>;
}

/** Where the spans and the log lines by trace id are asked for (loaded telemetry only). */
export interface ActivityTelemetry {
  /** The traces backend, when telemetry is running (never loads it). */
  traces(): TracesBackend | undefined;
  logs: LogsBackend;
  /** Whether this app has sent telemetry before. */
  heardFrom(app: string): boolean;
  /** Stores the browser's spans of a trace (the action and its requests) beside the apps'. */
  record?(request: ExportTraceRequest): void;
}

/** One action being watched. */
export interface ActionWatch {
  /** The action's W3C trace id (32 hex digits). */
  readonly traceId: string;
  /** The origins whose requests carry the trace (the running apps'), fixed when the action began. */
  readonly origins: ReadonlyMap<string, string>;
  /** A `traceparent` for one request to an app's origin: the action's trace, a new parent span id. */
  traceparent(origin: string, request?: { url: string; method: string }): string | undefined;
  /** Once the page settled: the Server section's content (undefined when there is nothing). */
  finish(): Promise<ServerActivity | undefined>;
}

const MAX_LINES = 8;
const MAX_TRACE_LINES = 6;
/** How long to wait for the spans of an app known to send them (its export delay, the export). */
const WAIT_KNOWN_MS = 1_500;
/** … and for an app that has sent nothing yet (it may be starting up, or not be instrumented). */
const WAIT_UNKNOWN_MS = 400;
/** After this many actions whose spans never came, an app that never sent any is not waited for. */
const GIVE_UP_AFTER = 2;
/** Spans of one export arrive together; stop this long after the last one once all are in. */
const QUIET_MS = 20;
/** Stop this long after the last span even when some requests' spans are still missing. */
const PARTIAL_QUIET_MS = 150;
const POLL_MS = 10;
/** Requests of one action whose spans are waited for and whose client spans are filed. */
const MAX_NOTED = 256;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** Epoch ms with sub-millisecond precision (spans are in nanoseconds). */
const preciseNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Watches the server side around actions: `begin()` before the action gives it a trace id and
 * marks the log store; `finish()`, once the page settled, waits (bounded) for the spans of the
 * requests that carried the trace id, then answers the trace's summary, the lines carrying its
 * id, and the other problem lines since the mark.
 *
 * The wait is only for apps that the action's requests reached: up to WAIT_KNOWN_MS for an app
 * that sent telemetry before, WAIT_UNKNOWN_MS for one that has not (yet), and not at all for an
 * app whose spans never came for GIVE_UP_AFTER actions in a row (not instrumented). The window
 * lines need no wait: settling already waited for the action's requests and 30 ms of DOM quiet,
 * and a server writes its log line before or while it answers.
 */
export function watchActivity(store: LogStore, source: ActivitySource, telemetry?: ActivityTelemetry): { begin(label?: string): ActionWatch } {
  /** Per app: actions in a row whose spans did not come. */
  const misses = new Map<string, number>();
  return {
    begin(label) {
      // Output held back for a possible stack trace arrived before the action: store it now, or
      // the flush after the action would file it under the action's mark.
      if (source.active()) source.flush();
      const mark = store.nextSeq();
      const startedAt = preciseNow();
      const traceId = hex(16);
      const origins = telemetry ? source.origins() : new Map<string, string>();
      /** Parent span id → the app it was sent to. */
      const sent = new Map<string, string>();
      const requests: SentRequest[] = [];
      return {
        traceId,
        origins,
        traceparent(origin, request) {
          const app = origins.get(origin);
          if (!app) return undefined;
          const parent = hex(8);
          // A page that sends many requests in one action: all carry the trace; the first ones are waited for and filed.
          if (sent.size < MAX_NOTED) {
            sent.set(parent, app);
            requests.push({ spanId: parent, app, atMs: preciseNow(), ...(request ? { url: redactUrl(request.url), method: request.method } : {}) });
          }
          return `00-${traceId}-${parent}-01`;
        },
        async finish() {
          if (source.active()) {
            await new Promise((resolve) => setImmediate(resolve));
            source.flush();
          }
          const settledAt = preciseNow();
          const collected = telemetry && sent.size ? await collectTrace(telemetry, traceId, sent, misses, startedAt) : undefined;
          let trace: ServerActivity['trace'];
          if (collected) {
            const { serverSpans, ...summary } = collected;
            trace = summary;
            // The browser's side of the trace: the action and its requests, above the apps' spans.
            telemetry?.record?.(browserSpans({ traceId, label: label ?? 'browser action', startMs: startedAt, endMs: settledAt, requests, serverSpans, rootId: hex(8) }));
          }
          // Lines carrying the trace id are in the trace's part; the rest (other apps, no trace) here.
          const keep = (labels: Labels, level: LevelName, lineTrace: string | undefined) => isProblemLine(labels, level) && !(trace && lineTrace === traceId);
          const { lines, more } = store.nextSeq() === mark ? { lines: [], more: 0 } : entriesSince(store, mark, keep, MAX_LINES);
          if (!trace && !lines.length) return sent.size ? { logs: [], more: 0, traceId } : undefined;
          return { logs: lines, more, ...(trace ? { trace } : {}), ...(sent.size ? { traceId } : {}) };
        },
      };
    },
  };
}

async function collectTrace(
  telemetry: ActivityTelemetry,
  traceId: string,
  sent: Map<string, string>,
  misses: Map<string, number>,
  startedAt: number,
): Promise<(NonNullable<ServerActivity['trace']> & { serverSpans: Span[] }) | undefined> {
  const backend = telemetry.traces();
  if (!backend) return undefined;
  const apps = new Set(sent.values());
  let budget = 0;
  for (const app of apps) {
    if (telemetry.heardFrom(app)) budget = Math.max(budget, WAIT_KNOWN_MS);
    else if ((misses.get(app) ?? 0) < GIVE_UP_AFTER) budget = Math.max(budget, WAIT_UNKNOWN_MS);
  }
  const deadline = Date.now() + budget;
  let found: Awaited<ReturnType<TracesBackend['trace']>> | undefined;
  let count = 0;
  let changedAt = Date.now();
  let answered = new Set<string>();
  for (;;) {
    found = await backend.trace(traceId).catch(() => found);
    const spans = (found?.resourceSpans ?? found?.batches ?? []).flatMap((batch) => (batch.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []));
    if (spans.length !== count) {
      count = spans.length;
      changedAt = Date.now();
      answered = new Set(spans.map((span) => span.parentSpanId ?? '').filter((id) => sent.has(id)));
    }
    const now = Date.now();
    if (answered.size === sent.size && now - changedAt >= QUIET_MS) break;
    if (count && now - changedAt >= PARTIAL_QUIET_MS) break;
    if (now >= deadline) break;
    await sleep(POLL_MS);
  }
  for (const app of apps) {
    const reached = [...sent].some(([parent, to]) => to === app && answered.has(parent));
    misses.set(app, reached || telemetry.heardFrom(app) ? 0 : (misses.get(app) ?? 0) + 1);
  }
  if (!found || !count) return undefined;
  const summary = summarizeActionTrace(found);
  const logs = await linesOfTrace(telemetry.logs, traceId, startedAt);
  const serverSpans = (found.resourceSpans ?? found.batches ?? []).flatMap((batch) => (batch.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []));
  return { ...summary, ...logs, missing: sent.size - answered.size, serverSpans };
}

/** The log lines carrying the trace id, any level, from the action's start on. */
async function linesOfTrace(logs: LogsBackend, traceId: string, startedAt: number): Promise<{ logs: LoggedLine[]; logsMore: number }> {
  try {
    const answer = await logs.query(`{app=~".+"} | trace_id="${traceId}"`, { startMs: startedAt - 1_000, endMs: Date.now() + 1_000, limit: MAX_TRACE_LINES, direction: 'forward' });
    if (answer.data.resultType !== 'streams') return { logs: [], logsMore: 0 };
    const lines: LoggedLine[] = [];
    for (const stream of answer.data.result) {
      for (const value of stream.values) {
        const metadata = value[2]?.structuredMetadata ?? {};
        const level = levelName(levelOf(metadata.detected_level ?? 'unknown'));
        lines.push({ timeMs: fromNanos(value[0]), labels: stream.stream, level, line: value[1], traceId });
      }
    }
    lines.sort((a, b) => a.timeMs - b.timeMs);
    return { logs: lines, logsMore: Math.max(0, answer.stats.matched - lines.length) };
  } catch {
    return { logs: [], logsMore: 0 };
  }
}
