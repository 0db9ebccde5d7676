/**
 * A deterministic metrics data set (seeded PRNG) for comparing Legible's PromQL engine with a real
 * Prometheus: three hours of counters (with a reset), gauges, classic histograms, NaN/±Inf, a
 * series with a gap longer than the lookback, a late starter, irregular and 60 s intervals, and
 * two metrics that differ only in name. Timestamps are multiples of 125 ms, so the seconds written
 * to OpenMetrics convert back to exactly the same milliseconds.
 */
import type { SeriesSample } from '../../src/telemetry/model.js';

/** 2023-11-14T22:13:20Z: not on a 2-hour block boundary, so the data spans several TSDB blocks. */
export const T0 = 1_700_000_000_000;
export const DURATION_MS = 3 * 3_600_000;
export const TEND = T0 + DURATION_MS;

const MIN = 60_000;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Dataset {
  samples: SeriesSample[];
  /** The same samples as OpenMetrics text, for `promtool tsdb create-blocks-from openmetrics`. */
  openMetrics: string;
}

export function buildDataset(seed = 42): Dataset {
  const random = prng(seed);
  const series = new Map<string, { labels: Record<string, string>; points: [number, number][] }>();
  const add = (labels: Record<string, string>, time: number, value: number) => {
    const key = JSON.stringify(Object.entries(labels).sort());
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { labels, points: [] }));
    entry.points.push([time, value]);
  };
  /** Scrape times every `interval` ms from `from` to `to`, each late by 0–500 ms in 125 ms steps. */
  const times = (interval: number, from = T0, to = TEND) => {
    const out: number[] = [];
    for (let t = from; t <= to; t += interval) out.push(t + Math.floor(random() * 5) * 125);
    return out;
  };

  // Counters: http_requests_total, with a restart of api/i2 at T0+100m.
  for (const job of ['api', 'web']) {
    for (const instance of ['i1', 'i2', 'i3']) {
      for (const method of ['GET', 'POST']) {
        for (const status of ['200', '500']) {
          let value = Math.floor(random() * 1000);
          for (const t of times(15_000)) {
            if (job === 'api' && instance === 'i2' && t >= T0 + 100 * MIN && t < T0 + 100 * MIN + 15_000) value = Math.floor(random() * 5);
            else value += Math.floor(random() * (status === '200' ? 20 : 3));
            add({ __name__: 'http_requests_total', job, instance, method, status }, t, value);
          }
        }
      }
    }
  }

  // A classic histogram per job.
  const bounds = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
  for (const job of ['api', 'web']) {
    const counts = bounds.map(() => 0);
    let sum = 0;
    for (const t of times(15_000)) {
      const observations = Math.floor(random() * 30);
      for (let i = 0; i < observations; i++) {
        const latency = random() ** 2 * (job === 'api' ? 1.5 : 3);
        sum += latency;
        bounds.forEach((bound, index) => {
          if (latency <= Number(bound === '+Inf' ? Infinity : bound)) counts[index]!++;
        });
      }
      bounds.forEach((le, index) => add({ __name__: 'http_request_duration_seconds_bucket', job, le }, t, counts[index]!));
      add({ __name__: 'http_request_duration_seconds_sum', job }, t, Math.round(sum * 1e6) / 1e6);
      add({ __name__: 'http_request_duration_seconds_count', job }, t, counts[counts.length - 1]!);
    }
  }

  // Gauges: a random walk (negative in the cellar), large values, small integers.
  for (const room of ['kitchen', 'cellar', 'attic']) {
    let value = room === 'cellar' ? 1 : 20;
    for (const t of times(15_000)) {
      value = Math.round((value + (random() - 0.5) * 2) * 100) / 100;
      add({ __name__: 'temperature_celsius', room }, t, value);
    }
  }
  for (const instance of ['i1', 'i2', 'i3']) {
    for (const t of times(15_000)) add({ __name__: 'memory_usage_bytes', instance }, t, 1e9 + Math.floor(random() * 5e8));
  }
  for (const n of ['a', 'b', 'c', 'd']) {
    for (const t of times(15_000)) add({ __name__: 'integers', n }, t, Math.floor(random() * 4));
  }

  // Gaps: queue "a" stops for 15 minutes (longer than the lookback); queue "b" starts late.
  for (const t of times(15_000)) {
    if (t < T0 + 60 * MIN || t >= T0 + 75 * MIN) add({ __name__: 'queue_depth', queue: 'a' }, t, Math.floor(random() * 50));
    if (t >= T0 + 90 * MIN) add({ __name__: 'queue_depth', queue: 'b' }, t, Math.floor(random() * 50));
  }

  // A 60 s interval and an irregular one (5–40 s): different extrapolation.
  let slow = 0;
  for (const t of times(60_000)) add({ __name__: 'slow_counter_total', instance: 'i1' }, t, (slow += Math.floor(random() * 100)));
  let irregular = 0;
  for (let t = T0; t <= TEND; t += 5_000 + Math.floor(random() * 280) * 125) add({ __name__: 'batch_items_total', job: 'batch' }, t, (irregular += Math.floor(random() * 10)));

  // NaN and infinities.
  for (const t of times(15_000)) {
    add({ __name__: 'special_values', kind: 'nan' }, t, NaN);
    add({ __name__: 'special_values', kind: 'inf' }, t, Infinity);
    add({ __name__: 'special_values', kind: 'ninf' }, t, -Infinity);
    const r = random();
    add({ __name__: 'special_values', kind: 'mixed' }, t, r < 0.1 ? NaN : r < 0.2 ? Infinity : r < 0.3 ? -Infinity : Math.round(r * 1000) / 10);
  }

  // up, mostly 1.
  for (const job of ['api', 'web']) {
    for (const instance of ['i1', 'i2', 'i3']) {
      for (const t of times(15_000)) add({ __name__: 'up', job, instance }, t, job === 'web' && instance === 'i3' && t > T0 + 120 * MIN && t < T0 + 130 * MIN ? 0 : 1);
    }
  }

  // Two metrics whose labels differ only in the name.
  for (const name of ['node_cpu_seconds_total', 'node_cpu_guest_seconds_total']) {
    for (const cpu of ['0', '1']) {
      for (const mode of ['idle', 'user']) {
        let value = 0;
        for (const t of times(15_000)) add({ __name__: name, cpu, mode }, t, (value = Math.round((value + random() * 15) * 1000) / 1000));
      }
    }
  }

  // Label values that regular expressions have to deal with.
  for (const path of ['/', '/api/v1/users', '/api/v1/orders', '/static/app.js']) {
    let value = 0;
    for (const t of times(15_000)) add({ __name__: 'path_hits_total', path }, t, (value += Math.floor(random() * 7)));
  }
  for (const t of times(15_000)) add({ __name__: 'build_info', version: '1.2.3', revision: 'abc123', goversion: 'go1.19' }, t, 1);

  const samples: SeriesSample[] = [];
  const lines: string[] = [];
  const byName = [...series.values()].sort((a, b) => (a.labels.__name__! < b.labels.__name__! ? -1 : a.labels.__name__! > b.labels.__name__! ? 1 : 0));
  for (const { labels, points } of byName) {
    const { __name__: name, ...rest } = labels;
    const labelText = Object.entries(rest)
      .map(([key, value]) => `${key}="${value}"`)
      .join(',');
    for (const [time, value] of points) {
      samples.push({ labels, timeMs: time, value });
      lines.push(`${name}{${labelText}} ${openMetricsValue(value)} ${time / 1000}`);
    }
  }
  lines.push('# EOF');
  return { samples, openMetrics: `${lines.join('\n')}\n` };
}

function openMetricsValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
