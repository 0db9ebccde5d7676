// The telemetry rows of the benchmark: OTLP ingest over protobuf (spans/s and log records/s,
// from a separate sender process) with the latency of tool-like calls during ingest next to idle,
// TraceQL search over 100,000 stored spans, and the span store's memory at its cap. It uses the
// built modules (dist/) directly, so the parts are measured alone; bench/telemetryServer.mjs
// measures the same ingest through the real server, over MCP.
//
//   node --expose-gc bench/traces.mjs [--json]      (after npm run build; --json: one JSON line)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { OtlpReceiver } from '../dist/telemetry/otlp/receiver.js';
import { logInputs } from '../dist/telemetry/otlp/logInputs.js';
import { SpanStore } from '../dist/telemetry/traces/spanStore.js';
import { formatTraceSearch } from '../dist/format/traceSearchFormat.js';
import { sender } from './senderProcess.mjs';

const json = process.argv.includes('--json');
if (!globalThis.gc) throw new Error('Run with node --expose-gc (the memory row needs it).');
const log = (line) => process.stderr.write(`${line}\n`);
const gc = () => globalThis.gc?.();
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : undefined;
};
const round = (value, digits = 1) => (value === undefined ? undefined : Number(value.toFixed(digits)));

/** A tool-like call: a TraceQL search over the store and its formatted answer. */
const QUERY = '{ status = error }';
function toolCall(store) {
  return formatTraceSearch(store.search(QUERY, { limit: 20 }), { query: QUERY });
}

/**
 * Runs tool-like calls every 50 ms while `during` runs; each call's latency is from when it was
 * due to when its answer was ready (waiting for the event loop, plus the search itself).
 */
async function probeLatency(store, during) {
  const latencies = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const due = performance.now() + 50;
      await new Promise((resolve) => setTimeout(resolve, 50));
      toolCall(store);
      latencies.push(performance.now() - due);
    }
  })();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const result = await during();
  delay.disable();
  stop = true;
  await loop;
  return { result, latencies, loopDelayP99Ms: delay.percentile(99) / 1e6, loopDelayMaxMs: delay.max / 1e6 };
}

const results = {};

// 1. Span ingest, with tool-like calls during it and at idle.
gc();
const heapBefore = process.memoryUsage().heapUsed;
{
  const store = new SpanStore({ maxSpans: 100_000 });
  const receiver = new OtlpReceiver({ traces: (request) => store.ingest(request) });
  const url = await receiver.start();
  log('traces: making payloads in the sender process …');
  const send = await sender('traces', { payloads: 100, perPayload: 1_000, rounds: 3, inFlight: 4 });
  log(`traces: sending ${send.ready.items} spans in ${send.ready.requests} requests (${(send.ready.bytes / 2 ** 20).toFixed(1)} MB per round) …`);
  const cpuBefore = process.cpuUsage();
  const during = await probeLatency(store, () => send.go(url));
  const cpu = process.cpuUsage(cpuBefore);
  const idle = await probeLatency(store, () => new Promise((resolve) => setTimeout(resolve, 2_000)));
  const accepted = receiver.stats.accepted.traces;
  results.ingest = {
    spans: accepted,
    seconds: round(during.result.ms / 1_000, 2),
    spansPerSecond: Math.round(accepted / (during.result.ms / 1_000)),
    // The receiver process's own CPU time: less sensitive to other load on the machine.
    spansPerCpuSecond: Math.round(accepted / ((cpu.user + cpu.system) / 1e6)),
    statuses: during.result.statuses,
    toolCallMs: { idleMedian: round(percentile(idle.latencies, 50)), idleP95: round(percentile(idle.latencies, 95)), ingestMedian: round(percentile(during.latencies, 50)), ingestP95: round(percentile(during.latencies, 95)), ingestMax: round(Math.max(...during.latencies)) },
    eventLoopDelayMs: { ingestP99: round(during.loopDelayP99Ms), ingestMax: round(during.loopDelayMaxMs), idleP99: round(idle.loopDelayP99Ms) },
    storeSpans: store.size,
    evicted: store.evicted,
  };
  await receiver.close();

  // 2. TraceQL search over the 100,000 spans the ingest left in the store.
  const queries = [
    '{ duration > 1s }',
    '{ status = error }',
    '{ span.http.route = "/api/cart" && duration > 100ms }',
    '{ resource.service.name = "svc-1" } >> { status = error }',
    '{ kind = server } > { kind = client }',
    '{ name =~ "GET .*" && span.http.response.status_code >= 500 }',
  ];
  results.search = { spans: store.size, traces: store.traces.size, queries: {} };
  for (const query of queries) {
    const times = [];
    for (let i = 0; i < 9; i++) {
      const started = performance.now();
      store.search(query, { limit: 20 });
      times.push(performance.now() - started);
    }
    results.search.queries[query] = round(percentile(times, 50), 2);
  }
  results.search.worstMedianMs = Math.max(...Object.values(results.search.queries));

  // 3. Memory at the span cap: the heap the store holds (against the heap before it existed),
  // the store's own estimate (what its byte cap counts), and the process's resident memory.
  gc();
  const heap = process.memoryUsage();
  results.memory = {
    storeSpans: store.size,
    bytesPerSpan: Math.round((heap.heapUsed - heapBefore) / store.size),
    estimatedBytesPerSpan: Math.round(store.byteSize / store.size),
    heapMb: round(heap.heapUsed / 2 ** 20),
    rssMb: round(heap.rss / 2 ** 20),
  };
}

// 4. Log record ingest (decode + conversion to the log store's records).
{
  let lines = 0;
  const receiver = new OtlpReceiver({ logs: (request) => void (lines += logInputs(request).length) });
  const url = await receiver.start();
  const send = await sender('logs', { payloads: 50, perPayload: 1_000, rounds: 4, inFlight: 4 });
  log(`logs: sending ${send.ready.items} log records …`);
  const done = await send.go(url);
  results.logs = { records: lines, seconds: round(done.ms / 1_000, 2), recordsPerSecond: Math.round(lines / (done.ms / 1_000)), statuses: done.statuses };
  await receiver.close();
}

if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
else console.log(JSON.stringify(results, null, 2));
