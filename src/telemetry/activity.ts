import { randomBytes } from 'node:crypto';
import { collectTrace, type ActionTrace, type ActivityTelemetry, type WaitMemory } from './activitySources.js';
import { entriesSince, isProblemLine, type LoggedLine } from './logs/recent.js';
import type { LevelName } from './logs/levels.js';
import type { Labels } from './model.js';
import type { LogStore } from './logs/store.js';
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
  /** The action's trace, when the apps sent spans of it (to Legible, or to the team's backend). */
  trace?: ActionTrace;
  /** The action's trace id, when requests to the apps carried it. */
  traceId?: string;
  /** One line per team's backend (--traces-url, --logs-url) that failed or did not answer within the wait. */
  unanswered?: string[];
}

/** What feeds the log store while actions run, and where the apps listen (the app supervisor). */
export interface ActivitySource {
  /** Whether anything may still be writing (an app is running). */
  active(): boolean;
  /** Stores output still held back (a line waiting for its stack trace). */
  flush(): void;
  /** Resolves once the apps' processes have no work left (what they logged is written), or after `maxMs`. */
  idle(maxMs: number): Promise<void>;
  /** The running apps' origins (`http://localhost:5173`), each with its app's name. */
  origins(): ReadonlyMap<string, string>;
}

export type { ActivityTelemetry } from './activitySources.js';

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
/**
 * The longest an action's report waits for the apps its requests reached to write what they
 * logged (an app that never rests costs this much per action); measured lines came at most 200 ms late.
 */
const IDLE_MAX_MS = 500;
/** Requests of one action whose spans are waited for and whose client spans are filed. */
const MAX_NOTED = 256;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** Epoch ms with sub-millisecond precision (spans are in nanoseconds). */
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * Watches the server side around actions: `begin()` before the action gives it a trace id and
 * marks the log store; `finish()`, once the page settled, waits (bounded) for the spans of the
 * requests that carried the trace id, then answers the trace's summary, the lines carrying its
 * id, and the other problem lines since the mark.
 *
 * The wait is only for apps that the action's requests reached (activitySources.ts: how long, and
 * how the span store and a team's backends are both asked). The window's lines: settling already
 * waited for the action's requests and 30 ms of DOM quiet, and a server issues its log line before
 * or while it answers; but a logger may write it from another thread later (pino does), so once an
 * action reached an app, the report first waits (bounded) until the apps have no work left.
 */
export function watchActivity(store: LogStore, source: ActivitySource, telemetry?: ActivityTelemetry): { begin(label?: string): ActionWatch } {
  /** Per app: actions in a row whose spans did not come; apps heard of only through the team's backend. */
  const memory: WaitMemory = { misses: new Map(), remoteOnly: new Set() };
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
            // Every running app: a request to one may have reached another through it (a dev server's proxy).
            if (sent.size) await source.idle(IDLE_MAX_MS);
            await new Promise((resolve) => setImmediate(resolve));
            source.flush();
          }
          const settledAt = preciseNow();
          const collected = telemetry && sent.size ? await collectTrace(telemetry, traceId, sent, memory, startedAt) : undefined;
          const unanswered = collected?.unanswered.length ? { unanswered: collected.unanswered } : {};
          let trace: ServerActivity['trace'];
          if (collected?.trace) {
            const { serverSpans, ...summary } = collected.trace;
            trace = summary;
            // The browser's side of the trace: the action and its requests, above the apps' spans.
            telemetry?.record?.(browserSpans({ traceId, label: label ?? 'browser action', startMs: startedAt, endMs: settledAt, requests, serverSpans, rootId: hex(8) }));
          }
          // Lines carrying the trace id are in the trace's part; the rest (other apps, no trace) here.
          const keep = (labels: Labels, level: LevelName, lineTrace: string | undefined) => isProblemLine(labels, level) && !(trace && lineTrace === traceId);
          const { lines, more } = store.nextSeq() === mark ? { lines: [], more: 0 } : entriesSince(store, mark, keep, MAX_LINES);
          if (!trace && !lines.length) return sent.size ? { logs: [], more: 0, traceId, ...unanswered } : undefined;
          return { logs: lines, more, ...(trace ? { trace } : {}), ...(sent.size ? { traceId } : {}), ...unanswered };
        },
      };
    },
  };
}
