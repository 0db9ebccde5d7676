import { buildTraceTree, criticalPath, criticalSpans, displayName, exceptionOf, type SpanNode, type TraceTree } from '../telemetry/traces/analysis.js';
import type { TempoTrace } from '../telemetry/traces/tempo.js';
import { SPAN_KINDS } from '../telemetry/otlp/model.js';
import { formatDuration } from '../telemetry/time.js';
import { plural, truncate } from '../util/text.js';
import { shortId } from './traceSearchFormat.js';

/**
 * One trace as a flat depth-first outline: a header (root, duration, spans, services, errors),
 * the critical path, then one line per span, indented by depth, with duration, self time and
 * status, and the span's short id to ask for its details. Flat and depth-first because models
 * read that better than nested JSON (Jaeger's MCP found so). Runs of look-alike sibling leaves
 * fold into one line. Bounded by `budget`; the rest is paged with `offset`.
 */

export interface TraceOutlineOptions {
  /** Characters; default 6,000. */
  budget?: number;
  /** Skip this many outline lines (paging). */
  offset?: number;
  /** How to see one span, e.g. `traces {"trace":"<trace>","span":"<span>"}`. */
  spanHint?: string;
  /** How to see the next page, e.g. `traces {"trace":"<trace>","offset":<offset>}`. */
  pageHint?: string;
}

export const SPAN_ID_CHARS = 8;
const MAX_INDENT = 16;
const FOLD_RUN = 4;

const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : '');

function statusText(node: SpanNode): string {
  if (node.span.status?.code !== 2) return '';
  const exception = (node.span.events ?? []).map(exceptionOf).find((e) => e);
  const message = node.span.status.message || [exception?.type, exception?.message].filter(Boolean).join(': ');
  return message ? `error: ${truncate(message.split('\n')[0]!, 120)}` : 'error';
}

function spanLine(node: SpanNode): string {
  const parts: string[] = [];
  const kind = SPAN_KINDS[node.span.kind ?? 0];
  if (kind && kind !== 'internal' && kind !== 'unspecified') parts.push(kind);
  parts.push(formatDuration(node.durationMs));
  if (node.children.length && node.selfMs < node.durationMs * 0.99) parts.push(`self ${formatDuration(node.selfMs)}`);
  const status = statusText(node);
  if (status) parts.push(status);
  if (!node.parent || node.parent.service !== node.service) parts.push(node.service);
  const indent = '  '.repeat(Math.min(node.depth, MAX_INDENT)) + (node.depth > MAX_INDENT ? `(${node.depth}) ` : '');
  return `${indent}${status ? '✗ ' : ''}${truncate(displayName(node), 120)} · ${parts.join(' · ')} [${node.span.spanId.slice(0, SPAN_ID_CHARS)}]`;
}

/** Outline lines, with runs of ≥ 4 look-alike sibling leaves folded into one. */
function outlineLines(tree: TraceTree): string[] {
  const lines: string[] = [];
  const nodes = tree.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    let run = 1;
    const same = (other: SpanNode | undefined) =>
      !!other && other.parent === node.parent && !other.children.length && displayName(other) === displayName(node) && (other.span.status?.code ?? 0) === (node.span.status?.code ?? 0);
    if (!node.children.length) while (same(nodes[i + run])) run++;
    if (run >= FOLD_RUN) {
      const group = nodes.slice(i, i + run);
      const total = group.reduce((n, g) => n + g.durationMs, 0);
      const longest = group.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
      const indent = '  '.repeat(Math.min(node.depth, MAX_INDENT));
      lines.push(
        `${indent}${statusText(node) ? '✗ ' : ''}${run}× ${truncate(displayName(node), 100)} · total ${formatDuration(total)} · longest ${formatDuration(longest.durationMs)} [${longest.span.spanId.slice(0, SPAN_ID_CHARS)}]`,
      );
      i += run - 1;
    } else lines.push(spanLine(node));
  }
  return lines;
}

/** "GET /slow (api) 1.52s" for the critical path line: the chain in time order, and the biggest share. */
export function formatCriticalPath(tree: TraceTree, max = 8): string {
  const spans = criticalSpans(criticalPath(tree));
  if (!spans.length) return 'Critical path: none (no root span).';
  const total = tree.roots[0]!.durationMs;
  const chain = spans.slice(0, max).map(({ node, ms }) => `${truncate(displayName(node), 60)} ${formatDuration(ms)} [${node.span.spanId.slice(0, SPAN_ID_CHARS)}]`);
  const more = spans.length > max ? ` → … ${spans.length - max} more` : '';
  const top = spans.reduce((a, b) => (b.ms > a.ms ? b : a));
  return `Critical path (${formatDuration(total)}): ${chain.join(' → ')}${more}\nMost of it: ${displayName(top.node)} [${top.node.span.spanId.slice(0, SPAN_ID_CHARS)}], ${formatDuration(top.ms)} (${pct(top.ms, total)}) on its own.`;
}

export function formatTraceHeader(tree: TraceTree): string {
  const root = tree.roots[0];
  const rootText = root && !root.span.parentSpanId ? `${truncate(displayName(root), 100)} (${root.service})` : '(root span not received)';
  const services = [...tree.services].map(([name, s]) => `${name} ${s.spans}`).join(', ');
  const parts = [`Trace ${tree.traceId}`, rootText, formatDuration(tree.endMs - tree.startMs), plural(tree.nodes.length, 'span'), `services: ${services}`];
  if (tree.errors.length) parts.push(`✗ ${plural(tree.errors.length, 'error')}`);
  parts.push(`started ${new Date(tree.startMs).toISOString()}`);
  return parts.join(' · ');
}

export function formatTraceOutline(trace: TempoTrace, options: TraceOutlineOptions = {}): string {
  const tree = buildTraceTree(trace);
  if (!tree.nodes.length) return 'The trace has no spans.';
  const budget = options.budget ?? 6_000;
  const offset = Math.max(0, options.offset ?? 0);
  const head = [formatTraceHeader(tree)];
  if (offset === 0) {
    head.push(formatCriticalPath(tree));
    if (tree.errors.length) {
      const shown = tree.errors.slice(0, 5).map((node) => `  ✗ ${truncate(displayName(node), 80)} [${node.span.spanId.slice(0, SPAN_ID_CHARS)}] ${statusText(node)}`);
      head.push(`Errors:\n${shown.join('\n')}${tree.errors.length > 5 ? `\n  … ${tree.errors.length - 5} more (marked ✗ below)` : ''}`);
    }
  }
  const lines = outlineLines(tree);
  head.push(`Spans, depth first (duration · self time · status)${offset ? `, from line ${offset + 1} of ${lines.length}` : ''}:`);
  const out = [...head];
  let used = head.join('\n').length;
  let next = offset;
  for (; next < lines.length; next++) {
    const line = lines[next]!;
    if (used + line.length + 1 > budget && next > offset) break;
    out.push(line);
    used += line.length + 1;
  }
  const id = shortId(tree.traceId);
  if (next < lines.length) {
    const hint = (options.pageHint ?? 'See the rest from line <next>.').replace('<trace>', id).replace('<offset>', String(next)).replace('<next>', String(next + 1));
    out.push(`… ${plural(lines.length - next, 'more line', 'more lines')} not shown. ${hint}`);
  }
  // The span to show first: an error with its exception, else any error, else the critical path's biggest.
  const example = tree.errors.find((node) => (node.span.events ?? []).some((event) => exceptionOf(event))) ?? tree.errors[0] ?? criticalSpans(criticalPath(tree)).reduce<{ node: SpanNode; ms: number } | undefined>((a, b) => (!a || b.ms > a.ms ? b : a), undefined)?.node ?? tree.nodes[0]!;
  out.push((options.spanHint ?? 'Details of one span (attributes, events, exception): ask by its [id].').replace('<trace>', id).replace('<span>', example.span.spanId.slice(0, SPAN_ID_CHARS)));
  return out.join('\n');
}
