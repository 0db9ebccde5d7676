import { z } from 'zod';
import { formatSpan } from '../format/spanFormat.js';
import { formatTraceOutline } from '../format/traceOutlineFormat.js';
import { formatTraceSearch } from '../format/traceSearchFormat.js';
import type { TraceCatalog, TracesBackend } from '../telemetry/backends.js';
import { parseTime } from '../telemetry/time.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { plural } from '../util/text.js';
import { appStartTool } from './appTools.js';
import { callText } from './family.js';
import { defineTool } from './tool.js';

const SEARCH_BUDGET = 4_000;
const OUTLINE_BUDGET = 6_000;
const SPAN_BUDGET = 6_000;
const LIMIT = 20;
/** Searches look this far back (the embedded store holds less; a remote Tempo needs a range). */
const SEARCH_WINDOW_MS = 3_600_000;
const SPAN_ID = /^[0-9a-f]{16}$/;

export const tracesTool = defineTool({
  name: 'traces',
  title: 'Traces',
  description: "Apps' spans in TraceQL ({ status = error }, { duration > 1s }): newest traces. trace (id): outline, critical path; span: one span.",
  input: {
    query: z.string().min(1).optional(),
    trace: z.string().min(1).optional(),
    span: z.string().min(1).optional(),
    offset: z.number().int().min(0).optional(),
  },
  kind: 'read',
  scope: 'browser',
  async handle({ params, context, response }) {
    const hub = context.telemetry();
    const backend = await hub.traces();
    const dropped = hub.status().spans?.dropped ?? 0;
    const droppedNote = dropped && !backend.remote ? `(${plural(dropped, 'older span')} dropped by the cap of the span store.)` : '';
    const { query, trace, span } = params;
    if (query !== undefined && (trace !== undefined || span !== undefined)) {
      throw new UsageError('Give "query" to search, or "trace" (and "span") to open one, not both.', `For example ${tracesTool.name} {"query":"{ status = error }"}, then ${tracesTool.name} {"trace":"<id from the list>"}.`);
    }
    if (trace === undefined && span !== undefined) {
      response.text(await spanAlone(backend, span));
      return;
    }
    if (trace !== undefined) {
      const found = await backend.trace(trace);
      if (span !== undefined) response.text(formatSpan(found, span, { budget: SPAN_BUDGET }));
      else {
        response.text(
          formatTraceOutline(found, {
            budget: OUTLINE_BUDGET,
            offset: params.offset ?? 0,
            pageHint: `${tracesTool.name} {"trace":"<trace>","offset":<offset>}`,
            spanHint: `One span's attributes, events, exception: ${tracesTool.name} {"trace":"<trace>","span":"<span>"}`,
          }),
        );
      }
      if (droppedNote) response.text(droppedNote);
      return;
    }
    const now = Date.now();
    const window = { startMs: now - SEARCH_WINDOW_MS, endMs: now };
    const text = query ?? '{ }';
    const found = await backend.search(text, { ...window, limit: LIMIT });
    const answer = formatTraceSearch(found, {
      query: text,
      budget: SEARCH_BUDGET,
      openHint: `Open one (outline, critical path): ${tracesTool.name} {"trace":"<id>"}`,
      moreHint: 'Narrow the query, e.g. add && duration > 100ms.',
    });
    response.text(answer);
    if (!found.traces.length) response.text(await whatExists(backend, window, hub.endpointNow()));
    if (droppedNote) response.text(droppedNote);
  },
});

/** A span named without its trace: a full span id is searched for; a prefix needs the trace. */
async function spanAlone(backend: TracesBackend, span: string): Promise<string> {
  const id = span.trim().toLowerCase();
  if (!SPAN_ID.test(id)) {
    throw new UsageError(`A span prefix needs its trace: ${JSON.stringify(span.slice(0, 40))} is not a whole span id (16 hex digits).`, `Give both: ${tracesTool.name} {"trace":"<trace id>","span":"${span.slice(0, 16)}"}.`);
  }
  const now = Date.now();
  const found = await backend.search(`{ span:id = "${id}" }`, { startMs: now - 7 * 86_400_000, endMs: now, limit: 1 });
  const hit = found.traces[0];
  if (!hit) throw new UsageError(`No span ${id} is stored.`, `Search for it with TraceQL, e.g. ${tracesTool.name} {"query":"{ status = error }"}.`);
  return formatSpan(await backend.trace(hit.traceID), id, { budget: SPAN_BUDGET });
}

/** What a search could have found: the services and attribute names held, and where apps send. */
async function whatExists(backend: TracesBackend, window: { startMs: number; endMs: number }, endpoint: string | undefined): Promise<string> {
  let catalog: TraceCatalog;
  try {
    catalog = await backend.catalog(window);
  } catch {
    return '';
  }
  if (!catalog.services.length) {
    return endpoint ? `Legible receives OTLP at ${endpoint}; apps started with ${callText(appStartTool)} are pointed there (their OpenTelemetry SDK reads OTEL_EXPORTER_OTLP_ENDPOINT).` : '';
  }
  const attributes = catalog.attributes.length > 30 ? `${catalog.attributes.slice(0, 30).join(', ')}, … ${catalog.attributes.length - 30} more` : catalog.attributes.join(', ');
  return `Services: ${catalog.services.join(', ')}.${attributes ? `\nAttributes: ${attributes}.` : ''}`;
}

/** Parses a time the tools take (RFC 3339, Unix seconds, or relative like -5m). */
export function toolTime(value: string, now: number, name: string): number {
  try {
    return parseTime(value, now);
  } catch (error) {
    if (error instanceof LegibleError) throw new LegibleError(`"${name}": ${error.message}`, error.hint, { cause: error });
    throw error;
  }
}
