import type { LogsBackend, MetricsBackend, TimeWindow, TracesBackend } from '../telemetry/backends.js';
import { compactStructured } from '../telemetry/logs/compactLine.js';
import { fromNanos } from '../telemetry/logs/logql/answer.js';
import { compactTrace, type CompactSpan } from '../telemetry/traces/compactSpans.js';
import { BROWSER_SERVICE } from '../telemetry/traces/browserSpans.js';
import type { TempoSearchResponse } from '../telemetry/traces/tempo.js';
import { formatDuration } from '../telemetry/time.js';
import { errorMessage } from '../util/errors.js';
import { plural, printable, truncate } from '../util/text.js';
import type { ExpectationVerdict } from './expectations.js';
import { describeServerExpectation, type CompareOp, type ServerExpectation } from './serverKinds.js';

/**
 * Checks the server expectations of a run (serverKinds.ts) through the backend interfaces, so the
 * embedded stores and a team's Prometheus, Loki or Tempo answer alike, over the run's time range.
 * A failing verdict lists what it found (at most MAX_FOUND lines: spans with their service,
 * duration, exception and trace id; log lines with their trace id); a check that could not be
 * made (no span arrived at all, a metric query with no series, an app that never started, a
 * backend that did not answer) is "not checked", never a pass.
 */

/** What a run's server checks need: the backends, and the apps' start-ups. */
export interface ServerSide {
  logs(): Promise<LogsBackend>;
  traces(): Promise<TracesBackend>;
  metrics(): Promise<MetricsBackend>;
  /** The app's most recent start in this session (spawn → ready, and when it was ready). */
  startup(app: string): { readyMs: number; at: number } | undefined;
  /** Waits (bounded) for what the apps export at the run's end to arrive; `metrics`: also their next metrics export. */
  settle(options: { metrics: boolean }): Promise<void>;
}

/** Lines a verdict lists of what it found. */
export const MAX_FOUND = 5;
/** Traces fetched to name the spans a search found (display names, exceptions). */
const NAMED_TRACES = 5;
/** Levels that make a line an error for noServerErrors. */
const ERROR_LEVELS = 'error|fatal';

type Verdict = ExpectationVerdict;

function verdict(expectation: ServerExpectation, status: Verdict['status'], detail?: string, found?: string[]): Verdict {
  return { expectation, description: describeServerExpectation(expectation), status, passed: status === 'passed', ...(detail ? { detail } : {}), ...(found?.length ? { found } : {}) };
}

/** A LogQL or TraceQL string literal. */
const literal = (text: string) => JSON.stringify(text);

export async function checkServerExpectation(server: ServerSide, expectation: ServerExpectation, window: TimeWindow): Promise<Verdict> {
  try {
    switch (expectation.type) {
      case 'noServerErrors':
        return await noServerErrors(server, expectation, window);
      case 'log':
        return await logExpectation(server, expectation, window);
      case 'trace':
        return await traceExpectation(server, expectation, window);
      case 'metric':
        return await metricExpectation(server, expectation, window);
      case 'startup':
        return startupExpectation(server, expectation);
    }
  } catch (error) {
    return verdict(expectation, 'not-checked', `the backend could not answer: ${truncate(errorMessage(error).split('\n')[0]!, 200)}`);
  }
}

/** `api error: pricing failed · trace 4bf9…` */
function lineText(line: { app: string; level: string; line: string; traceId?: string }): string {
  const first = line.line.split('\n')[0]!;
  const text = printable(truncate(compactStructured(first) ?? first, 160));
  return `${line.app} ${line.level}: ${text}${line.traceId ? ` · trace ${line.traceId}` : ''}`;
}

/** `✗ POST /api/basket 12ms (api): TypeError: … · trace 4bf9…` */
function spanText(span: CompactSpan): string {
  const mark = span.status === 'error' ? '✗ ' : '';
  const what = span.exception ?? (span.status === 'error' ? (span.statusMessage ?? 'error') : undefined);
  const http = span.httpStatus && span.httpStatus >= 400 ? ` HTTP ${span.httpStatus}` : '';
  return `${mark}${truncate(span.name, 80)} ${formatDuration(span.durationMs)} (${span.service})${http}${what ? `: ${printable(truncate(what, 140))}` : ''} · trace ${span.traceId} span ${span.spanId.slice(0, 8)}`;
}

interface Lines {
  lines: { app: string; level: string; line: string; traceId?: string; timeMs: number }[];
  matched: number;
}

async function queryLines(backend: LogsBackend, query: string, window: TimeWindow): Promise<Lines> {
  const answer = await backend.query(query, { ...window, limit: MAX_FOUND, direction: 'forward' });
  if (answer.data.resultType !== 'streams') return { lines: [], matched: 0 };
  const lines: Lines['lines'] = [];
  for (const stream of answer.data.result) {
    for (const value of stream.values) {
      const metadata = value[2]?.structuredMetadata ?? {};
      const app = stream.stream.app ?? stream.stream.service_name ?? 'app';
      lines.push({ app, level: metadata.detected_level ?? stream.stream.detected_level ?? stream.stream.level ?? 'line', line: value[1], timeMs: fromNanos(value[0]), ...(metadata.trace_id ? { traceId: metadata.trace_id } : {}) });
    }
  }
  lines.sort((a, b) => a.timeMs - b.timeMs);
  return { lines, matched: Math.max(answer.stats.matched, lines.length) };
}

/**
 * The LogQL selectors of the apps' lines: what Legible captured of their output (`app`), and the
 * OTLP log records they exported (`service_name`: Legible names each app's service after it).
 */
export function serverSelectors(app?: string): string[] {
  return app ? [`{app=${literal(app)}}`, `{service_name=${literal(app)}}`] : ['{app=~".+"}', '{service_name=~".+"}'];
}

async function mergedLines(backend: LogsBackend, queries: string[], window: TimeWindow): Promise<Lines> {
  const answers = await Promise.all(queries.map((query) => queryLines(backend, query, window)));
  const lines = answers.flatMap((answer) => answer.lines).sort((a, b) => a.timeMs - b.timeMs);
  return { lines: lines.slice(0, MAX_FOUND), matched: answers.reduce((sum, answer) => sum + answer.matched, 0) };
}

interface SpanHits {
  /** Matched spans of the apps (not the browser's) that started in the window, named; at most MAX_FOUND. */
  spans: CompactSpan[];
  matched: number;
}

/**
 * A TraceQL search over the window, keeping the apps' spans that started in it (the browser's
 * own spans, which Legible files for each action, are not the server's), each named from its
 * trace (route, exception, status).
 */
async function searchSpans(backend: TracesBackend, query: string, window: TimeWindow): Promise<SpanHits> {
  const answer: TempoSearchResponse = await backend.search(query, { ...window, limit: 20, spansPerSpanSet: 20 });
  const hits: { traceId: string; spanId: string }[] = [];
  let matched = 0;
  for (const trace of answer.traces) {
    for (const set of trace.spanSets ?? (trace.spanSet ? [trace.spanSet] : [])) {
      let listed = 0;
      for (const span of set.spans) {
        const service = span.attributes?.find((kv) => kv.key === 'service.name')?.value?.stringValue;
        const startMs = fromNanos(span.startTimeUnixNano);
        if (service === BROWSER_SERVICE || startMs < window.startMs || startMs > window.endMs) continue;
        listed++;
        hits.push({ traceId: trace.traceID, spanId: span.spanID });
      }
      // Spans a backend matched but did not list (past spss) count too, unless all listed ones were left out.
      matched += listed + (listed === set.spans.length ? Math.max(0, set.matched - set.spans.length) : 0);
    }
  }
  const named: CompactSpan[] = [];
  const traces = [...new Set(hits.map((hit) => hit.traceId))].slice(0, NAMED_TRACES);
  for (const traceId of traces) {
    const spans = compactTrace(await backend.trace(traceId, window).catch(() => ({ resourceSpans: [] })));
    for (const hit of hits.filter((h) => h.traceId === traceId)) {
      const span = spans.find((s) => s.spanId === hit.spanId);
      if (span && named.length < MAX_FOUND) named.push(span);
    }
  }
  // What went wrong first: spans with an exception, then other errors, then the rest (stable).
  const rank = (span: CompactSpan) => (span.exception ? 0 : span.status === 'error' ? 1 : 2);
  return { spans: named.sort((a, b) => rank(a) - rank(b)), matched };
}

/** Whether any app span (not the browser's) started in the window: without one, "no span matched" proves nothing. */
async function anyAppSpan(backend: TracesBackend, window: TimeWindow): Promise<boolean> {
  const answer = await backend.search(`{ resource.service.name != ${literal(BROWSER_SERVICE)} }`, { ...window, limit: 5, spansPerSpanSet: 1 });
  return answer.traces.length > 0;
}

async function noServerErrors(server: ServerSide, expectation: Extract<ServerExpectation, { type: 'noServerErrors' }>, window: TimeWindow): Promise<Verdict> {
  const app = expectation.app;
  const [logs, traces] = await Promise.all([server.logs(), server.traces()]);
  const lines = await mergedLines(logs, serverSelectors(app).map((selector) => `${selector} | detected_level=~${literal(ERROR_LEVELS)}`), window);
  const spanQuery = app ? `{ status = error && (resource.service.name = ${literal(app)} || resource.legible.app = ${literal(app)}) }` : '{ status = error }';
  const spans = await searchSpans(traces, spanQuery, window);
  const found = [...spans.spans.map(spanText), ...lines.lines.map(lineText)].slice(0, MAX_FOUND);
  const counts = [spans.matched ? plural(spans.matched, 'error span') : '', lines.matched ? plural(lines.matched, 'error line') : ''].filter(Boolean).join(' and ');
  if (counts) return verdict(expectation, 'failed', `${counts}${app ? ` from ${app}` : ''} during the run`, found);
  const quiet = (await anyAppSpan(traces, window)) ? '' : '; no span arrived from the apps, so only their logs were checked';
  return verdict(expectation, 'passed', `no error lines or error spans${quiet}`);
}

async function logExpectation(server: ServerSide, expectation: Extract<ServerExpectation, { type: 'log' }>, window: TimeWindow): Promise<Verdict> {
  const lines = await queryLines(await server.logs(), expectation.query, window);
  if (expectation.present) {
    return lines.matched
      ? verdict(expectation, 'passed', `${plural(lines.matched, 'line')} matched`, lines.lines.slice(0, 1).map(lineText))
      : verdict(expectation, 'failed', 'no line matched during the run');
  }
  return lines.matched ? verdict(expectation, 'failed', `${plural(lines.matched, 'line')} matched during the run`, lines.lines.map(lineText)) : verdict(expectation, 'passed');
}

async function traceExpectation(server: ServerSide, expectation: Extract<ServerExpectation, { type: 'trace' }>, window: TimeWindow): Promise<Verdict> {
  const backend = await server.traces();
  const hits = await searchSpans(backend, expectation.query, window);
  if (expectation.present) {
    if (hits.matched) return verdict(expectation, 'passed', `${plural(hits.matched, 'span')} matched`, hits.spans.slice(0, 1).map(spanText));
    const none = (await anyAppSpan(backend, window)) ? 'no span of the run matched' : 'no span arrived from the apps during the run';
    return verdict(expectation, 'failed', none);
  }
  if (hits.matched) return verdict(expectation, 'failed', `${plural(hits.matched, 'span')} matched during the run`, hits.spans.map(spanText));
  if (!(await anyAppSpan(backend, window))) {
    return verdict(expectation, 'not-checked', 'no span arrived from the apps during the run, so nothing could match: is the app instrumented (OpenTelemetry, pointed at Legible by the OTEL_* variables Legible gives the apps it starts)?');
  }
  return verdict(expectation, 'passed');
}

const COMPARE: Record<CompareOp, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

function labelText(labels: Record<string, string>): string {
  const name = labels.__name__ ?? '';
  const rest = Object.entries(labels)
    .filter(([key]) => key !== '__name__')
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${name}${rest.length ? `{${rest.join(', ')}}` : name ? '' : '{}'}`;
}

async function metricExpectation(server: ServerSide, expectation: Extract<ServerExpectation, { type: 'metric' }>, window: TimeWindow): Promise<Verdict> {
  const backend = await server.metrics();
  const { data } = await backend.query(expectation.query, window.endMs);
  const holds = (value: number) => COMPARE[expectation.op](value, expectation.value);
  const wanted = `${expectation.op} ${expectation.value}`;
  if (data.resultType === 'scalar') {
    const value = Number(data.result[1]);
    return verdict(expectation, holds(value) ? 'passed' : 'failed', `it was ${value} at the run's end${holds(value) ? '' : `, not ${wanted}`}`);
  }
  if (data.resultType !== 'vector') return verdict(expectation, 'not-checked', `the query gives a ${data.resultType}, not an instant vector or a scalar`);
  if (!data.result.length) {
    return verdict(expectation, 'not-checked', `the query found no series at the run's end (${new Date(window.endMs).toISOString()}): check its names with the metrics tool`);
  }
  const failing = data.result.filter((sample) => !holds(Number(sample.value[1])));
  if (!failing.length) {
    const only = data.result.length === 1 ? `it was ${Number(data.result[0]!.value[1])} at the run's end` : `all ${data.result.length} series were ${wanted}`;
    return verdict(expectation, 'passed', only);
  }
  const found = failing.slice(0, MAX_FOUND).map((sample) => `${truncate(labelText(sample.metric), 160)} = ${Number(sample.value[1])}`);
  return verdict(expectation, 'failed', `${failing.length} of ${plural(data.result.length, 'series', 'series')} not ${wanted} at the run's end`, found);
}

function startupExpectation(server: ServerSide, expectation: Extract<ServerExpectation, { type: 'startup' }>): Verdict {
  const start = server.startup(expectation.app);
  if (!start) return verdict(expectation, 'not-checked', `${expectation.app} has not started in this session (app start starts it; so does a run of a journey whose steps use it)`);
  const ok = COMPARE[expectation.op](start.readyMs, expectation.ms);
  const detail = `${expectation.app} took ${formatDuration(start.readyMs)} from spawn to ready (its start at ${new Date(start.at).toISOString()})${ok ? '' : `, over ${formatDuration(expectation.ms)}`}`;
  return verdict(expectation, ok ? 'passed' : 'failed', detail);
}
