import { LegibleError, UsageError } from '../../util/errors.js';
import type { ResourceSpans, ScopeSpans } from '../otlp/model.js';
import type { SpanStore, StoredResource, StoredScope, TraceEntry } from './spanStore.js';
import { ROOT_NOT_RECEIVED, type TempoSearchResponse, type TempoSearchTrace, type TempoSpan, type TempoTrace } from './tempo.js';
import { attributesOf, type Scope } from './traceql/ast.js';
import { evaluateSpanset, TraceFacts } from './traceql/evaluate.js';
import { parseTraceQL } from './traceql/parse.js';
import { anyValueOf, findFlat } from './values.js';
import { plural } from '../../util/text.js';

export interface SearchOptions {
  /** Only traces that overlap [startMs, endMs] (epoch ms). */
  startMs?: number;
  endMs?: number;
  /** Most traces answered, newest first. Default 20. */
  limit?: number;
  /** Most spans listed per matched trace. Default 3, as Tempo's `spss`. */
  spansPerSpanSet?: number;
}

/** TraceQL search over the store, answered as Tempo's search API answers. */
export function searchSpans(store: SpanStore, query: string, options: SearchOptions = {}): TempoSearchResponse {
  const expr = parseTraceQL(query);
  const facts = new TraceFacts(store);
  const matches = evaluateSpanset(store, expr, facts);
  const shown = attributesOf(expr);
  const from = options.startMs ?? -Infinity;
  const to = options.endMs ?? Infinity;
  const hits: { trace: TraceEntry; slots: number[]; startMs: number; endMs: number; root: number | undefined }[] = [];
  for (const [trace, slots] of matches) {
    const f = facts.of(trace);
    if (f.endMs < from || f.startMs > to) continue;
    hits.push({ trace, slots, ...f });
  }
  hits.sort((a, b) => b.startMs - a.startMs);
  const limit = Math.max(1, options.limit ?? 20);
  const perSet = Math.max(1, options.spansPerSpanSet ?? 3);
  const traces = hits.slice(0, limit).map((hit): TempoSearchTrace => {
    const serviceStats: Record<string, { spanCount: number; errorCount?: number }> = {};
    for (const slot of hit.trace.slots) {
      const service = store.resource[slot]!.serviceName;
      const stats = (serviceStats[service] ??= { spanCount: 0 });
      stats.spanCount++;
      if (store.status[slot] === 2) stats.errorCount = (stats.errorCount ?? 0) + 1;
    }
    const spans = [...hit.slots].sort((a, b) => store.start(a) - store.start(b)).slice(0, perSet).map((slot) => tempoSpan(store, slot, shown));
    const spanSet = { spans, matched: hit.slots.length };
    const out: TempoSearchTrace = {
      traceID: hit.trace.id,
      rootServiceName: hit.root !== undefined && !store.parentId[hit.root] ? store.resource[hit.root]!.serviceName : ROOT_NOT_RECEIVED,
      startTimeUnixNano: nanos(hit.startMs),
      spanSet,
      spanSets: [spanSet],
      serviceStats,
    };
    if (hit.root !== undefined && !store.parentId[hit.root]) out.rootTraceName = store.name[hit.root];
    const durationMs = Math.round(hit.endMs - hit.startMs);
    if (durationMs) out.durationMs = durationMs;
    return out;
  });
  return { traces, metrics: { inspectedTraces: store.traces.size, inspectedSpans: String(store.size), matchedTraces: hits.length } };
}

function tempoSpan(store: SpanStore, slot: number, shown: { scope: Scope; name: string }[]): TempoSpan {
  const span: TempoSpan = { spanID: store.spanId[slot]!, name: store.name[slot]!, startTimeUnixNano: store.startNanos(slot), durationNanos: String(store.durationNs[slot]) };
  const attributes = [];
  const service = store.resource[slot]!.serviceName;
  attributes.push({ key: 'service.name', value: { stringValue: service } });
  for (const { scope, name } of shown) {
    if (name === 'service.name') continue;
    const value =
      scope === 'span'
        ? findFlat(store.attributes[slot]!, name)
        : scope === 'resource'
          ? findFlat(store.resource[slot]!.attributes, name)
          : (findFlat(store.attributes[slot]!, name) ?? findFlat(store.resource[slot]!.attributes, name));
    if (value !== undefined) attributes.push({ key: name, value: anyValueOf(value) });
  }
  span.attributes = attributes;
  return span;
}

/** Epoch ms (fractional) → ns as a decimal string. */
function nanos(ms: number): string {
  const whole = Math.floor(ms);
  return `${whole}${String(Math.round((ms - whole) * 1e6)).padStart(6, '0')}`;
}

/** Trace ids that start with `prefix` (lowercase hex); the exact id wins. */
export function findTraces(store: SpanStore, prefix: string): TraceEntry[] {
  const wanted = prefix.trim().toLowerCase();
  const exact = store.traces.get(wanted);
  if (exact) return [exact];
  const found: TraceEntry[] = [];
  for (const [id, trace] of store.traces) if (id.startsWith(wanted)) found.push(trace);
  return found;
}

/**
 * One trace in OTLP/JSON (Tempo's trace-by-id answer), named by its id or a unique prefix of it.
 * An unknown or ambiguous prefix is a LegibleError that says what to do.
 */
export function traceById(store: SpanStore, idOrPrefix: string): TempoTrace & { traceID: string } {
  const wanted = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(wanted)) {
    throw new UsageError(`${JSON.stringify(idOrPrefix.slice(0, 100))} is not a trace id.`, 'A trace id is 32 hex digits; a unique prefix of it (say the first 8) is enough.');
  }
  const found = findTraces(store, wanted);
  if (!found.length) {
    throw new UsageError(
      `No trace ${wanted} in the store (${plural(store.traces.size, 'trace')} held${store.evicted ? `, ${plural(store.evicted, 'older span')} dropped by the caps` : ''}).`,
      'Search for it with TraceQL, such as { status = error } or { duration > 1s }; the store keeps only what the app sent since Legible started.',
    );
  }
  if (found.length > 1) {
    const shown = found.slice(0, 5).map((trace) => trace.id.slice(0, Math.max(wanted.length + 4, 12)));
    throw new UsageError(`${found.length} traces start with ${wanted}: ${shown.join(', ')}${found.length > 5 ? ', …' : ''}.`, 'Give more digits of the id.');
  }
  const trace = found[0]!;
  return { traceID: trace.id, resourceSpans: resourceSpansOf(store, trace) };
}

function resourceSpansOf(store: SpanStore, trace: TraceEntry): ResourceSpans[] {
  const byResource = new Map<StoredResource, Map<StoredScope, ScopeSpans>>();
  const slots = [...trace.slots].sort((a, b) => store.start(a) - store.start(b));
  for (const slot of slots) {
    const resource = store.resource[slot]!;
    const scope = store.scope[slot]!;
    let scopes = byResource.get(resource);
    if (!scopes) byResource.set(resource, (scopes = new Map()));
    let scopeSpans = scopes.get(scope);
    if (!scopeSpans) scopes.set(scope, (scopeSpans = { ...(scope.otlp ? { scope: scope.otlp } : {}), spans: [] }));
    scopeSpans.spans.push(store.spanOf(slot));
  }
  return [...byResource].map(([resource, scopes]) => ({ resource: resource.otlp, scopeSpans: [...scopes.values()] }));
}
