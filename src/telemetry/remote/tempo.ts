import { z } from 'zod';
import { LegibleError, UsageError } from '../../util/errors.js';
import type { TraceCatalog, TraceSearchOptions, TracesBackend, TimeWindow } from '../backends.js';
import { decodeTracesJson } from '../otlp/jsonDecode.js';
import type { KeyValue, ResourceSpans } from '../otlp/model.js';
import { DecodeError, Slicer } from '../otlp/slices.js';
import { ROOT_NOT_RECEIVED, type TempoSearchResponse, type TempoSearchTrace, type TempoSpanSet, type TempoTrace } from '../traces/tempo.js';
import { RemoteApi, RemoteError, type RemoteApiOptions } from './http.js';
import { TraceIdMemory } from './traceIds.js';

/**
 * Tempo's HTTP API as a TracesBackend (documented in Tempo's "Tempo HTTP API" page, 2.x):
 * `GET /api/search?q=<TraceQL>&start&end&limit&spss` for search, `GET /api/v2/traces/<id>` (or
 * v1's `/api/traces/<id>` on a Tempo without v2) for one trace, `/api/v2/search/tags` and
 * `/api/v2/search/tag/resource.service.name/values` for what exists. The TraceQL goes through
 * unchanged. Answers are checked with zod; ids are normalised to 32 / 16 lowercase hex digits
 * (Tempo trims leading zeros from ids in search answers, and its trace JSON may carry them in
 * base64), and a trace's spans go through the OTLP/JSON decoder the receiver uses.
 */

const anyValue = z.looseObject({
  stringValue: z.string().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  doubleValue: z.union([z.number(), z.string()]).optional(),
  boolValue: z.boolean().optional(),
});
const keyValue = z.object({ key: z.string(), value: anyValue.optional() });
const hexId = (digits: number) => z.string().regex(/^[0-9a-fA-F]{1,32}$/, 'expected a hex id').transform((id) => id.toLowerCase().padStart(digits, '0'));
const decimal = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

const spanSetSchema = z.object({
  spans: z
    .array(z.object({ spanID: hexId(16), name: z.string().optional(), startTimeUnixNano: decimal, durationNanos: decimal.optional(), attributes: z.array(keyValue).optional() }))
    .default([]),
  matched: z.number().int().nonnegative().default(0),
  attributes: z.array(keyValue).optional(),
});

const searchSchema = z.object({
  traces: z
    .array(
      z.object({
        traceID: hexId(32),
        rootServiceName: z.string().default(ROOT_NOT_RECEIVED),
        rootTraceName: z.string().optional(),
        startTimeUnixNano: decimal,
        durationMs: z.number().nonnegative().optional(),
        spanSet: spanSetSchema.optional(),
        spanSets: z.array(spanSetSchema).optional(),
        serviceStats: z.record(z.string(), z.object({ spanCount: z.number().int().nonnegative().default(0), errorCount: z.number().int().nonnegative().optional() })).optional(),
      }),
    )
    .nullable()
    .default([]),
  metrics: z.looseObject({ inspectedTraces: z.number().optional(), inspectedSpans: decimal.optional(), inspectedBytes: decimal.optional() }).default({}),
});

const traceV2Schema = z.object({ trace: z.looseObject({}).nullable().optional(), status: z.string().optional(), message: z.string().optional() });
const traceV1Schema = z.looseObject({});
const tagsSchema = z.object({ scopes: z.array(z.object({ name: z.string(), tags: z.array(z.string()).nullable().default([]) })).nullable().default([]) });
const tagValuesSchema = z.object({ tagValues: z.array(z.object({ type: z.string().optional(), value: z.string().optional() })).nullable().default([]) });

/** Most names asked of Tempo's tag listings. */
const TAG_LIMIT = 500;

export class TempoClient implements TracesBackend {
  readonly remote = true;
  readonly api: RemoteApi;
  private readonly ids = new TraceIdMemory();

  constructor(options: Omit<RemoteApiOptions, 'kind' | 'flag' | 'headersVariable'> & Partial<Pick<RemoteApiOptions, 'kind'>>) {
    this.api = new RemoteApi({ kind: 'Tempo', flag: '--traces-url', headersVariable: 'LEGIBLE_TRACES_HEADERS', ...options });
  }

  get name(): string {
    return `the ${this.api.where}`;
  }

  async search(query: string, options: TraceSearchOptions): Promise<TempoSearchResponse> {
    const params = { q: query, ...window(options), limit: options.limit, spss: options.spansPerSpanSet ?? 3 };
    let answer: z.output<typeof searchSchema>;
    try {
      answer = await this.api.json('/api/search', params, searchSchema, { what: 'the search' });
    } catch (error) {
      throw await this.explain(error, query);
    }
    const traces = (answer.traces ?? []).map((trace): TempoSearchTrace => {
      const sets = (trace.spanSets ?? (trace.spanSet ? [trace.spanSet] : [])) as TempoSpanSet[];
      const out: TempoSearchTrace = { traceID: trace.traceID, rootServiceName: trace.rootServiceName, startTimeUnixNano: trace.startTimeUnixNano };
      if (trace.rootTraceName !== undefined) out.rootTraceName = trace.rootTraceName;
      if (trace.durationMs !== undefined) out.durationMs = trace.durationMs;
      if (sets.length) {
        out.spanSets = sets.map((set) => ({ ...set, spans: set.spans.map((span) => ({ ...span, durationNanos: span.durationNanos ?? '0', attributes: span.attributes as KeyValue[] | undefined })) }));
        out.spanSet = out.spanSets[0];
      }
      if (trace.serviceStats) out.serviceStats = trace.serviceStats;
      return out;
    });
    // Tempo searches shards in parallel and keeps the first N it finds: newest first, as Legible answers.
    traces.sort((a, b) => (BigInt(b.startTimeUnixNano) > BigInt(a.startTimeUnixNano) ? 1 : BigInt(b.startTimeUnixNano) < BigInt(a.startTimeUnixNano) ? -1 : 0));
    this.ids.remember(traces.map((trace) => trace.traceID));
    const metrics = answer.metrics;
    return {
      traces,
      metrics: {
        ...(metrics.inspectedTraces !== undefined ? { inspectedTraces: metrics.inspectedTraces } : {}),
        ...(metrics.inspectedSpans !== undefined ? { inspectedSpans: metrics.inspectedSpans } : {}),
        ...(metrics.inspectedBytes !== undefined ? { inspectedBytes: metrics.inspectedBytes } : {}),
      },
    };
  }

  async trace(idOrPrefix: string, range?: TimeWindow, signal?: AbortSignal): Promise<TempoTrace & { traceID: string }> {
    const id = this.ids.resolve(idOrPrefix, this.name);
    const params = range ? window(range) : {};
    let body: unknown;
    try {
      const answer = await this.api.json(`/api/v2/traces/${id}`, params, traceV2Schema, { what: 'the trace', ...(signal ? { signal } : {}) });
      body = answer.trace ?? {};
    } catch (error) {
      if (!(error instanceof RemoteError && error.status === 404)) throw error;
      // A Tempo without v2 answers Go's "404 page not found"; a missing trace, anything else.
      if (!/page not found/i.test(error.backendMessage ?? '')) throw notFound(id, this.name);
      const v1 = await this.api.json(`/api/traces/${id}`, params, traceV1Schema, { what: 'the trace', ...(signal ? { signal } : {}) }).catch((inner: unknown) => {
        throw inner instanceof RemoteError && inner.status === 404 ? notFound(id, this.name) : inner;
      });
      body = { resourceSpans: (v1 as { batches?: unknown; resourceSpans?: unknown }).batches ?? (v1 as { resourceSpans?: unknown }).resourceSpans };
    }
    const resourceSpans = await decodeTrace(body, this.api, `/api/v2/traces/${id}`);
    if (!resourceSpans.some((rs) => rs.scopeSpans.some((ss) => ss.spans.length))) throw notFound(id, this.name);
    return { traceID: id, resourceSpans };
  }

  async catalog(range: TimeWindow): Promise<TraceCatalog> {
    const params = { ...window(range), limit: TAG_LIMIT };
    const [tags, services] = await Promise.all([
      this.api.json('/api/v2/search/tags', params, tagsSchema, { what: 'the tag names' }).catch(() => ({ scopes: [] })),
      this.api.json('/api/v2/search/tag/resource.service.name/values', params, tagValuesSchema, { what: 'the service names' }).catch(() => ({ tagValues: [] })),
    ]);
    const attributes = (tags.scopes ?? []).filter((scope) => scope.name !== 'intrinsic').flatMap((scope) => (scope.tags ?? []).map((tag) => `${scope.name}.${tag}`));
    return {
      services: [...new Set((services.tagValues ?? []).map((value) => value.value ?? '').filter(Boolean))].sort(),
      attributes: attributes.sort(),
    };
  }

  /** A refused query in Tempo's words, with Legible's own correction when its TraceQL parser has one; a 404 that looks like Jaeger says so. */
  private async explain(error: unknown, query: string): Promise<unknown> {
    if (!(error instanceof RemoteError) || error.failure !== 'http') return error;
    if (error.status === 400) {
      let hint = `The query went to ${this.name} unchanged; fix what it names.`;
      try {
        const { parseTraceQL } = await import('../traces/traceql/parse.js');
        parseTraceQL(query);
      } catch (parseError) {
        if (parseError instanceof LegibleError && parseError.hint) hint = parseError.hint;
      }
      return new LegibleError(`The ${this.api.where} refused the query: ${error.backendMessage ?? error.message}`, hint, { kind: 'usage' });
    }
    if (error.status === 404) {
      const jaeger = await this.api.send('/api/services', {}, { what: 'a Jaeger check' }).then(
        ({ text }) => /"data"\s*:/.test(text),
        () => false,
      );
      if (jaeger) return new UsageError(`${this.api.where.replace(/^Tempo/, 'The server')} has no Tempo search API, but answers Jaeger's query API.`, 'Start Legible with --traces-api jaeger.');
    }
    return error;
  }
}

/** Tempo takes whole Unix seconds; the window is widened to whole seconds, never narrowed. */
function window(range: TimeWindow): { start: number; end: number } {
  const start = Math.floor(range.startMs / 1000);
  return { start, end: Math.max(start + 1, Math.ceil(range.endMs / 1000)) };
}

function notFound(id: string, where: string): LegibleError {
  return new UsageError(`No trace ${id} in ${where}.`, 'Check the id, or search for it with TraceQL (a time range that covers it helps: Tempo looks only there when one is given).');
}

/** A trace's OTLP/JSON (Tempo may write ids in base64 and enums by name) in Legible's OTLP model. */
export async function decodeTrace(body: unknown, api: RemoteApi, path: string): Promise<ResourceSpans[]> {
  const out: ResourceSpans[] = [];
  try {
    await decodeTracesJson(body, new Slicer(), (request) => out.push(...request.resourceSpans));
  } catch (error) {
    if (error instanceof DecodeError) throw api.garbage(path, `a trace that is not OTLP/JSON (${error.message})`);
    throw error;
  }
  return out;
}
