import type { TraceCatalog } from '../telemetry/backends.js';
import { formatDuration } from '../telemetry/time.js';
import { nanosToMs } from '../telemetry/otlp/logInputs.js';
import { ROOT_NOT_RECEIVED, type TempoSearchResponse, type TempoSearchTrace } from '../telemetry/traces/tempo.js';
import { isSecretName, REDACTED, redactText } from '../util/redact.js';
import { plural, truncate } from '../util/text.js';

/**
 * TraceQL search results (Tempo's search answer, from the embedded store or a real Tempo) as a
 * short list, newest first: per trace the short id, root span, duration, span count, services
 * and errors, and the spans that matched. Bounded by `budget` characters; says what was left
 * out and how to see it.
 */

export interface TraceSearchFormatOptions {
  query: string;
  /** Characters; default 4,000. */
  budget?: number;
  /** How to open one trace, e.g. `traces {"trace":"<id>"}`; `<id>` is replaced. */
  openHint?: string;
  /** How to see more traces (a higher limit, a narrower query). */
  moreHint?: string;
  /** The limit the search was asked with: a remote backend answering that many may hold more. */
  limit?: number;
  /** What the backend holds, for an answer that found nothing (its own listings). */
  catalog?: TraceCatalog;
  /** Where the spans are, for an empty answer when not the embedded store: "the Tempo at http://…". */
  source?: string;
}

function listed(names: string[], max: number): string {
  const shown = names.slice(0, max).map((name) => truncate(name, 60));
  return `${shown.join(', ')}${names.length > max ? ` … (${names.length - max} more)` : ''}`;
}

export const SHORT_ID = 12;

export function shortId(id: string): string {
  return id.slice(0, SHORT_ID);
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function traceLine(trace: TempoSearchTrace, index: number): string {
  const startMs = nanosToMs(trace.startTimeUnixNano) ?? 0;
  const root = trace.rootServiceName === ROOT_NOT_RECEIVED ? '(root span not received)' : `${trace.rootTraceName ?? '?'} (${trace.rootServiceName})`;
  const stats = Object.entries(trace.serviceStats ?? {});
  const spans = stats.reduce((n, [, s]) => n + s.spanCount, 0);
  const errors = stats.reduce((n, [, s]) => n + (s.errorCount ?? 0), 0);
  // Tempo gives whole milliseconds and leaves 0 out: a trace under 1 ms has none.
  const parts = [`${index}. ${shortId(trace.traceID)}  ${truncate(root, 100)}  ${trace.durationMs ? formatDuration(trace.durationMs) : '<1ms'}`];
  if (spans) parts.push(plural(spans, 'span'));
  if (stats.length > 1) parts.push(`services: ${stats.map(([name, s]) => `${name} ${s.spanCount}`).join(', ')}`);
  if (errors) parts.push(`✗ ${plural(errors, 'error')}`);
  parts.push(`at ${clock(startMs)}`);
  const lines = [parts.join(' · ')];
  for (const set of trace.spanSets ?? (trace.spanSet ? [trace.spanSet] : [])) {
    const shown = set.spans.map((span) => {
      const attributes = (span.attributes ?? [])
        .filter((kv) => kv.key !== 'service.name')
        .map((kv) => `${kv.key}=${isSecretName(kv.key) ? REDACTED : truncate(redactText(String(kv.value?.stringValue ?? kv.value?.intValue ?? kv.value?.doubleValue ?? kv.value?.boolValue ?? '')), 60)}`);
      return `${truncate(span.name ?? '?', 80)} ${formatDuration(Number(span.durationNanos) / 1e6)}${attributes.length ? ` (${attributes.join(', ')})` : ''}`;
    });
    const more = set.matched > set.spans.length ? ` … +${set.matched - set.spans.length} more` : '';
    lines.push(`   matched ${set.matched}: ${shown.join('; ')}${more}`);
  }
  return lines.join('\n');
}

export function formatTraceSearch(response: TempoSearchResponse, options: TraceSearchFormatOptions): string {
  const budget = options.budget ?? 4_000;
  const traces = response.traces;
  const total = response.metrics.matchedTraces ?? traces.length;
  if (!traces.length) {
    const inspected = response.metrics.inspectedTraces;
    const catalog = options.catalog;
    const nothing = inspected === 0 || (catalog !== undefined && catalog.services.length === 0);
    const lines = [
      `No trace matches ${options.query}${inspected !== undefined ? ` (${plural(inspected, 'trace')} searched)` : ''}.`,
      nothing
        ? `No spans ${options.source ? `in ${options.source}` : 'have arrived'}: is the app instrumented and exporting${options.source ? '' : ' to Legible (OTEL_EXPORTER_OTLP_ENDPOINT)'}?`
        : 'Loosen the query: { } lists every trace, { status = error } the failing ones, { duration > 500ms } the slow ones; attribute names must match exactly (span.http.route, resource.service.name).',
    ];
    if (catalog && !nothing) {
      lines.push(`Services (${catalog.services.length}): ${listed(catalog.services, 20)}`);
      if (catalog.attributes.length) lines.push(`Attributes (${catalog.attributes.length}): ${listed(catalog.attributes, 40)}`);
    }
    return lines.join('\n');
  }
  // A backend that does not count all matches (Tempo, Jaeger) and answered as many as asked may hold more.
  const atLimit = response.metrics.mayHaveMore === true || (response.metrics.matchedTraces === undefined && options.limit !== undefined && traces.length >= options.limit);
  const head = `${atLimit ? 'At least ' : ''}${plural(total, 'trace')} ${total === 1 ? 'matches' : 'match'} ${options.query}${total > traces.length ? `; the newest ${traces.length}` : ''} (newest first):`;
  const lines = [head];
  let used = head.length;
  let shown = 0;
  for (const trace of traces) {
    const line = traceLine(trace, shown + 1);
    if (used + line.length + 1 > budget && shown > 0) break;
    lines.push(line);
    used += line.length + 1;
    shown++;
  }
  const left = total - shown;
  if (left > 0) lines.push(`… ${plural(left, 'more trace')} not shown${atLimit ? ', and more may match past the limit' : ''}. ${options.moreHint ?? 'Narrow the query or raise the limit to see them.'}`);
  else if (atLimit) lines.push(`More may match past the limit. ${options.moreHint ?? 'Narrow the query or raise the limit to see them.'}`);
  lines.push((options.openHint ?? 'Open one by its id (the short id shown is enough): <id>').replace('<id>', shortId(traces[0]!.traceID)));
  return lines.join('\n');
}
