import { instantOrder, referencedNames, type MetricsCatalog } from '../telemetry/metrics/catalog.js';
import { compareKeys, labelsKey } from '../telemetry/metrics/labels.js';
import type { PromMatrixSeries, PromQueryData, PromVectorSample } from '../telemetry/metrics/query.js';
import { closest } from '../telemetry/metrics/suggest.js';
import { formatDuration } from '../telemetry/time.js';
import { plural } from '../util/text.js';

/**
 * A PromQL answer (the `data` of Prometheus' HTTP API, from the embedded engine or a real
 * Prometheus) as a compact table: the labels all series share said once, then one row per series
 * with what differs and its value; for a range, min, max and last and a few points at common
 * times. Bounded by a character budget, with how many series were left out and how to see them.
 * An empty answer lists the metric names and labels that exist, those closest to the query's first.
 */

export type { MetricsCatalog };

export interface MetricsAnswer {
  query: string;
  data: PromQueryData;
  /** An instant query's time (ms), or a range query's range. */
  timeMs?: number;
  range?: { startMs: number; endMs: number; stepMs: number };
  /** Default 4 000 characters. */
  budget?: number;
  /** Series to skip (paging: the first answer says which offset shows the next ones). */
  offset?: number;
  /** How the caller pages: "offset: 40" by default. */
  pageHint?: (nextOffset: number) => string;
  /** What exists, for an empty answer. */
  catalog?: MetricsCatalog;
}

const POINTS_SHOWN = 6;

export function formatMetricsAnswer(answer: MetricsAnswer): string {
  const { data } = answer;
  const when = answer.range
    ? `${formatTime(answer.range.startMs)} → ${formatTime(answer.range.endMs)} every ${formatDuration(answer.range.stepMs)}`
    : answer.timeMs !== undefined
      ? `at ${formatTime(answer.timeMs)}`
      : '';
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return `${data.resultType} ${data.resultType === 'string' ? JSON.stringify(data.result[1]) : compactNumber(data.result[1])} ${when}`.trim();
  }
  if (data.result.length === 0) return emptyAnswer(answer, when);
  return data.resultType === 'vector' ? vectorTable(answer, data.result, when) : matrixTable(answer, data.result, when);
}

function vectorTable(answer: MetricsAnswer, given: PromVectorSample[], when: string): string {
  const result = ordered(given, instantOrder(answer.query));
  const { common, rest } = splitLabels(result.map((sample) => sample.metric));
  const rows = result.map((sample, index) => ({ value: compactNumber(sample.value[1]), labels: rest[index]! }));
  const width = Math.min(14, Math.max(5, ...rows.map((row) => row.value.length)));
  const lines = rows.map((row) => `${row.value.padEnd(width)}  ${row.labels}`);
  const head = `${plural(result.length, 'series', 'series')} ${when}${common ? `; all ${common}` : ''}`;
  return page(answer, head, `${'value'.padEnd(width)}  labels`, lines);
}

function matrixTable(answer: MetricsAnswer, given: PromMatrixSeries[], when: string): string {
  // By labels, as Prometheus sorts range answers (other engines answer in their own order).
  const keys = new Map(given.map((series) => [series, labelsKey(series.metric)]));
  const result = [...given].sort((a, b) => compareKeys(keys.get(a)!, keys.get(b)!));
  const { common, rest } = splitLabels(result.map((series) => series.metric));
  const times = answer.range ? sampleTimes(answer.range) : undefined;
  const lines = result.map((series, index) => {
    const values = series.values.map(([, value]) => parseValue(value));
    const finite = values.filter((value) => !Number.isNaN(value));
    const min = finite.length ? Math.min(...finite) : NaN;
    const max = finite.length ? Math.max(...finite) : NaN;
    const last = series.values[series.values.length - 1]!;
    let points: string;
    if (times) {
      const byTime = new Map(series.values.map(([t, value]) => [Math.round(t * 1000), value]));
      points = times.map((t) => (byTime.has(t) ? compactNumber(byTime.get(t)!) : '·')).join(' ');
    } else {
      const picked = pick(series.values, POINTS_SHOWN);
      points = picked.map(([t, value]) => `${compactNumber(value)}@${formatTime(t * 1000, true)}`).join(' ');
    }
    return `${rest[index]}  n=${series.values.length} min=${compactNumber(String(min))} max=${compactNumber(String(max))} last=${compactNumber(last[1])}  [${points}]`;
  });
  const head = `${plural(result.length, 'series', 'series')} ${when}${common ? `; all ${common}` : ''}`;
  const legend = times ? `points at ${times.map((t) => formatTime(t, true)).join(' ')} (· = no value)` : 'points as value@time';
  return page(answer, head, legend, lines);
}

/** Rows in the order that reads best, the same whichever engine answered (see instantOrder). */
function ordered(result: PromVectorSample[], order: ReturnType<typeof instantOrder>): PromVectorSample[] {
  if (order === 'given') return result;
  const keys = new Map(result.map((sample) => [sample, labelsKey(sample.metric)]));
  const byLabels = (a: PromVectorSample, b: PromVectorSample) => compareKeys(keys.get(a)!, keys.get(b)!);
  if (order === 'labels') return [...result].sort(byLabels);
  const sign = order === 'desc' ? -1 : 1;
  return [...result].sort((a, b) => {
    const x = parseValue(a.value[1]);
    const y = parseValue(b.value[1]);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? byLabels(a, b) : Number.isNaN(x) ? 1 : -1;
    return x === y ? byLabels(a, b) : sign * (x < y ? -1 : 1);
  });
}

/** Lines within the budget, from `offset`, with a closing line on what was left out and how to see it. */
function page(answer: MetricsAnswer, head: string, legend: string, lines: string[]): string {
  const budget = answer.budget ?? 4_000;
  const offset = Math.max(0, Math.min(answer.offset ?? 0, lines.length));
  const out = [head, legend];
  let used = head.length + legend.length + 2;
  let shown = 0;
  for (let i = offset; i < lines.length; i++) {
    const line = lines[i]!.length > 600 ? `${lines[i]!.slice(0, 600)}…` : lines[i]!;
    // Keep ~150 characters for the closing line.
    if (shown > 0 && used + line.length + 1 > budget - 150) break;
    out.push(line);
    used += line.length + 1;
    shown++;
  }
  if (offset > 0) out.splice(2, 0, `(series ${offset + 1}–${offset + shown} of ${lines.length})`);
  const left = lines.length - offset - shown;
  if (left > 0) {
    const hint = answer.pageHint?.(offset + shown) ?? `offset: ${offset + shown}`;
    out.push(`… ${left} more series. To see them: ${hint}; or narrow the query (label matchers, topk(10, …), sum by (…)).`);
  }
  return out.join('\n');
}

/** Labels shared by every series (said once) and, per series, the rest as {a="b", …}. */
function splitLabels(metrics: Record<string, string>[]): { common: string; rest: string[] } {
  const first = metrics[0] ?? {};
  const shared: Record<string, string> = {};
  if (metrics.length > 1) {
    for (const [name, value] of Object.entries(first)) if (metrics.every((metric) => metric[name] === value)) shared[name] = value;
  }
  const render = (labels: Record<string, string>, skip: Record<string, string>) => {
    const name = skip.__name__ === undefined ? labels.__name__ ?? '' : '';
    const pairs = Object.keys(labels)
      .filter((label) => label !== '__name__' && !(label in skip))
      .sort()
      .map((label) => `${label}=${JSON.stringify(labels[label])}`);
    return pairs.length || !name ? `${name}{${pairs.join(', ')}}` : name;
  };
  const common = Object.keys(shared).length ? render(shared, {}) : '';
  return { common, rest: metrics.map((metric) => render(metric, shared)) };
}

function emptyAnswer(answer: MetricsAnswer, when: string): string {
  const lines = [`No series ${when}: ${answer.query.length > 200 ? `${answer.query.slice(0, 200)}…` : answer.query} found nothing.`];
  const catalog = answer.catalog;
  if (!catalog) return lines[0]!;
  const wanted = referencedNames(answer.query);
  if (!catalog.metricNames.length) {
    lines.push('No metrics are stored yet: is the app exporting OTLP metrics, or is a /metrics endpoint being scraped?');
    return lines.join('\n');
  }
  const missing = wanted.metrics.filter((name) => !catalog.metricNames.includes(name));
  for (const name of missing.slice(0, 3)) {
    const near = closest(name, catalog.metricNames, 5);
    lines.push(near.length ? `No metric ${JSON.stringify(name)}; closest: ${near.join(', ')}` : `No metric ${JSON.stringify(name)}.`);
  }
  for (const label of wanted.labels) {
    if (!catalog.labelNames.includes(label)) {
      const near = closest(label, catalog.labelNames, 3);
      lines.push(`No label ${JSON.stringify(label)}${near.length ? `; closest: ${near.join(', ')}` : ''}.`);
      continue;
    }
    const values = catalog.labelValues?.[label];
    if (values?.length) lines.push(`Values of ${label}: ${bounded(values, 12)}`);
  }
  const shownFirst = new Set(missing.flatMap((name) => closest(name, catalog.metricNames, 5)));
  const others = catalog.metricNames.filter((name) => !shownFirst.has(name));
  lines.push(`Metrics (${catalog.metricNames.length}): ${bounded([...shownFirst, ...others], 30)}`);
  lines.push(`Labels: ${bounded(catalog.labelNames.filter((name) => name !== '__name__'), 30)}`);
  if (catalog.newestMs !== undefined && catalog.oldestMs !== undefined) {
    const span = `Data from ${formatTime(catalog.oldestMs)} to ${formatTime(catalog.newestMs)}`;
    const at = answer.range?.startMs ?? answer.timeMs;
    const end = answer.range?.endMs ?? answer.timeMs;
    if (end !== undefined && end < catalog.oldestMs) lines.push(`${span}: the query ends before it.`);
    else if (at !== undefined && at > catalog.newestMs + 5 * 60_000) lines.push(`${span}: the query starts more than 5 minutes (the lookback) after it.`);
    else lines.push(`${span}.`);
  }
  // Only when the names are right: then a too-short range is the likely cause.
  if (!missing.length && /\b(rate|irate|increase|delta|deriv)\s*\(/.test(answer.query)) lines.push('rate() and its kin need at least two samples inside the [range]: try a range of at least 4× the scrape or export interval.');
  return lines.join('\n');
}

/** The labels whose values would help an empty answer: those the query's selectors match on. */
export function labelsToLookUp(query: string): string[] {
  return referencedNames(query).labels;
}

function bounded(names: string[], max: number): string {
  return names.length > max ? `${names.slice(0, max).join(', ')} … (${names.length - max} more)` : names.join(', ');
}

function parseValue(value: string): number {
  return value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value);
}

/** Six significant digits, no exponent for everyday magnitudes; NaN and ±Inf as Prometheus writes them. */
export function compactNumber(value: string): string {
  const number = parseValue(value);
  if (Number.isNaN(number)) return 'NaN';
  if (!Number.isFinite(number)) return number > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(number) && Math.abs(number) < 1e15) return String(number);
  const abs = Math.abs(number);
  if (abs !== 0 && (abs >= 1e15 || abs < 1e-4)) return number.toPrecision(4);
  return String(Number(number.toPrecision(6)));
}

/** Up to `count` evenly spaced step times of a range, always with the first and last. */
function sampleTimes(range: { startMs: number; endMs: number; stepMs: number }): number[] {
  const steps = Math.floor((range.endMs - range.startMs) / range.stepMs) + 1;
  const count = Math.min(POINTS_SHOWN, steps);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const step = count === 1 ? 0 : Math.round((i * (steps - 1)) / (count - 1));
    out.push(range.startMs + step * range.stepMs);
  }
  return out;
}

function pick<T>(values: T[], count: number): T[] {
  if (values.length <= count) return values;
  return Array.from({ length: count }, (_, i) => values[Math.round((i * (values.length - 1)) / (count - 1))]!);
}

/** `2026-11-30T10:00:15Z`; `short`: `10:00:15` (seconds kept, milliseconds when there are any). */
export function formatTime(ms: number, short = false): string {
  const iso = new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
  return short ? iso.slice(11).replace(/Z$/, '') : iso;
}
