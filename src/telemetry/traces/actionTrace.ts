import { buildTraceTree, displayName, exceptionOf, spanAttribute as attribute, type SpanNode } from './analysis.js';
import type { TempoTrace } from './tempo.js';

/**
 * What one browser action's trace says, for the Server section of its report: how many spans
 * the servers made, the spans that took the most time on their own, and every span with an error
 * status with its exception. Read from a trace as any TracesBackend answers it (OTLP/JSON).
 */

export interface ActionSpan {
  spanId: string;
  /** The span's name, with the route or path after a bare HTTP method ("GET /checkout"). */
  name: string;
  service: string;
  durationMs: number;
  selfMs: number;
}

export interface ActionError extends ActionSpan {
  statusMessage?: string;
  exceptionType?: string;
  exceptionMessage?: string;
  /** The HTTP status the span answered, when it says. */
  httpStatus?: number;
}

export interface ActionTraceSummary {
  traceId: string;
  spans: number;
  services: string[];
  /** Most self time first (at most `top`). */
  slowest: ActionSpan[];
  /** Every span with an error status, in depth-first order. */
  errors: ActionError[];
}

function actionSpan(node: SpanNode): ActionSpan {
  return { spanId: node.span.spanId, name: displayName(node), service: node.service, durationMs: node.durationMs, selfMs: node.selfMs };
}

export function summarizeActionTrace(trace: TempoTrace & { traceID?: string }, top = 3): ActionTraceSummary {
  const tree = buildTraceTree(trace);
  const slowest = [...tree.nodes]
    .filter((node) => node.selfMs > 0)
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top)
    .map(actionSpan);
  const errors = tree.errors.map((node): ActionError => {
    const exception = (node.span.events ?? []).map(exceptionOf).find((found) => found);
    const status = attribute(node, 'http.response.status_code', 'http.status_code');
    return {
      ...actionSpan(node),
      ...(node.span.status?.message ? { statusMessage: node.span.status.message } : {}),
      ...(exception?.type ? { exceptionType: exception.type } : {}),
      ...(exception?.message ? { exceptionMessage: exception.message } : {}),
      ...(typeof status === 'number' ? { httpStatus: status } : {}),
    };
  });
  return { traceId: tree.traceId || (trace.traceID ?? ''), spans: tree.nodes.length, services: [...tree.services.keys()], slowest, errors };
}
