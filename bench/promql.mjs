// PromQL range queries over 1,000 series × 1 h at a 15 s step: Legible's embedded engine against
// a real Prometheus (Debian's 2.42) holding the same samples, in the same run. Prometheus gets
// them by promtool backfill; Legible's store by appending them. Each query runs once untimed on
// each side, then `reps` times alternating; the table shows medians and checks the answers agree.
//
//   node bench/promql.mjs [--reps N]        (after npm run build; needs prometheus and promtool)
//
// Legible is measured in-process: queryRange plus JSON.stringify of the answer (Prometheus' time
// includes encoding its JSON and one HTTP round trip on 127.0.0.1). The `metrics` tool is not
// wired into the server yet; once it is, this row should go through MCP like the others.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { backfill, findPrometheus, RunningPrometheus } from '../test/helpers/prometheusServer.mjs';
import { median } from './report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const T0 = 1_700_000_000_000;
const SERIES_JOBS = 10;
const SERIES_INSTANCES = 100;
const SCRAPE_MS = 15_000;
const DATA_MS = 75 * 60_000;
export const RANGE = { start: T0 + 10 * 60_000, end: T0 + 70 * 60_000, step: 15_000 };

export const QUERIES = [
  'bench_http_requests_total',
  'rate(bench_http_requests_total[5m])',
  'sum by (job) (rate(bench_http_requests_total[5m]))',
  'bench_http_requests_total / on(job, instance) group_left bench_up',
];

/** 1,000 counters and 1,000 gauges, scraped every 15 s with up to 500 ms of jitter (multiples of 125 ms). */
function dataset() {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const samples = [];
  const lines = [];
  for (const name of ['bench_http_requests_total', 'bench_up']) {
    for (let j = 0; j < SERIES_JOBS; j++) {
      for (let i = 0; i < SERIES_INSTANCES; i++) {
        const labels = { __name__: name, job: `svc-${j}`, instance: `host-${i}` };
        let value = Math.floor(random() * 1000);
        for (let t = T0; t <= T0 + DATA_MS; t += SCRAPE_MS) {
          const time = t + Math.floor(random() * 5) * 125;
          value = name === 'bench_up' ? 1 : value + Math.floor(random() * 50);
          samples.push({ labels, timeMs: time, value });
          lines.push(`${name}{job="${labels.job}",instance="${labels.instance}"} ${value} ${time / 1000}`);
        }
      }
    }
  }
  lines.push('# EOF');
  return { samples, openMetrics: `${lines.join('\n')}\n` };
}

/** Same series, same timestamps, values equal up to float noise. */
function sameAnswer(mine, theirs) {
  if (theirs.status !== 'success') return false;
  const key = (metric) => JSON.stringify(Object.entries(metric).sort());
  const other = new Map(theirs.data.result.map((series) => [key(series.metric), series.values]));
  if (other.size !== mine.result.length) return false;
  for (const series of mine.result) {
    const values = other.get(key(series.metric));
    if (!values || values.length !== series.values.length) return false;
    for (let i = 0; i < values.length; i++) {
      const [t, a] = series.values[i];
      const [u, b] = values[i];
      if (t !== u) return false;
      const x = Number(a);
      const y = Number(b);
      if (a !== b && !(Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)))) return false;
    }
  }
  return true;
}

export async function measurePromql({ reps = 5, log = () => {} } = {}) {
  const binaries = findPrometheus();
  if (!binaries) return { available: false, note: 'prometheus/promtool not installed (apt-get install -y prometheus)' };
  const dist = (path) => pathToFileURL(join(ROOT, 'dist', path)).href;
  const { MetricStore } = await import(dist('telemetry/metrics/store.js'));
  const { PromQLEngine } = await import(dist('telemetry/metrics/query.js'));
  const { samples, openMetrics } = dataset();
  log(`  PromQL: ${samples.length.toLocaleString('en-US')} samples; backfilling Prometheus …`);
  const prometheus = await RunningPrometheus.start(binaries, 'global: {}\nscrape_configs: []\n', (dataDir) => backfill(binaries, openMetrics, dataDir));
  try {
    const loadBegan = performance.now();
    const store = new MetricStore();
    store.appendMany(samples);
    const loadMs = performance.now() - loadBegan;
    const engine = new PromQLEngine(store);
    const { start, end, step } = RANGE;
    const legible = (query) => {
      const began = performance.now();
      const answer = engine.queryRange(query, start, end, step);
      const text = JSON.stringify({ status: 'success', data: answer });
      return { ms: performance.now() - began, answer, chars: text.length };
    };
    const theirs = (query) => prometheus.apiText('/api/v1/query_range', { query, start: start / 1000, end: end / 1000, step: step / 1000 });
    const queries = [];
    for (const query of QUERIES) {
      const warmMine = legible(query);
      const warmTheirs = await theirs(query);
      const same = sameAnswer(warmMine.answer, JSON.parse(warmTheirs.text));
      const mineMs = [];
      const theirMs = [];
      for (let rep = 0; rep < reps; rep++) {
        if (rep % 2 === 0) {
          mineMs.push(legible(query).ms);
          theirMs.push((await theirs(query)).ms);
        } else {
          theirMs.push((await theirs(query)).ms);
          mineMs.push(legible(query).ms);
        }
      }
      const row = { query, legibleMs: median(mineMs), prometheusMs: median(theirMs), same, series: warmMine.answer.result.length, legibleRuns: mineMs, prometheusRuns: theirMs };
      row.ratio = row.legibleMs / row.prometheusMs;
      log(`    ${query}: Legible ${row.legibleMs.toFixed(1)} ms, Prometheus ${row.prometheusMs.toFixed(1)} ms${same ? '' : ' — ANSWERS DIFFER'}`);
      queries.push(row);
    }
    return { available: true, reps, samples: samples.length, series: store.stats().series, storeLoadMs: loadMs, storeBytes: store.stats().bytes, range: RANGE, queries };
  } finally {
    await prometheus.stop();
  }
}

export function formatPromqlTable(result) {
  if (!result?.available) return `PromQL vs Prometheus: not run (${result?.note ?? 'no result'})`;
  const rows = result.queries.map((row) => [row.query, row.series.toLocaleString('en-US'), row.legibleMs.toFixed(1), row.prometheusMs.toFixed(1), `${row.ratio.toFixed(2)}×`, row.same ? 'yes' : 'NO', row.ratio <= 1 && row.same ? 'pass' : 'FAIL']);
  const head = ['PromQL range query, 1 h at 15 s (241 steps)', 'Series out', 'Legible (ms)', 'Prometheus 2.42 (ms)', 'Legible / Prometheus', 'Same answer', 'Target ≤ 1×'];
  const widths = head.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  return [
    `PromQL over ${result.series.toLocaleString('en-US')} series, ${result.samples.toLocaleString('en-US')} samples (store ${(result.storeBytes / 2 ** 20).toFixed(1)} MB, loaded in ${result.storeLoadMs.toFixed(0)} ms); medians of ${result.reps} reps`,
    line(head),
    `| ${widths.map((width, i) => (i === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { reps: { type: 'string' } } });
  const result = await measurePromql({ reps: Number(values.reps ?? 5), log: (line) => process.stderr.write(`${line}\n`) });
  console.log(formatPromqlTable(result));
}
