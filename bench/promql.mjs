// PromQL range queries over 1,000 series × 1 h at a 15 s step: Legible's embedded engine against
// a real Prometheus (Debian's 2.42) holding the same samples, in the same run. Prometheus gets
// them by promtool backfill; Legible's store by appending them. Each query runs once untimed on
// each side, then `reps` times alternating; the table shows medians and checks the answers agree.
//
//   node bench/promql.mjs [--reps N]        (after npm run build; needs prometheus and promtool)
//
// Legible is measured in-process: queryRange plus JSON.stringify of the answer (Prometheus' time
// includes encoding its JSON and one HTTP round trip on 127.0.0.1), and, when given the server,
// through MCP: the same samples sent to a Legible server's OTLP endpoint (as gauges, one resource
// per series: job and instance come from service.name and service.instance.id), then the
// `metrics` tool's range query, answer formatted (a bounded table: not compared value for value).
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

/** OTLP/JSON requests holding the data set's samples, `perRequest` series each (points in time order). */
function otlpRequests(samples, perRequest = 100) {
  const bySeries = new Map();
  for (const sample of samples) {
    const key = `${sample.labels.__name__}|${sample.labels.job}|${sample.labels.instance}`;
    let series = bySeries.get(key);
    if (!series) bySeries.set(key, (series = { labels: sample.labels, points: [] }));
    series.points.push({ timeUnixNano: `${sample.timeMs}000000`, asDouble: sample.value });
  }
  const all = [...bySeries.values()];
  const requests = [];
  for (let i = 0; i < all.length; i += perRequest) {
    const resourceMetrics = all.slice(i, i + perRequest).map(({ labels, points }) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: labels.job } }, { key: 'service.instance.id', value: { stringValue: labels.instance } }] },
      scopeMetrics: [{ metrics: [{ name: labels.__name__, gauge: { dataPoints: points } }] }],
    }));
    requests.push(JSON.stringify({ resourceMetrics }));
  }
  return requests;
}

/** A Legible server holding the data set (sent to its OTLP endpoint); its `metrics` calls timed. */
async function legibleOverMcp(server, samples, outDir) {
  const { launch } = await import('./servers.mjs');
  const { session } = await launch(server, outDir);
  session.counting = false;
  const status = (await session.must('app', { action: 'status' })).text;
  const endpoint = /OTLP\/HTTP at (http:\/\/127\.0\.0\.1:\d+)/.exec(status)?.[1];
  if (!endpoint) throw new Error(`no OTLP endpoint in app_status: ${status.slice(0, 300)}`);
  const began = performance.now();
  for (const body of otlpRequests(samples)) {
    const response = await fetch(`${endpoint}/v1/metrics`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    if (!response.ok) throw new Error(`OTLP metrics: HTTP ${response.status} ${await response.text()}`);
  }
  const loadMs = performance.now() - began;
  const { start, end, step } = RANGE;
  const call = (text) => session.must('metrics', { query: text, start: String(start / 1000), end: String(end / 1000), step: `${step / 1000}s` });
  const query = async (text) => (await call(text)).ms;
  /** The series count the answer's first line gives (the table itself is bounded). */
  const series = async (text) => Number(/^([\d,]+) series/.exec((await call(text)).text)?.[1]?.replace(/,/g, '') ?? NaN);
  return { session, loadMs, query, series };
}

export async function measurePromql({ reps = 5, log = () => {}, server, outDir } = {}) {
  const binaries = findPrometheus();
  if (!binaries) return { available: false, note: 'prometheus/promtool not installed (apt-get install -y prometheus)' };
  const dist = (path) => pathToFileURL(join(ROOT, 'dist', path)).href;
  const { MetricStore } = await import(dist('telemetry/metrics/store.js'));
  const { PromQLEngine } = await import(dist('telemetry/metrics/query.js'));
  const { samples, openMetrics } = dataset();
  log(`  PromQL: ${samples.length.toLocaleString('en-US')} samples; backfilling Prometheus …`);
  const prometheus = await RunningPrometheus.start(binaries, 'global: {}\nscrape_configs: []\n', (dataDir) => backfill(binaries, openMetrics, dataDir));
  let mcp;
  try {
    if (server) {
      log('  PromQL: sending the samples to a Legible server over OTLP …');
      mcp = await legibleOverMcp(server, samples, outDir ?? join(ROOT, 'bench', 'results', 'tmp-promql'));
    }
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
      const mcpSeries = mcp ? await mcp.series(query) : undefined;
      const mineMs = [];
      const theirMs = [];
      const mcpMs = [];
      for (let rep = 0; rep < reps; rep++) {
        if (rep % 2 === 0) {
          mineMs.push(legible(query).ms);
          if (mcp) mcpMs.push(await mcp.query(query));
          theirMs.push((await theirs(query)).ms);
        } else {
          theirMs.push((await theirs(query)).ms);
          if (mcp) mcpMs.push(await mcp.query(query));
          mineMs.push(legible(query).ms);
        }
      }
      const row = { query, legibleMs: median(mineMs), prometheusMs: median(theirMs), same, series: warmMine.answer.result.length, legibleRuns: mineMs, prometheusRuns: theirMs };
      if (mcp) Object.assign(row, { mcpMs: median(mcpMs), mcpSeries });
      row.ratio = row.legibleMs / row.prometheusMs;
      log(`    ${query}: Legible ${row.legibleMs.toFixed(1)} ms${mcp ? ` (through MCP ${row.mcpMs.toFixed(1)} ms)` : ''}, Prometheus ${row.prometheusMs.toFixed(1)} ms${same ? '' : ' — ANSWERS DIFFER'}${mcp && row.mcpSeries !== row.series ? ` — MCP answered ${row.mcpSeries} series` : ''}`);
      queries.push(row);
    }
    return { available: true, reps, samples: samples.length, series: store.stats().series, storeLoadMs: loadMs, storeBytes: store.stats().bytes, range: RANGE, queries, ...(mcp ? { mcpLoadMs: mcp.loadMs } : {}) };
  } finally {
    await mcp?.session.close();
    await prometheus.stop();
  }
}

export function formatPromqlTable(result) {
  if (!result?.available) return `PromQL vs Prometheus: not run (${result?.note ?? 'no result'})`;
  const mcp = result.queries.some((row) => row.mcpMs !== undefined);
  const rows = result.queries.map((row) => [
    row.query,
    row.series.toLocaleString('en-US'),
    row.legibleMs.toFixed(1),
    ...(mcp ? [row.mcpMs?.toFixed(1) ?? '—'] : []),
    row.prometheusMs.toFixed(1),
    `${row.ratio.toFixed(2)}×`,
    row.same && (row.mcpSeries === undefined || row.mcpSeries === row.series) ? 'yes' : 'NO',
    row.ratio <= 1 && row.same ? 'pass' : 'FAIL',
  ]);
  const head = ['PromQL range query, 1 h at 15 s (241 steps)', 'Series out', 'Legible (ms)', ...(mcp ? ['Legible via MCP (ms)'] : []), 'Prometheus 2.42 (ms)', 'Legible / Prometheus', 'Same answer', 'Target ≤ 1×'];
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
  const { values } = parseArgs({ options: { reps: { type: 'string' }, 'no-mcp': { type: 'boolean' } } });
  const { SERVERS } = await import('./servers.mjs');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const outDir = await mkdtemp(join(tmpdir(), 'legible-bench-promql-'));
  try {
    const server = values['no-mcp'] ? undefined : SERVERS.find((s) => s.id === 'legible');
    const result = await measurePromql({ reps: Number(values.reps ?? 5), log: (line) => process.stderr.write(`${line}\n`), server, outDir });
    console.log(formatPromqlTable(result));
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
