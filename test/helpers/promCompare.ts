/**
 * Compares two answers in the shape of the Prometheus HTTP API's `data` value for value:
 * same result type, same label sets, same timestamps, values equal up to float noise (relative
 * 1e-9; NaN equals NaN; infinities exactly). Instant vectors compare as sets unless `ordered`.
 * Returns undefined when they agree, else what differs (short).
 */
import type { PromQueryData } from '../../src/telemetry/metrics/query.js';

type Labels = Record<string, string>;

export function sameValue(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a === '+Inf' ? Infinity : a === '-Inf' ? -Infinity : a);
  const y = Number(b === '+Inf' ? Infinity : b === '-Inf' ? -Infinity : b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) || Math.abs(x - y) < 1e-12;
}

function key(metric: Labels): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function show(metric: Labels): string {
  const { __name__: name = '', ...rest } = metric;
  return `${name}{${Object.entries(rest).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

export function compareData(mine: PromQueryData, theirs: PromQueryData, ordered = false): string | undefined {
  if (mine.resultType !== theirs.resultType) return `result type ${mine.resultType} vs Prometheus ${theirs.resultType}`;
  switch (mine.resultType) {
    case 'scalar':
    case 'string': {
      const other = theirs.result as [number, string];
      if (mine.result[0] !== other[0]) return `time ${mine.result[0]} vs ${other[0]}`;
      return mine.resultType === 'string' ? (mine.result[1] === other[1] ? undefined : `${mine.result[1]} vs ${other[1]}`) : sameValue(mine.result[1], other[1]) ? undefined : `${mine.result[1]} vs ${other[1]}`;
    }
    case 'vector': {
      const other = theirs.result as { metric: Labels; value: [number, string] }[];
      if (mine.result.length !== other.length) return `${mine.result.length} series vs Prometheus ${other.length}: ${diffKeys(mine.result.map((s) => s.metric), other.map((s) => s.metric))}`;
      if (ordered) {
        for (let i = 0; i < other.length; i++) {
          if (key(mine.result[i]!.metric) !== key(other[i]!.metric)) return `order differs at ${i}: ${show(mine.result[i]!.metric)} vs ${show(other[i]!.metric)}`;
        }
      }
      const theirsByKey = new Map(other.map((sample) => [key(sample.metric), sample]));
      for (const sample of mine.result) {
        const match = theirsByKey.get(key(sample.metric));
        if (!match) return `series ${show(sample.metric)} only in Legible: ${diffKeys(mine.result.map((s) => s.metric), other.map((s) => s.metric))}`;
        if (sample.value[0] !== match.value[0]) return `${show(sample.metric)}: time ${sample.value[0]} vs ${match.value[0]}`;
        if (!sameValue(sample.value[1], match.value[1])) return `${show(sample.metric)}: ${sample.value[1]} vs Prometheus ${match.value[1]}`;
      }
      return undefined;
    }
    case 'matrix': {
      const other = theirs.result as { metric: Labels; values: [number, string][] }[];
      if (mine.result.length !== other.length) return `${mine.result.length} series vs Prometheus ${other.length}: ${diffKeys(mine.result.map((s) => s.metric), other.map((s) => s.metric))}`;
      const theirsByKey = new Map(other.map((series) => [key(series.metric), series]));
      for (const series of mine.result) {
        const match = theirsByKey.get(key(series.metric));
        if (!match) return `series ${show(series.metric)} only in Legible: ${diffKeys(mine.result.map((s) => s.metric), other.map((s) => s.metric))}`;
        const theirTimes = new Map(match.values.map(([t, v]) => [t, v]));
        if (series.values.length !== match.values.length) {
          const mineTimes = new Set(series.values.map(([t]) => t));
          const onlyMine = series.values.filter(([t]) => !theirTimes.has(t)).map(([t]) => t);
          const onlyTheirs = match.values.filter(([t]) => !mineTimes.has(t)).map(([t]) => t);
          return `${show(series.metric)}: ${series.values.length} points vs Prometheus ${match.values.length} (only Legible: ${onlyMine.slice(0, 3).join(', ')}; only Prometheus: ${onlyTheirs.slice(0, 3).join(', ')})`;
        }
        for (const [t, v] of series.values) {
          const w = theirTimes.get(t);
          if (w === undefined) return `${show(series.metric)}: point at ${t} only in Legible`;
          if (!sameValue(v, w)) return `${show(series.metric)} at ${t}: ${v} vs Prometheus ${w}`;
        }
      }
      return undefined;
    }
  }
}

function diffKeys(mine: Labels[], theirs: Labels[]): string {
  const a = new Set(mine.map(key));
  const b = new Set(theirs.map(key));
  const onlyMine = mine.filter((m) => !b.has(key(m))).map(show);
  const onlyTheirs = theirs.filter((m) => !a.has(key(m))).map(show);
  return `only Legible [${onlyMine.slice(0, 3).join(' ')}${onlyMine.length > 3 ? ' …' : ''}], only Prometheus [${onlyTheirs.slice(0, 3).join(' ')}${onlyTheirs.length > 3 ? ' …' : ''}]`;
}
