import { LegibleError, UsageError } from '../util/errors.js';

/**
 * Durations and points in time as the three query languages and the telemetry tools write them.
 * One home, so LogQL's `[5m]`, PromQL's `offset 1h`, TraceQL's `duration > 1.5s` and a tool's
 * `since: "15m"` all mean the same thing.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w|y)/y;

/**
 * A duration in milliseconds, from Go's and Prometheus' notations: one or more number+unit parts
 * (`300ms`, `1.5s`, `1h30m`, `2d`, `1w`), units ns, us/µs, ms, s, m, h, d, w, y (365 days, as
 * Prometheus counts it). Undefined when `text` is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const source = text.trim();
  if (!source) return undefined;
  let total = 0;
  let at = 0;
  while (at < source.length) {
    PART.lastIndex = at;
    const match = PART.exec(source);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    at = PART.lastIndex;
  }
  return total;
}

/** Like parseDuration, but a LegibleError names the parameter and shows good examples. */
export function requireDuration(text: string, what: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(`${what} ${JSON.stringify(text.slice(0, 100))} is not a duration.`, 'Write a number and a unit, such as 500ms, 30s, 5m, 1h30m or 2d.');
  }
  return ms;
}

/**
 * A point in time as epoch milliseconds, from what an agent is likely to write: `now`; a relative
 * time `-5m` or `now-5m` (any parseDuration text); RFC 3339 (`2026-11-30T10:00:00Z`); or Unix
 * seconds (`1764496800`, `1764496800.25`, or a number).
 */
export function parseTime(value: string | number, now: number = Date.now()): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw timeError(String(value));
    return value * 1_000;
  }
  const text = value.trim();
  if (text === 'now') return now;
  const relative = /^(?:now)?\s*-\s*(.+)$/.exec(text);
  if (relative) {
    const ms = parseDuration(relative[1]!);
    if (ms === undefined) throw timeError(text);
    return now - ms;
  }
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1_000;
  if (/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  throw timeError(text);
}

function timeError(text: string): LegibleError {
  return new UsageError(
    `${JSON.stringify(text.slice(0, 100))} is not a time.`,
    'Write "now", a relative time such as "-15m", an RFC 3339 time such as "2026-11-30T10:00:00Z", or Unix seconds.',
  );
}

/** A short human reading of a duration: `850µs`, `12ms`, `1.25s`, `2m5s`, `1h2m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1) return `${sign}${Math.round(abs * 1_000)}µs`;
  if (abs < 1_000) return `${sign}${abs < 10 ? Number(abs.toFixed(1)) : Math.round(abs)}ms`;
  if (abs < 60_000) return `${sign}${Number((abs / 1_000).toFixed(abs < 10_000 ? 2 : 1))}s`;
  if (abs < 3_600_000) return `${sign}${Math.floor(abs / 60_000)}m${Math.round((abs % 60_000) / 1_000)}s`;
  return `${sign}${Math.floor(abs / 3_600_000)}h${Math.round((abs % 3_600_000) / 60_000)}m`;
}
