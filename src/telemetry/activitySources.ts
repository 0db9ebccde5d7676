import { LegibleError } from '../util/errors.js';
import type { LogsBackend, LogsResult, TimeWindow, TracesBackend } from './backends.js';
import { fromNanos } from './logs/logql/answer.js';
import { levelName, levelOf } from './logs/levels.js';
import type { LoggedLine } from './logs/recent.js';
import type { ExportTraceRequest, ResourceSpans, Span } from './otlp/model.js';
import { summarizeActionTrace, type ActionTraceSummary } from './traces/actionTrace.js';
import type { TempoTrace } from './traces/tempo.js';
import { formatDuration } from './time.js';

/**
 * Where one action's spans and trace lines come from: Legible's own stores, and a team's
 * backends when `--traces-url` / `--logs-url` name them. Both are asked, and merged:
 *
 * - The embedded store is where the apps Legible starts export (their OTEL_* point at its
 *   receiver), so their spans are there within the export delay; with `--otlp-forward` the
 *   team's backend gets a copy seconds later. A span is counted once (by span id), whichever
 *   source had it first, so forwarding never doubles the count.
 * - The team's backend is the only source for spans Legible never receives: an app whose own
 *   `env` sends its telemetry to the team's collector, a service further down the trace that
 *   Legible did not start. It is asked by trace id (with a time range around the action), every
 *   REMOTE_POLL_MS while the wait lasts, one request at a time, each cancelled when the wait ends.
 * - The wait ends as it did without a backend (every request's server span is in, and quiet),
 *   so a complete local trace never waits on the team's backend: the click→report latency is
 *   unchanged. An app heard of only through the backend is waited for up to WAIT_REMOTE_MS.
 * - A backend that fails (refused, HTTP error, garbage) or has not answered when the wait ends
 *   adds one line to the section (`unanswered`); the report is never held past its wait.
 * - Log lines carrying the trace id: the log store's (the apps' output Legible captures, their
 *   OTLP records), and Loki's for the trace's services (`service_name`, as Loki labels OTLP),
 *   a record both hold counted once. The lines printed meanwhile without the trace id stay the
 *   log store's: the apps' output is Legible's to capture, and a shared Loki's window is
 *   everyone's lines.
 */

/** Where the Server section reads an action's trace (the loaded telemetry only, never loading it). */
export interface ActivityTelemetry {
  /** The span store's backend, when telemetry is running (never loads it). */
  traces(): TracesBackend | undefined;
  /** The log store's backend. */
  logs: LogsBackend;
  /** The team's backends (`--traces-url`, `--logs-url`), once read: asked beside the embedded stores. */
  remote?(): { traces?: TracesBackend | undefined; logs?: LogsBackend | undefined };
  /** Whether this app has sent telemetry to Legible before. */
  heardFrom(app: string): boolean;
  /** Stores the browser's spans of a trace (the action and its requests) beside the apps'. */
  record?(request: ExportTraceRequest): void;
}

/** The action's trace as the Server section shows it. */
export type ActionTrace = ActionTraceSummary & {
  /** Log lines carrying the trace id (any level), oldest first. */
  logs: LoggedLine[];
  logsMore: number;
  /** Requests that carried the trace id to an app whose span did not arrive in time. */
  missing: number;
};

/** What the wait remembers between actions, per app. */
export interface WaitMemory {
  /** Actions in a row whose spans did not come. */
  misses: Map<string, number>;
  /** Apps whose spans came through the team's backend only (Legible never heard from them). */
  remoteOnly: Set<string>;
}

export interface CollectedTrace {
  trace?: ActionTrace & { serverSpans: Span[] };
  /** One line per team's backend that failed or did not answer in time. */
  unanswered: string[];
}

const MAX_TRACE_LINES = 6;
/** How long to wait for the spans of an app known to send them (its export delay, the export). */
const WAIT_KNOWN_MS = 1_500;
/** … and for an app that has sent nothing yet (it may be starting up, or not be instrumented). */
const WAIT_UNKNOWN_MS = 400;
/** … and for one whose spans reach only the team's backend (a collector's batching, the backend's ingestion). */
const WAIT_REMOTE_MS = 2_500;
/** After this many actions whose spans never came, an app that never sent any is not waited for. */
const GIVE_UP_AFTER = 2;
/** Spans of one export arrive together; stop this long after the last one once all are in. */
const QUIET_MS = 20;
/** Stop this long after the last span even when some requests' spans are still missing. */
const PARTIAL_QUIET_MS = 150;
const POLL_MS = 10;
/** Between two requests to the team's traces backend while waiting. */
const REMOTE_POLL_MS = 250;
/** The longest the team's logs backend is waited for, for the trace's lines. */
const REMOTE_LOGS_MS = 1_500;
/** The team's backend is asked for the trace from this long before the action to this long after now. */
const REMOTE_MARGIN_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A RemoteError (remote/http.ts) is the backend failing; any other error of `trace` is "no such trace (yet)". */
const isBackendFailure = (error: unknown) => error instanceof Error && error.name === 'RemoteError';
/** "the Tempo at http://…" → "The Tempo at http://…". */
const capital = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** The team's traces backend, asked for one trace again and again while the action's wait lasts. */
class RemoteTracePoll {
  found: TempoTrace | undefined;
  /** When it last answered (found or not), epoch ms; 0: never. */
  answeredAt = 0;
  problem: string | undefined;
  private pending: Promise<void> | undefined;
  private nextAt = 0;
  private readonly abort = new AbortController();

  constructor(
    private readonly backend: TracesBackend,
    private readonly traceId: string,
    private readonly window: TimeWindow,
  ) {}

  tick(): void {
    if (this.problem || this.pending || Date.now() < this.nextAt) return;
    this.pending = this.backend
      .trace(this.traceId, this.window, this.abort.signal)
      .then(
        (found) => {
          this.found = found;
          this.answeredAt = Date.now();
        },
        (error: unknown) => {
          if (this.abort.signal.aborted) return;
          if (isBackendFailure(error)) this.problem = `${(error as Error).message}`;
          else this.answeredAt = Date.now();
        },
      )
      .finally(() => {
        this.pending = undefined;
        this.nextAt = Date.now() + REMOTE_POLL_MS;
      });
  }

  /** Cancels the request still out; the line to say, when the backend failed or never answered within `waitedMs` it was needed for. */
  stop(needed: boolean, waitedMs: number): string | undefined {
    const silent = this.pending !== undefined && !this.answeredAt;
    this.abort.abort();
    if (this.problem) return this.problem;
    if (silent && needed) return `${capital(this.backend.name)} did not answer within ${formatDuration(waitedMs)}.`;
    return undefined;
  }
}

const spansOf = (trace: TempoTrace | undefined): ResourceSpans[] => trace?.resourceSpans ?? trace?.batches ?? [];

/** Two answers for one trace as one: every span once (by span id), the first source's copy kept. */
export function mergeTraces(first: TempoTrace | undefined, second: TempoTrace | undefined): ResourceSpans[] {
  const out = spansOf(first);
  const extra = spansOf(second);
  if (!extra.length) return out;
  const seen = new Set(out.flatMap((batch) => batch.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.spanId))));
  const added: ResourceSpans[] = [];
  for (const batch of extra) {
    const scopeSpans = batch.scopeSpans
      .map((scope) => ({ ...scope, spans: scope.spans.filter((span) => !seen.has(span.spanId)) }))
      .filter((scope) => scope.spans.length);
    if (scopeSpans.length) added.push({ ...batch, scopeSpans });
  }
  return added.length ? [...out, ...added] : out;
}

const flatSpans = (batches: ResourceSpans[]) => batches.flatMap((batch) => batch.scopeSpans.flatMap((scope) => scope.spans));

/**
 * Waits (bounded) for the spans of the requests that carried the action's trace id, from the
 * span store and the team's traces backend, then answers the trace's summary and its log lines.
 * `sent`: parent span id → the app the request went to.
 */
export async function collectTrace(telemetry: ActivityTelemetry, traceId: string, sent: Map<string, string>, memory: WaitMemory, startedAt: number): Promise<CollectedTrace> {
  const local = telemetry.traces();
  const team = telemetry.remote?.() ?? {};
  const remote = team.traces;
  if (!local && !remote) return { unanswered: [] };
  const apps = new Set(sent.values());
  /** The wait for what reaches Legible itself, and for what may reach the team's backend only. */
  let ownBudget = 0;
  let budget = 0;
  for (const app of apps) {
    const trying = (memory.misses.get(app) ?? 0) < GIVE_UP_AFTER;
    if (telemetry.heardFrom(app)) ownBudget = Math.max(ownBudget, WAIT_KNOWN_MS);
    else if (trying) ownBudget = Math.max(ownBudget, WAIT_UNKNOWN_MS);
    if (remote && (memory.remoteOnly.has(app) || (trying && !telemetry.heardFrom(app)))) budget = WAIT_REMOTE_MS;
  }
  budget = Math.max(budget, ownBudget);
  const began = Date.now();
  let deadline = began + budget;
  const poll = remote && budget ? new RemoteTracePoll(remote, traceId, { startMs: startedAt - REMOTE_MARGIN_MS, endMs: Date.now() + REMOTE_MARGIN_MS }) : undefined;
  let localFound: TempoTrace | undefined;
  let merged: ResourceSpans[] = [];
  let count = 0;
  let changedAt = Date.now();
  let answered = new Set<string>();
  let timedOut = false;
  for (;;) {
    poll?.tick();
    if (local) localFound = await local.trace(traceId).catch(() => localFound);
    merged = mergeTraces(localFound, poll?.found);
    const spans = flatSpans(merged);
    if (spans.length !== count) {
      count = spans.length;
      changedAt = Date.now();
      answered = new Set(spans.map((span) => span.parentSpanId ?? '').filter((id) => sent.has(id)));
    }
    const now = Date.now();
    if (answered.size === sent.size && now - changedAt >= QUIET_MS) break;
    // Some requests' spans are missing: stop once quiet, but not before the team's backend has answered since the last change.
    if (count && now - changedAt >= PARTIAL_QUIET_MS && (!poll || poll.problem || poll.answeredAt > changedAt)) break;
    // The team's backend failed: wait no longer than without it.
    if (poll?.problem) deadline = Math.min(deadline, began + ownBudget);
    if (now >= deadline) {
      timedOut = true;
      break;
    }
    await sleep(POLL_MS);
  }
  const unanswered: string[] = [];
  const said = poll?.stop(timedOut && answered.size < sent.size, Date.now() - began);
  if (said) unanswered.push(said);
  for (const app of apps) {
    const reached = [...sent].some(([parent, to]) => to === app && answered.has(parent));
    if (reached && remote && !telemetry.heardFrom(app)) memory.remoteOnly.add(app);
    memory.misses.set(app, reached || telemetry.heardFrom(app) || memory.remoteOnly.has(app) ? 0 : (memory.misses.get(app) ?? 0) + 1);
  }
  if (!count) return { unanswered };
  const summary = summarizeActionTrace({ resourceSpans: merged, traceID: traceId });
  const lines = await linesOfTrace(telemetry.logs, team.logs, traceId, startedAt, [...new Set([...summary.services, ...apps])]);
  if (lines.unanswered) unanswered.push(lines.unanswered);
  return { trace: { ...summary, logs: lines.logs, logsMore: lines.logsMore, missing: sent.size - answered.size, serverSpans: flatSpans(merged) }, unanswered };
}

/** A regular expression matching exactly these names (RE2 syntax, as Loki reads it). */
const alternation = (names: string[]) => names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

/**
 * The log lines carrying the trace id, any level, from the action's start on: the log store's,
 * and the team's Loki's for the trace's services, each record once.
 */
async function linesOfTrace(
  local: LogsBackend,
  remote: LogsBackend | undefined,
  traceId: string,
  startedAt: number,
  services: string[],
): Promise<{ logs: LoggedLine[]; logsMore: number; unanswered?: string }> {
  const window = { startMs: startedAt - 1_000, endMs: Date.now() + 1_000 };
  const ask = (backend: LogsBackend, query: string, signal?: AbortSignal) => backend.query(query, { ...window, limit: MAX_TRACE_LINES, direction: 'forward', ...(signal ? { signal } : {}) });
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const asked = Date.now();
  const [own, theirs] = await Promise.all([
    ask(local, `{app=~".+"} | trace_id="${traceId}"`).catch(() => undefined),
    remote && services.length
      ? Promise.race([
          ask(remote, `{service_name=~${JSON.stringify(alternation(services))}} | trace_id="${traceId}"`, abort.signal).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
          new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), REMOTE_LOGS_MS))),
        ])
      : undefined,
  ]);
  clearTimeout(timer);
  abort.abort();
  const lines = own ? linesOf(own, traceId) : [];
  let matched = own?.stats.matched ?? 0;
  let unanswered: string | undefined;
  if (theirs === 'late') unanswered = `${capital(remote!.name)} did not answer within ${formatDuration(Date.now() - asked)}.`;
  else if (theirs instanceof Error) unanswered = theirs instanceof LegibleError ? theirs.message : `${capital(remote!.name)} failed: ${theirs.message.slice(0, 160)}`;
  else if (theirs) {
    const extra = linesOf(theirs, traceId);
    const fresh = extra.filter((line) => !lines.some((mine) => sameRecord(mine, line)));
    matched += theirs.stats.matched - (extra.length - fresh.length);
    lines.push(...fresh);
  }
  lines.sort((a, b) => a.timeMs - b.timeMs);
  const shown = lines.slice(0, MAX_TRACE_LINES);
  return { logs: shown, logsMore: Math.max(0, matched - shown.length), ...(unanswered ? { unanswered } : {}) };
}

function linesOf(answer: LogsResult, traceId: string): LoggedLine[] {
  if (answer.data.resultType !== 'streams') return [];
  const lines: LoggedLine[] = [];
  for (const stream of answer.data.result) {
    for (const value of stream.values) {
      const metadata = value[2]?.structuredMetadata ?? {};
      // Loki 3 detects the level (`detected_level`); an OTLP record also carries its `severity_text`.
      const level = levelName(levelOf(metadata.detected_level ?? metadata.severity_text ?? 'unknown'));
      lines.push({ timeMs: fromNanos(value[0]), labels: stream.stream, level, line: value[1], traceId });
    }
  }
  return lines;
}

/**
 * One OTLP log record in both stores: the same time (to the microsecond) and the same body (the
 * log store writes the record's attributes after it in logfmt; Loki keeps them as metadata).
 */
function sameRecord(mine: LoggedLine, theirs: LoggedLine): boolean {
  return Math.abs(mine.timeMs - theirs.timeMs) < 0.001 && (mine.line === theirs.line || mine.line.startsWith(`${theirs.line} `));
}
