import type { Labels } from '../telemetry/model.js';
import { fromNanos, type LokiData, type QueryStats } from '../telemetry/logs/logql/answer.js';
import { formatDuration } from '../telemetry/time.js';
import { plural } from '../util/text.js';
import { formatLogText } from './logLine.js';

/**
 * LogQL answers as text. The input is the `data` of Loki's query API (plus Legible's stats), so
 * the embedded store and a remote Loki read the same here.
 */

export interface LogsFormatOptions {
  /** Characters for the whole answer. */
  budget: number;
  /** The query as asked, for the "see more" advice. */
  query: string;
  /** Show lines exactly as printed (the query formats them itself, with line_format). */
  raw: boolean;
  /** The tool's own name, for advice. */
  tool: string;
}

/** A duration as formatDuration writes it, without a zero last part: "1h", not "1h0m". */
function span(ms: number): string {
  return formatDuration(ms).replace(/^(\d+[hm])0[ms]$/, '$1');
}

/** `10:31:02.123` (UTC) of epoch ms. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function describeRange(stats: QueryStats): string {
  const length = stats.endMs - stats.startMs;
  const ago = Date.now() - stats.endMs;
  return ago < 2_000 ? `in the last ${span(length)}` : `from ${new Date(stats.startMs).toISOString()} to ${new Date(stats.endMs).toISOString()}`;
}

export function labelText(labels: Labels): string {
  const names = Object.keys(labels);
  return `{${names.map((name) => `${name}=${JSON.stringify(labels[name])}`).join(', ')}}`;
}

export function formatLogsAnswer(data: LokiData, stats: QueryStats, options: LogsFormatOptions): string {
  if (data.resultType === 'streams') return formatStreams(data, stats, options);
  return formatMetric(data, stats, options);
}

function formatStreams(data: Extract<LokiData, { resultType: 'streams' }>, stats: QueryStats, options: LogsFormatOptions): string {
  const entries = data.result
    .flatMap((stream) => stream.values.map((value) => ({ stream: stream.stream, nanos: value[0], time: fromNanos(value[0]), line: value[1], meta: value[2]?.structuredMetadata ?? {} })))
    .sort((a, b) => (a.nanos === b.nanos ? 0 : BigInt(b.nanos) > BigInt(a.nanos) ? 1 : -1));
  const apps = new Set(entries.map((entry) => entry.stream.app ?? entry.stream.service_name));
  const lines: string[] = [];
  let used = 0;
  let shown = 0;
  for (const entry of entries) {
    const level = entry.meta.detected_level;
    const source = apps.size > 1 || !apps.has(entry.stream.app) ? `${entry.stream.app ?? entry.stream.service_name ?? labelText(entry.stream)} ` : '';
    const stream = entry.stream.stream === 'stderr' ? 'stderr ' : '';
    const trace = entry.meta.trace_id ? ` trace=${entry.meta.trace_id}` : '';
    const text = `${clockTime(entry.time)} ${source}${stream}${level ? `${level} ` : ''}${formatLogText(entry.line, { max: 500, extraLines: 12, raw: options.raw })}${trace}`;
    if (used + text.length > options.budget && shown > 0) break;
    lines.push(text);
    used += text.length + 1;
    shown++;
  }
  const more = stats.matched - shown;
  const head = `${plural(stats.matched, 'entry', 'entries')}${stats.partial ? ' or more' : ''} ${describeRange(stats)}${shown ? `, newest first${more > 0 ? ` (showing ${shown})` : ''}` : ''}; times UTC:`;
  const notes: string[] = [];
  if (more > 0) {
    notes.push(`… ${more} more: narrow the query (a line filter |= "text", | json | level="error"), a shorter "since", or a higher "limit"; ${options.tool} {"query":${JSON.stringify(`sum by (app) (count_over_time(${options.query.trim()} [1m]))`)}} counts them over time.`);
  }
  if (stats.partial) notes.push(`Note: ${stats.partial}.`);
  if (stats.evicted) notes.push(`Note: ${plural(stats.evicted, 'older entry', 'older entries')} of these streams were dropped from the bounded log store.`);
  return [head, ...lines, ...notes].join('\n');
}

const MAX_SERIES_SHOWN = 30;
const MAX_POINTS_SHOWN = 24;

function formatValue(value: string): string {
  const number = Number(value);
  return Number.isInteger(number) ? String(number) : String(Number(number.toPrecision(4)));
}

function formatMetric(data: Exclude<LokiData, { resultType: 'streams' }>, stats: QueryStats, options: LogsFormatOptions): string {
  const notes: string[] = [];
  if (stats.parseErrors) notes.push(`Note: ${plural(stats.parseErrors, 'line')} could not be parsed; they are counted in series with an __error__ label (drop them with | __error__="").`);
  if (stats.unwrapErrors) notes.push(`Note: ${plural(stats.unwrapErrors, 'line')} had no number in the unwrapped label and were left out.`);
  if (stats.partial) notes.push(`Note: ${stats.partial}; the values are incomplete.`);
  if (stats.evicted) notes.push(`Note: ${plural(stats.evicted, 'older entry', 'older entries')} of these streams were dropped from the bounded log store.`);
  if (data.resultType === 'vector') {
    const rows = [...data.result].sort((a, b) => Number(b.value[1]) - Number(a.value[1]));
    const shown = rows.slice(0, MAX_SERIES_SHOWN).map((sample) => `${labelText(sample.metric)} ${formatValue(sample.value[1])}`);
    if (rows.length > shown.length) shown.push(`… ${rows.length - shown.length} more series: aggregate further (sum by (…)) or topk(10, …)`);
    const head = `${plural(rows.length, 'series', 'series')} over ${span(stats.endMs - stats.startMs)} up to ${clockTime(stats.endMs)} UTC:`;
    return [head, ...shown, ...notes].join('\n');
  }
  const series = [...data.result].map((one) => {
    const numbers = one.values.map((sample) => Number(sample[1]));
    return { one, total: numbers.reduce((a, b) => a + b, 0), max: Math.max(...numbers) };
  });
  series.sort((a, b) => b.total - a.total);
  const lines: string[] = [];
  let used = 0;
  let shown = 0;
  for (const { one, max } of series) {
    const points = one.values.slice(-MAX_POINTS_SHOWN).map((sample) => `${clockTime(sample[0] * 1_000).slice(0, 8)} ${formatValue(sample[1])}`);
    const skipped = one.values.length - points.length;
    const text = `${labelText(one.metric)} max ${formatValue(String(max))}, last ${formatValue(one.values.at(-1)![1])}\n  ${skipped ? `(${skipped} earlier points) ` : ''}${points.join(' · ')}`;
    if (used + text.length > options.budget && shown > 0) break;
    lines.push(text);
    used += text.length + 1;
    shown++;
  }
  if (series.length > shown) lines.push(`… ${series.length - shown} more series: aggregate further (sum by (…)) or topk(10, …)`);
  const head = `${plural(series.length, 'series', 'series')}, a point every ${span(stats.stepMs ?? 0)} ${describeRange(stats)} (points without data left out; times UTC):`;
  return [head, ...lines, ...notes].join('\n');
}
