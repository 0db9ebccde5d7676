import type { ResourceSpans } from '../otlp/model.js';
import { buildTraceTree, displayName, exceptionOf, spanAttribute as attribute, type SpanNode } from './analysis.js';
import type { TempoTrace } from './tempo.js';

/**
 * Spans as a journey run keeps them for each step and for comparisons: small, flat, depth-first,
 * readable without the OTLP model. Built from any TracesBackend's trace answer (OTLP/JSON).
 */
export interface CompactSpan {
  traceId: string;
  spanId: string;
  parentId?: string;
  /** The span's name, with the route or path after a bare HTTP method ("POST /api/basket"). */
  name: string;
  service: string;
  /** Epoch ms (fractional). */
  startMs: number;
  durationMs: number;
  /** Depth in its trace (0: a root). */
  depth: number;
  status: 'ok' | 'error' | 'unset';
  statusMessage?: string;
  /** "TypeError: Cannot read properties of undefined (reading 'amount')", from the span's exception event. */
  exception?: string;
  httpStatus?: number;
  /** The HTTP route (or path) it served, when it says. */
  route?: string;
}

const STATUS = ['unset', 'ok', 'error'] as const;

function compact(node: SpanNode): CompactSpan {
  const out: CompactSpan = {
    traceId: node.span.traceId,
    spanId: node.span.spanId,
    name: displayName(node),
    service: node.service,
    startMs: node.startMs,
    durationMs: node.durationMs,
    depth: node.depth,
    status: STATUS[node.span.status?.code ?? 0] ?? 'unset',
  };
  if (node.span.parentSpanId) out.parentId = node.span.parentSpanId;
  if (node.span.status?.message) out.statusMessage = node.span.status.message;
  const exception = (node.span.events ?? []).map(exceptionOf).find((found) => found);
  if (exception?.type || exception?.message) out.exception = [exception.type, exception.message?.split('\n')[0]].filter(Boolean).join(': ');
  const status = attribute(node, 'http.response.status_code', 'http.status_code');
  if (typeof status === 'number') out.httpStatus = status;
  const route = attribute(node, 'http.route', 'url.path', 'http.target');
  if (typeof route === 'string') out.route = route.split('?')[0]!;
  return out;
}

/** A trace's spans, depth first (children by start time). */
export function compactTrace(trace: TempoTrace): CompactSpan[] {
  return buildTraceTree(trace).nodes.map(compact);
}

/** The spans of many traces given as one list of resourceSpans (a run's file), trace by trace. */
export function compactResourceSpans(resourceSpans: ResourceSpans[]): CompactSpan[] {
  const byTrace = new Map<string, ResourceSpans[]>();
  for (const batch of resourceSpans) {
    for (const scope of batch.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        const list = byTrace.get(span.traceId) ?? [];
        list.push({ ...batch, scopeSpans: [{ ...scope, spans: [span] }] });
        byTrace.set(span.traceId, list);
      }
    }
  }
  return [...byTrace.values()].flatMap((batches) => compactTrace({ resourceSpans: batches }));
}
