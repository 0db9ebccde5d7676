// The telemetry rows measured through the real server (dist/legible.mjs over MCP), Legible only:
// - OTLP ingest into the server's own receiver (spans/s, log records/s, from a sender process)
//   while `traces` calls keep answering, their latency during ingest next to idle;
// - the effects report of a click whose request reaches an instrumented app (the Server section:
//   traceparent, waiting for the spans, the trace's summary) against the same click on the same
//   app running without telemetry, alternating rounds;
// - the server's resident memory with its stores at their caps (spans, log entries, samples).
//
//   node bench/telemetryServer.mjs        (after npm run build) measures these rows alone.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/prometheusServer.mjs';
import { mb, statusKb } from './procmem.mjs';
import { formatNotes, formatTable, median, ROWS, summarize } from './report.mjs';
import { launch, SERVERS } from './servers.mjs';
import { sender } from './senderProcess.mjs';

const HERE = import.meta.dirname;
const OTEL_APP = join(HERE, '..', 'test', 'fixtures', 'otel-app');
const ROUNDS = 4;
const CLICKS_PER_ROUND = 5;
const PROBE_MS = 50;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value, digits = 1) => (value === undefined ? undefined : Number(value.toFixed(digits)));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : undefined;
};

/** `traces` calls every PROBE_MS while `during` runs: each call's latency from when it was due. */
async function probe(session, during) {
  const latencies = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const due = performance.now() + PROBE_MS;
      await sleep(PROBE_MS);
      await session.must('traces', { query: '{ status = error }' });
      latencies.push(performance.now() - due);
    }
  })();
  const result = await during();
  stop = true;
  await loop;
  return { result, latencies };
}

/** The receiver's counts from app_status ("received N spans, M log records, K metric points"). */
async function received(session) {
  const text = (await session.must('app', { action: 'status' })).text;
  const match = /received ([\d,]+) spans?, ([\d,]+) log records?, ([\d,]+) metric points?/.exec(text);
  const number = (i) => Number(match?.[i]?.replace(/,/g, '') ?? 0);
  return { spans: number(1), logs: number(2), metrics: number(3), text, endpoint: /OTLP\/HTTP at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1] };
}

function appCommand() {
  return [process.execPath, '--require', join(OTEL_APP, 'instrumentation.cjs'), join(OTEL_APP, 'app.cjs')];
}

/** The same fixture app, started by the bench with OpenTelemetry off: the click without telemetry. */
async function plainApp() {
  const port = await freePort();
  const [command, ...args] = appCommand();
  const child = spawn(command, args, { env: { ...process.env, PORT: String(port), OTEL_SDK_DISABLED: 'true' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  for (let i = 0; i < 200 && !out.includes('listening'); i++) await sleep(50);
  if (!out.includes('listening')) throw new Error('the plain app did not start');
  return { url: `http://localhost:${port}`, stop: () => child.kill('SIGKILL') };
}

export async function measureTelemetryServer(server, { outDir }) {
  await mkdir(outDir, { recursive: true });
  const root = await mkdtemp(join(tmpdir(), 'legible-bench-telemetry-'));
  await writeFile(join(root, 'legible.config.json'), JSON.stringify({ apps: { shop: { command: appCommand(), port: 'auto', ready: { log: '^listening' } } } }));
  const result = {};
  const { session, adapter } = await launch(server, outDir, ['--root', root]);
  session.counting = false;
  let plain;
  try {
    // 1. Ingest through the server's receiver, with traces calls during it and at idle.
    const { endpoint } = await received(session);
    const spans = await sender('traces', { payloads: 100, perPayload: 1_000, rounds: 1, inFlight: 4 });
    const during = await probe(session, () => spans.go(endpoint));
    const idle = await probe(session, () => sleep(2_000));
    const afterSpans = await received(session);
    const logs = await sender('logs', { payloads: 50, perPayload: 1_000, rounds: 4, inFlight: 4 });
    const logsDone = await logs.go(endpoint);
    const afterLogs = await received(session);
    result.ingest = {
      spans: afterSpans.spans,
      spansPerSecond: Math.round(afterSpans.spans / (during.result.ms / 1_000)),
      statuses: during.result.statuses,
      logRecords: afterLogs.logs,
      logRecordsPerSecond: Math.round(afterLogs.logs / (logsDone.ms / 1_000)),
      toolCallMs: { idleMedian: round(percentile(idle.latencies, 50)), idleP95: round(percentile(idle.latencies, 95)), ingestMedian: round(percentile(during.latencies, 50)), ingestP95: round(percentile(during.latencies, 95)), ingestMax: round(Math.max(...during.latencies)) },
      toolCalls: during.latencies.length,
    };

    // 2. The click's report with the Server section against the same click without telemetry.
    const started = await session.must('app', { action: 'start', name: 'shop' });
    const shopUrl = /^Started shop at (\S+):/m.exec(started.text)?.[1];
    plain = await plainApp();
    const clicks = async (url, times, reports) => {
      await adapter.open(url);
      const order = adapter.findRef((await adapter.snapshot()).text, 'button', 'Order');
      for (let i = 0; i < CLICKS_PER_ROUND; i++) {
        const click = await adapter.click(order);
        times.push(click.ms);
        reports.push(click.text);
      }
    };
    const withTelemetry = [];
    const without = [];
    const reports = [];
    // One click each first: the app's first export and Legible's first trace lookups are not the steady state.
    await clicks(shopUrl, [], []);
    await clicks(plain.url, [], []);
    for (let r = 0; r < ROUNDS; r++) {
      await clicks(plain.url, without, []);
      await clicks(shopUrl, withTelemetry, reports);
    }
    const traced = reports.filter((text) => /Server: trace [0-9a-f]{32}/.test(text)).length;
    result.report = { withMs: median(withTelemetry), withoutMs: median(without), addedMs: median(withTelemetry) - median(without), traced, clicks: reports.length, sample: reports.at(-1) };

    // 3. Resident memory with every store at its cap.
    await session.must('app', { action: 'stop', name: 'shop' });
    const fillSpans = await sender('traces', { payloads: 110, perPayload: 1_000, rounds: 1, inFlight: 4 });
    await fillSpans.go(endpoint);
    const fillLogs = await sender('logs', { payloads: 100, perPayload: 1_000, rounds: 11, inFlight: 4 });
    await fillLogs.go(endpoint);
    const fillMetrics = await sender('metrics', { payloads: 260, perPayload: 20_000, rounds: 1, inFlight: 1 });
    await fillMetrics.go(endpoint);
    const status = (await session.must('app', { action: 'status' })).text;
    result.memory = {
      rssMb: mb(statusKb(session.pid, 'VmRSS')),
      peakMb: mb(statusKb(session.pid, 'VmHWM')),
      held: /held: ([^\n;]+)/.exec(status)?.[1],
      dropped: /dropped by the caps: ([^\n;]+)/.exec(status)?.[1],
      atCaps: /dropped by the caps: [^\n]*span[^\n]*sample[^\n]*log entr/.test(status),
    };
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    plain?.stop();
    await session.close();
    await rm(root, { recursive: true, force: true });
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = await mkdtemp(join(tmpdir(), 'legible-bench-'));
  try {
    const legible = SERVERS.find((s) => s.id === 'legible');
    const server = await measureTelemetryServer(legible, { outDir });
    console.log(JSON.stringify(server, (key, value) => (key === 'sample' ? undefined : value), 2));
    if (server.report?.sample) console.log(`\nA click's report with the Server section:\n${server.report.sample}`);
    const telemetry = { server };
    const rows = summarize([legible], [], undefined, telemetry).filter((row) => ROWS.find((r) => r.key === row.key).telemetry && row.values.legible !== undefined);
    console.log(`\n${formatTable([legible], rows)}`);
    const notes = formatNotes([legible], [], undefined, telemetry);
    if (notes) console.log(`\nNotes:\n${notes}`);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
