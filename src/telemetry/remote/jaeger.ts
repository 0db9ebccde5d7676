import { z } from 'zod';
import { LegibleError, UsageError } from '../../util/errors.js';
import type { TraceCatalog, TraceSearchOptions, TracesBackend, TimeWindow } from '../backends.js';
import type { FieldExpr, Operand, SpansetExpr, Static } from '../traces/traceql/ast.js';
import type { TempoSearchResponse, TempoTrace } from '../traces/tempo.js';
import { RemoteApi, RemoteError, type RemoteApiOptions } from './http.js';
import { jaegerEnvelope, jaegerToOtlp, jaegerTraceSchema, traceId } from './jaegerModel.js';
import { TraceIdMemory } from './traceIds.js';

/**
 * Jaeger's query service as a TracesBackend, through its HTTP JSON API (the one Jaeger's UI uses,
 * Jaeger 1.x: `GET /api/traces?service&operation&tags&start&end&minDuration&maxDuration&limit`,
 * `GET /api/traces/<id>`, `GET /api/services`). Jaeger does not speak TraceQL, so the query is
 * parsed with Legible's TraceQL parser and what Jaeger can filter on is pushed down (service,
 * operation, tags with `=`, status = error, duration bounds, all from one spanset filter that
 * every match needs); the traces it answers are mapped into OTLP (jaegerModel.ts) and the whole
 * TraceQL query is then evaluated over them by the embedded engine, so the answer has exactly
 * the shape and the meaning the embedded store's has, among the traces Jaeger returned.
 */

/** What Jaeger's search can filter on, taken from the query. */
export interface JaegerPushdown {
  service?: string;
  operation?: string;
  tags: Record<string, string>;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Whether the query asks more than the pushdown (then more traces are fetched, to filter here). */
  residual: boolean;
}

/** Most traces fetched from Jaeger for one search. */
const MAX_FETCH = 500;

const tracesEnvelope = jaegerEnvelope(z.array(jaegerTraceSchema));
const servicesEnvelope = jaegerEnvelope(z.array(z.string()));

export class JaegerClient implements TracesBackend {
  readonly remote = true;
  readonly api: RemoteApi;
  private readonly ids = new TraceIdMemory();

  constructor(options: Omit<RemoteApiOptions, 'kind' | 'flag' | 'headersVariable'>) {
    this.api = new RemoteApi({ kind: 'Jaeger query API', flag: '--traces-url', headersVariable: 'LEGIBLE_TRACES_HEADERS', ...options });
  }

  get name(): string {
    return `the ${this.api.where}`;
  }

  async search(query: string, options: TraceSearchOptions): Promise<TempoSearchResponse> {
    const { parseTraceQL } = await import('../traces/traceql/parse.js');
    const pushdown = pushdownOf(parseTraceQL(query));
    if (!pushdown.service) {
      const services = await this.services().catch(() => [] as string[]);
      throw new UsageError(
        `Jaeger searches one service at a time, and the query names none that every match must have.`,
        `Add resource.service.name = "<service>" to a spanset filter, e.g. { resource.service.name = "${services[0] ?? 'api'}" && status = error }.${services.length ? ` Services: ${services.slice(0, 20).join(', ')}${services.length > 20 ? ` … (${services.length - 20} more)` : ''}.` : ''}`,
      );
    }
    const wanted = pushdown.residual ? Math.min(MAX_FETCH, Math.max(options.limit * 5, 50)) : Math.min(MAX_FETCH, options.limit);
    const params = {
      service: pushdown.service,
      operation: pushdown.operation,
      tags: Object.keys(pushdown.tags).length ? JSON.stringify(pushdown.tags) : undefined,
      minDuration: pushdown.minDurationMs !== undefined ? goDuration(pushdown.minDurationMs) : undefined,
      maxDuration: pushdown.maxDurationMs !== undefined ? goDuration(pushdown.maxDurationMs) : undefined,
      start: Math.floor(options.startMs * 1000),
      end: Math.ceil(options.endMs * 1000),
      limit: wanted,
    };
    const answer = await this.api.json('/api/traces', params, tracesEnvelope, { what: 'the search' }).catch((error: unknown) => {
      throw this.refused(error);
    });
    if (answer.errors?.length) throw this.said(answer.errors);
    // Evaluate the whole query over what Jaeger answered, with the embedded engine.
    const { SpanStore } = await import('../traces/spanStore.js');
    const traces = answer.data ?? [];
    const spans = traces.reduce((n, trace) => n + trace.spans.length, 0);
    const store = new SpanStore({ maxSpans: Math.max(1, spans), maxBytes: Number.MAX_SAFE_INTEGER });
    for (const trace of traces) store.ingest({ resourceSpans: jaegerToOtlp(trace) });
    const found = store.search(query, { startMs: options.startMs, endMs: options.endMs, limit: options.limit, spansPerSpanSet: options.spansPerSpanSet ?? 3 });
    this.ids.remember(found.traces.map((trace) => trace.traceID));
    // Counted among what Jaeger returned, not in all of Jaeger: said only as what was matched here.
    const matchedTraces = found.metrics.matchedTraces ?? found.traces.length;
    return { traces: found.traces, metrics: traces.length >= wanted ? { matchedTraces, mayHaveMore: true } : { matchedTraces } };
  }

  async trace(idOrPrefix: string, _range?: TimeWindow, signal?: AbortSignal): Promise<TempoTrace & { traceID: string }> {
    const id = this.ids.resolve(idOrPrefix, this.name);
    const answer = await this.api.json(`/api/traces/${id.replace(/^0{16}/, '')}`, {}, tracesEnvelope, { what: 'the trace', ...(signal ? { signal } : {}) }).catch((error: unknown) => {
      if (error instanceof RemoteError && error.status === 404) throw new UsageError(`No trace ${id} in ${this.name}.`, 'Check the id, or search for it with TraceQL.');
      throw this.refused(error);
    });
    if (answer.errors?.length) throw this.said(answer.errors);
    const trace = answer.data?.[0];
    if (!trace || !trace.spans.length) throw new UsageError(`No trace ${id} in ${this.name}.`, 'Check the id, or search for it with TraceQL.');
    return { traceID: traceId(trace.traceID), resourceSpans: jaegerToOtlp(trace) };
  }

  async catalog(): Promise<TraceCatalog> {
    return { services: await this.services().catch(() => []), attributes: [] };
  }

  private async services(): Promise<string[]> {
    const answer = await this.api.json('/api/services', {}, servicesEnvelope, { what: 'the service list' });
    return [...(answer.data ?? [])].sort();
  }

  private refused(error: unknown): unknown {
    if (error instanceof RemoteError && error.failure === 'http' && error.status === 400) {
      return new UsageError(`The ${this.api.where} refused the search: ${error.backendMessage ?? error.message}`, 'Jaeger filters by service, operation, tags and duration; Legible pushes those down from the TraceQL query and evaluates the rest itself.');
    }
    return error;
  }

  private said(errors: { code?: number | undefined; msg?: string | undefined }[]): LegibleError {
    const message = errors.map((error) => error.msg ?? `error ${error.code ?? '?'}`).join('; ');
    return new LegibleError(`The ${this.api.where} answered an error: ${message.slice(0, 300)}`, 'Check the query and --traces-url.');
  }
}

/** Go's duration syntax for Jaeger's minDuration/maxDuration (microseconds at the finest). */
function goDuration(ms: number): string {
  return `${Math.round(ms * 1000)}us`;
}

function staticText(value: Static): string | undefined {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'number':
      return String(value.value);
    case 'bool':
      return String(value.value);
    default:
      return undefined;
  }
}

/** The conjuncts of a filter joined by `&&` at its top. */
function conjuncts(expr: FieldExpr | undefined): FieldExpr[] {
  if (!expr) return [];
  return expr.type === 'logical' && expr.op === '&&' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];
}

/** The spanset filters every match needs: a filter, or both sides of an operator that needs both. */
function requiredFilters(expr: SpansetExpr): (FieldExpr | undefined)[] {
  if (expr.type === 'filter') return [expr.filter];
  if (['&&', '>', '>>', '<', '<<', '~', '&>', '&>>', '&<', '&<<', '&~'].includes(expr.op)) return [...requiredFilters(expr.left), ...requiredFilters(expr.right)];
  return [];
}

/**
 * What Jaeger can be asked, from one spanset filter every match needs (the first one naming a
 * service): a service, an operation, tags compared with `=`, status = error, kind, duration bounds.
 * Everything else stays with the local evaluation (`residual`).
 */
export function pushdownOf(expr: SpansetExpr): JaegerPushdown {
  const filters = requiredFilters(expr);
  const complex = expr.type !== 'filter';
  const chosen = filters.find((filter) => conjuncts(filter).some((part) => serviceOf(part) !== undefined));
  const out: JaegerPushdown = { tags: {}, residual: complex || filters.length !== 1 };
  if (!chosen) return { ...out, residual: true };
  for (const part of conjuncts(chosen)) {
    if (!applied(part, out)) out.residual = true;
  }
  return out;
}

function serviceOf(part: FieldExpr): string | undefined {
  if (part.type !== 'compare' || part.op !== '=') return undefined;
  const [attribute, value] = sides(part.left, part.right);
  if (attribute?.type === 'attribute' && attribute.name === 'service.name' && (attribute.scope === 'resource' || attribute.scope === 'any') && value?.value.kind === 'string') return value.value.value;
  return undefined;
}

function sides(left: Operand, right: Operand): [Operand | undefined, Extract<Operand, { type: 'static' }> | undefined] {
  if (right.type === 'static') return [left, right];
  if (left.type === 'static') return [right, left];
  return [undefined, undefined];
}

/** Adds one conjunct to the pushdown; false when Jaeger cannot filter on it. */
function applied(part: FieldExpr, out: JaegerPushdown): boolean {
  if (part.type !== 'compare') return false;
  const [subject, value] = sides(part.left, part.right);
  if (!subject || !value) return false;
  const flipped = part.right.type !== 'static';
  const op = flipped ? ({ '>': '<', '>=': '<=', '<': '>', '<=': '>=' } as Record<string, string>)[part.op] ?? part.op : part.op;
  const service = serviceOf(part);
  if (service !== undefined) {
    if (out.service !== undefined && out.service !== service) return false;
    out.service = service;
    return true;
  }
  if (subject.type === 'intrinsic') {
    if (subject.name === 'name' && op === '=' && value.value.kind === 'string' && out.operation === undefined) {
      out.operation = value.value.value;
      return true;
    }
    if (subject.name === 'status' && op === '=' && value.value.kind === 'status' && value.value.value === 'error') {
      out.tags.error = 'true';
      return true;
    }
    if (subject.name === 'kind' && op === '=' && value.value.kind === 'spanKind' && value.value.value !== 'unspecified') {
      out.tags['span.kind'] = value.value.value;
      return true;
    }
    if (subject.name === 'duration' && value.value.kind === 'duration') {
      const ms = value.value.value;
      // Jaeger's bounds are inclusive: a strict bound stays to be checked here as well.
      if (op === '>' || op === '>=') out.minDurationMs = Math.max(out.minDurationMs ?? 0, ms);
      else if (op === '<' || op === '<=') out.maxDurationMs = Math.min(out.maxDurationMs ?? Infinity, ms);
      else return false;
      return op === '>=' || op === '<=';
    }
    return false;
  }
  if (subject.type === 'attribute' && op === '=' && (subject.scope === 'span' || subject.scope === 'resource' || subject.scope === 'any')) {
    const text = staticText(value.value);
    if (text === undefined) return false;
    out.tags[subject.name] = text;
    // Jaeger compares tag values as text: 500 matches "500" too, so the type is checked here.
    return value.value.kind === 'string';
  }
  return false;
}
