import type { Resource, Span } from '../otlp/model.js';
import { nanosToMs } from '../otlp/logInputs.js';
import type { TempoTrace } from './tempo.js';

/**
 * One trace (OTLP/JSON, from the embedded store or a real Tempo) as a tree: parent links,
 * depth-first order, self time per span, and the critical path. The formatters read this.
 */

export interface SpanNode {
  span: Span;
  resource: Resource | undefined;
  service: string;
  startMs: number;
  endMs: number;
  durationMs: number;
  /** Time no child covers (children may overlap each other, or run past their parent). */
  selfMs: number;
  depth: number;
  parent: SpanNode | undefined;
  children: SpanNode[];
}

export interface TraceTree {
  traceId: string;
  /** Spans without a received parent, earliest first (one, when the trace is complete). */
  roots: SpanNode[];
  /** Every span, depth first, children by start time. */
  nodes: SpanNode[];
  startMs: number;
  endMs: number;
  services: Map<string, { spans: number; errors: number }>;
  errors: SpanNode[];
}

export function serviceOf(resource: Resource | undefined): string {
  const attribute = resource?.attributes?.find((kv) => kv.key === 'service.name');
  return attribute?.value?.stringValue ?? 'unknown_service';
}

export function buildTraceTree(trace: TempoTrace): TraceTree {
  const all: SpanNode[] = [];
  for (const batch of trace.resourceSpans ?? trace.batches ?? []) {
    const service = serviceOf(batch.resource);
    for (const scopeSpans of batch.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const startMs = nanosToMs(span.startTimeUnixNano) ?? 0;
        const endMs = Math.max(startMs, nanosToMs(span.endTimeUnixNano) ?? startMs);
        all.push({ span, resource: batch.resource, service, startMs, endMs, durationMs: endMs - startMs, selfMs: 0, depth: 0, parent: undefined, children: [] });
      }
    }
  }
  const byId = new Map(all.map((node) => [node.span.spanId, node]));
  const roots: SpanNode[] = [];
  for (const node of all) {
    const parent = node.span.parentSpanId ? byId.get(node.span.parentSpanId) : undefined;
    if (parent && parent !== node) {
      node.parent = parent;
      parent.children.push(node);
    } else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.startMs - b.startMs || a.endMs - b.endMs;
  roots.sort(byStart);
  const nodes: SpanNode[] = [];
  const services = new Map<string, { spans: number; errors: number }>();
  const errors: SpanNode[] = [];
  // Iterative depth-first walk (a trace may be deep); `seen` guards against parent cycles.
  const seen = new Set<SpanNode>();
  const stack: SpanNode[] = [...roots].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    node.depth = node.parent ? node.parent.depth + 1 : 0;
    nodes.push(node);
    node.children.sort(byStart);
    node.selfMs = selfTime(node);
    const stats = services.get(node.service) ?? { spans: 0, errors: 0 };
    stats.spans++;
    if (node.span.status?.code === 2) {
      stats.errors++;
      errors.push(node);
    }
    services.set(node.service, stats);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  // Spans in a parent cycle were never reached from a root: list them as roots.
  for (const node of all) if (!seen.has(node)) (roots.push(node), nodes.push(node), (node.selfMs = node.durationMs));
  const startMs = Math.min(...all.map((n) => n.startMs));
  const endMs = Math.max(...all.map((n) => n.endMs));
  return { traceId: all[0]?.span.traceId ?? '', roots, nodes, startMs: all.length ? startMs : 0, endMs: all.length ? endMs : 0, services, errors };
}

/** The span's duration less the union of its children's intervals (clipped to the span). */
function selfTime(node: SpanNode): number {
  let covered = 0;
  let reach = node.startMs;
  for (const child of node.children) {
    const from = Math.max(child.startMs, reach);
    const to = Math.min(child.endMs, node.endMs);
    if (to > from) {
      covered += to - from;
      reach = to;
    }
  }
  return Math.max(0, node.durationMs - covered);
}

export interface CriticalSegment {
  node: SpanNode;
  startMs: number;
  endMs: number;
}

/**
 * The critical path of the trace from its first root: walking back from the root's end, each
 * stretch of time goes to the deepest span that was running and that the end waited on (the
 * child that finished last before that point, recursively), as Jaeger computes it. Segments
 * come in time order.
 */
export function criticalPath(tree: TraceTree): CriticalSegment[] {
  const root = tree.roots[0];
  if (!root) return [];
  const segments: CriticalSegment[] = [];
  walk(root, root.endMs, segments, 0);
  return segments.reverse();
}

function walk(node: SpanNode, endAt: number, out: CriticalSegment[], depth: number): void {
  let cursor = Math.min(endAt, node.endMs);
  const remaining = [...node.children];
  while (cursor > node.startMs && depth < 1_000) {
    // The child that ends last among those started before the cursor.
    let best: SpanNode | undefined;
    let bestEnd = -Infinity;
    for (const child of remaining) {
      if (child.startMs >= cursor) continue;
      const end = Math.min(child.endMs, cursor);
      if (end > bestEnd) {
        best = child;
        bestEnd = end;
      }
    }
    if (!best) break;
    remaining.splice(remaining.indexOf(best), 1);
    if (cursor > bestEnd) out.push({ node, startMs: bestEnd, endMs: cursor });
    walk(best, bestEnd, out, depth + 1);
    cursor = Math.max(node.startMs, best.startMs);
  }
  if (cursor > node.startMs) out.push({ node, startMs: node.startMs, endMs: cursor });
}

/** Critical-path time per span, in path order (first appearance), largest share first when asked. */
export function criticalSpans(segments: CriticalSegment[]): { node: SpanNode; ms: number }[] {
  const totals = new Map<SpanNode, number>();
  for (const segment of segments) totals.set(segment.node, (totals.get(segment.node) ?? 0) + (segment.endMs - segment.startMs));
  return [...totals].filter(([, ms]) => ms > 0).map(([node, ms]) => ({ node, ms }));
}

/** The exception an event records (OTel semantic conventions), if it is one. */
export function exceptionOf(event: { name: string; attributes?: { key: string; value?: { stringValue?: string } }[] }): { type?: string; message?: string; stacktrace?: string } | undefined {
  if (event.name !== 'exception') return undefined;
  const get = (key: string) => event.attributes?.find((kv) => kv.key === key)?.value?.stringValue;
  return { type: get('exception.type'), message: get('exception.message'), stacktrace: get('exception.stacktrace') };
}

/** The first of these attributes a span has, as a string or a number. */
export function spanAttribute(node: SpanNode, ...keys: string[]): string | number | undefined {
  for (const key of keys) {
    const value = node.span.attributes?.find((kv) => kv.key === key)?.value;
    if (value?.stringValue !== undefined) return value.stringValue;
    if (value?.intValue !== undefined) return Number(value.intValue);
    if (value?.doubleValue !== undefined) return value.doubleValue;
  }
  return undefined;
}

const HTTP_METHOD = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT|_OTHER)$/;

/**
 * A span's name as a reader can place it: an HTTP span named only by its method (as the HTTP
 * semantic conventions name it when the route is unknown) gets its route, else its path:
 * "GET" becomes "GET /checkout".
 */
export function displayName(node: SpanNode): string {
  const name = node.span.name || '?';
  if (!HTTP_METHOD.test(name)) return name;
  for (const key of ['http.route', 'url.path', 'http.target']) {
    const where = node.span.attributes?.find((kv) => kv.key === key)?.value?.stringValue;
    if (where) return `${name} ${where.split('?')[0]}`;
  }
  return name;
}
