// The load generator of the telemetry bench, run as its own process (bench/traces.mjs forks it) so
// that making and sending payloads does not share the receiver's event loop: it builds OTLP
// protobuf payloads with the OpenTelemetry SDK's own serializers, says "ready", then on "go"
// POSTs them to the receiver with a few requests in flight and reports how long that took.
// Metrics go as OTLP/JSON built by hand (many points per series in one request), to fill the
// metric store quickly; their ingest rate is not a row.
import { Agent, request } from 'node:http';
import { logsProtobuf, makeLogRecords, makeSpans, metricsJson, tracesProtobuf } from './otlpPayloads.mjs';

const { kind, payloads: count, perPayload, rounds, inFlight } = JSON.parse(process.argv[2]);
const payloads = [];
const contentType = kind === 'metrics' ? 'application/json' : 'application/x-protobuf';
for (let i = 0; i < count; i++) {
  if (kind === 'traces') payloads.push(Buffer.from(tracesProtobuf(makeSpans({ traces: perPayload / 10, spansPerTrace: 10, seed: i + 1, startMs: Date.now() - 600_000 + i * 1_000 }))));
  // Made when sent (a store's worth of JSON would not fit in memory at once).
  else if (kind === 'metrics') payloads.push(() => Buffer.from(metricsJson({ points: perPayload, batch: i, batches: count })));
  else payloads.push(Buffer.from(logsProtobuf(makeLogRecords({ count: perPayload, service: `svc-${i % 3}` }))));
  // Let the SDK's export promises settle, so the spans it made can be freed.
  if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 0));
}
const bytes = payloads.reduce((n, p) => n + (p.length ?? 0), 0);
process.send({ ready: true, bytes, requests: count * rounds, items: count * perPayload * rounds });

process.on('message', async ({ url }) => {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const target = new URL(`/v1/${kind}`, url);
  const post = (body) =>
    new Promise((resolve, reject) => {
      const req = request(target, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(body);
    });
  const queue = [];
  for (let r = 0; r < rounds; r++) queue.push(...payloads);
  const statuses = {};
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let body = queue.shift(); body; body = queue.shift()) {
        const status = await post(typeof body === 'function' ? body() : body);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const ms = performance.now() - started;
  agent.destroy();
  process.send({ done: true, ms, statuses });
});
