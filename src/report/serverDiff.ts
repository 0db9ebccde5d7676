import type { ServerLine } from '../journey/serverRecord.js';
import { compactStructured } from '../telemetry/logs/compactLine.js';
import { BROWSER_SERVICE } from '../telemetry/traces/browserSpans.js';
import { compactResourceSpans, type CompactSpan } from '../telemetry/traces/compactSpans.js';
import type { RunRecord } from './runs.js';

/**
 * What changed on the server side from one run to another, from their records alone:
 * - errors resolved and new: each error span as "<exception> in <the HTTP span it served>";
 * - spans slower or faster, matched by service and name (the name carries the route: "POST
 *   /api/basket"), with count, mean duration and error deltas — the shape of Tempo's trace diff;
 * - log lines that appeared or disappeared, compared with their numbers, ids and times masked.
 * A run without a server side gives no diff (undefined).
 */

export interface ServerError {
  /** "TypeError: Cannot read properties of undefined (reading 'price')", or "HTTP 500". */
  what: string;
  /** The HTTP span it happened in ("POST /api/basket"), or its own name. */
  where: string;
  service: string;
  count: number;
  traceId: string;
}

export interface SpanStats {
  count: number;
  meanMs: number;
  errors: number;
}

export interface SpanChange {
  service: string;
  name: string;
  kind: 'slower' | 'faster' | 'new' | 'gone' | 'errors';
  before?: SpanStats;
  after?: SpanStats;
}

export interface LineChange {
  app: string;
  level: string;
  line: string;
  count: number;
}

export interface ServerDiff {
  resolved: ServerError[];
  added: ServerError[];
  spans: SpanChange[];
  appeared: LineChange[];
  disappeared: LineChange[];
}

/** A mean duration changes when it moves by at least this share and this many milliseconds. */
const SHARE = 0.25;
const MIN_MS = 10;

function spansOf(run: RunRecord): CompactSpan[] {
  const all = run.server?.resourceSpans.length ? compactResourceSpans(run.server.resourceSpans) : run.steps.flatMap((step) => step.server?.spans ?? []);
  return all.filter((span) => span.service !== BROWSER_SERVICE);
}

const isHttp = (span: CompactSpan) => span.route !== undefined || span.httpStatus !== undefined;

/** Each error span as what went wrong where; an HTTP span's bare status is left out when an exception inside it says more. */
export function serverErrors(spans: CompactSpan[]): ServerError[] {
  const byId = new Map(spans.map((span) => [`${span.traceId}/${span.spanId}`, span]));
  const whereOf = (span: CompactSpan): string => {
    for (let at: CompactSpan | undefined = span; at; at = at.parentId ? byId.get(`${at.traceId}/${at.parentId}`) : undefined) {
      if (isHttp(at) && at.service !== BROWSER_SERVICE) return at.name;
    }
    return span.name;
  };
  const found = new Map<string, ServerError & { exception: boolean }>();
  for (const span of spans) {
    if (span.status !== 'error') continue;
    const what = span.exception ?? span.statusMessage ?? (span.httpStatus ? `HTTP ${span.httpStatus}` : 'error');
    const where = whereOf(span);
    const key = `${what}\u0000${where}`;
    const known = found.get(key);
    if (known) known.count++;
    else found.set(key, { what, where, service: span.service, count: 1, traceId: span.traceId, exception: span.exception !== undefined });
  }
  const explained = new Set([...found.values()].filter((error) => error.exception).map((error) => error.where));
  return [...found.values()].filter((error) => error.exception || !explained.has(error.where)).map(({ exception: _exception, ...error }) => error);
}

function stats(spans: CompactSpan[]): Map<string, SpanStats & { service: string; name: string }> {
  const out = new Map<string, SpanStats & { service: string; name: string; totalMs: number }>();
  for (const span of spans) {
    const key = `${span.service}\u0000${span.name}`;
    const entry = out.get(key) ?? { service: span.service, name: span.name, count: 0, meanMs: 0, errors: 0, totalMs: 0 };
    entry.count++;
    entry.totalMs += span.durationMs;
    entry.meanMs = entry.totalMs / entry.count;
    if (span.status === 'error') entry.errors++;
    out.set(key, entry);
  }
  return out;
}

/** A log line with what changes from run to run (numbers, ids, times) masked. */
export function lineShape(line: string): string {
  return line
    .split('\n')[0]!
    .replace(/\b[0-9a-f]{8,}\b/gi, '…')
    .replace(/\d+(\.\d+)?/g, '#')
    .slice(0, 300);
}

function lineCounts(lines: ServerLine[]): Map<string, LineChange> {
  const out = new Map<string, LineChange>();
  for (const line of lines) {
    const first = line.line.split('\n')[0]!;
    // A structured line by its message and fields (its time, pid and trace context left out).
    const text = compactStructured(first) ?? first;
    const shape = lineShape(text);
    const key = `${line.app}\u0000${line.level}\u0000${shape}`;
    const entry = out.get(key);
    if (entry) entry.count++;
    else out.set(key, { app: line.app, level: line.level, line: text.slice(0, 300), count: 1 });
  }
  return out;
}

function linesOf(run: RunRecord): ServerLine[] {
  return run.server?.logs ?? run.steps.flatMap((step) => step.server?.logs ?? []);
}

const SEVERITY: Record<string, number> = { fatal: 0, error: 1, warn: 2 };

/** Errors first, then warnings, then the rest, each in the order they came. */
function bySeverity(lines: LineChange[]): LineChange[] {
  return lines.map((line, i) => ({ line, i })).sort((a, b) => (SEVERITY[a.line.level] ?? 3) - (SEVERITY[b.line.level] ?? 3) || a.i - b.i).map(({ line }) => line);
}

export function diffServer(before: RunRecord, after: RunRecord): ServerDiff | undefined {
  if (!before.server && !after.server) return undefined;
  const [a, b] = [spansOf(before), spansOf(after)];
  const key = (error: ServerError) => `${error.what}\u0000${error.where}`;
  const [errorsA, errorsB] = [serverErrors(a), serverErrors(b)];
  const keysA = new Set(errorsA.map(key));
  const keysB = new Set(errorsB.map(key));
  const spans: SpanChange[] = [];
  const [statsA, statsB] = [stats(a), stats(b)];
  for (const [id, was] of statsA) {
    const now = statsB.get(id);
    const strip = ({ count, meanMs, errors }: SpanStats): SpanStats => ({ count, meanMs, errors });
    if (!now) {
      spans.push({ service: was.service, name: was.name, kind: 'gone', before: strip(was) });
      continue;
    }
    const delta = now.meanMs - was.meanMs;
    const moved = Math.abs(delta) >= MIN_MS && Math.abs(delta) >= SHARE * was.meanMs;
    if (moved) spans.push({ service: was.service, name: was.name, kind: delta > 0 ? 'slower' : 'faster', before: strip(was), after: strip(now) });
    else if (now.errors !== was.errors) spans.push({ service: was.service, name: was.name, kind: 'errors', before: strip(was), after: strip(now) });
  }
  for (const [id, now] of statsB) {
    if (!statsA.has(id)) spans.push({ service: now.service, name: now.name, kind: 'new', after: { count: now.count, meanMs: now.meanMs, errors: now.errors } });
  }
  const [linesA, linesB] = [lineCounts(linesOf(before)), lineCounts(linesOf(after))];
  return {
    resolved: errorsA.filter((error) => !keysB.has(key(error))),
    added: errorsB.filter((error) => !keysA.has(key(error))),
    spans,
    appeared: bySeverity([...linesB].filter(([id]) => !linesA.has(id)).map(([, line]) => line)),
    disappeared: bySeverity([...linesA].filter(([id]) => !linesB.has(id)).map(([, line]) => line)),
  };
}
