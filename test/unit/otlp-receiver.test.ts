/**
 * The OTLP/HTTP receiver on a real socket: protobuf and JSON bodies made by the OpenTelemetry JS
 * SDK's own serializers decode to the same model; gzip; partial success; and every bad request
 * (malformed, truncated, huge, gzip bomb, wrong type or encoding, wrong path or method) gets a
 * clear HTTP error while the receiver keeps serving.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs helper shared with the bench
import { logsJson, logsProtobuf, makeLogRecords, makeSpans, tracesJson, tracesProtobuf } from '../../bench/otlpPayloads.mjs';
import type { ExportLogsRequest, ExportTraceRequest, SinkResult } from '../../src/telemetry/otlp/model.js';
import { decodeTracesProtobuf } from '../../src/telemetry/otlp/protobufDecode.js';
import { OtlpReceiver } from '../../src/telemetry/otlp/receiver.js';
import { Slicer } from '../../src/telemetry/otlp/slices.js';

const traces: ExportTraceRequest[] = [];
const logs: ExportLogsRequest[] = [];
let traceAnswer: ((spans: number) => SinkResult) | undefined;
const receiver = new OtlpReceiver(
  {
    traces: (request) => {
      traces.push(request);
      return traceAnswer?.(request.resourceSpans.reduce((n, rs) => n + rs.scopeSpans.reduce((m, ss) => m + ss.spans.length, 0), 0));
    },
    logs: (request) => void logs.push(request),
  },
  { maxBodyBytes: 4 * 2 ** 20, maxJsonBytes: 2 * 2 ** 20 },
);
let base = '';

beforeAll(async () => {
  base = await receiver.start();
});
afterAll(() => receiver.close());

const spans = makeSpans({ traces: 20, spansPerTrace: 6 });
const protobufBody: Uint8Array = tracesProtobuf(spans);
const jsonBody: Uint8Array = tracesJson(spans);

function post(path: string, body: Uint8Array | string, headers: Record<string, string>) {
  return fetch(`${base}${path}`, { method: 'POST', body, headers });
}

async function collect<T>(list: T[], send: () => Promise<Response>): Promise<{ response: Response; got: T[] }> {
  list.length = 0;
  const response = await send();
  return { response, got: [...list] };
}

/** Every span of a list of requests, with its resource and scope, in order. */
function flatten(requests: ExportTraceRequest[]) {
  return requests.flatMap((r) => r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ resource: rs.resource, scope: ss.scope, span })))));
}

async function expectServing() {
  const response = await post('/v1/traces', protobufBody, { 'content-type': 'application/x-protobuf' });
  expect(response.status).toBe(200);
}

describe('OTLP receiver: good payloads', () => {
  it('decodes protobuf and JSON bodies of the same spans into the same model', async () => {
    const fromProtobuf = await collect(traces, () => post('/v1/traces', protobufBody, { 'content-type': 'application/x-protobuf' }));
    expect(fromProtobuf.response.status).toBe(200);
    expect(fromProtobuf.response.headers.get('content-type')).toBe('application/x-protobuf');
    expect(new Uint8Array(await fromProtobuf.response.arrayBuffer())).toHaveLength(0); // an empty ExportTraceServiceResponse
    const fromJson = await collect(traces, () => post('/v1/traces', jsonBody, { 'content-type': 'application/json' }));
    expect(fromJson.response.status).toBe(200);
    expect(await fromJson.response.json()).toEqual({});
    const a = flatten(fromProtobuf.got);
    expect(a).toHaveLength(120);
    expect(flatten(fromJson.got)).toEqual(a);
    const first = a[0]!.span;
    expect(first.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(first.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(first.attributes?.find((kv) => kv.key === 'request.index')?.value).toEqual({ intValue: expect.stringMatching(/^\d+$/) });
  });

  it('keeps exact nanosecond times and 64-bit integers', async () => {
    const payload = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'AAAAAAAAAAAAAAAAAAAAAQ==', // base64, as a generic protobuf JSON mapper writes it
                  spanId: '00000000000000AB',
                  name: 'x',
                  kind: 'SPAN_KIND_SERVER',
                  startTimeUnixNano: '1764496800123456789',
                  endTimeUnixNano: 1764496800123457000,
                  attributes: [{ key: 'big', value: { intValue: '9007199254740993' } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const { response, got } = await collect(traces, () => post('/v1/traces', JSON.stringify(payload), { 'content-type': 'application/json; charset=utf-8' }));
    expect(response.status).toBe(200);
    const span = flatten(got)[0]!.span;
    expect(span).toMatchObject({ traceId: '00000000000000000000000000000001', spanId: '00000000000000ab', kind: 2, startTimeUnixNano: '1764496800123456789' });
    expect(span.attributes).toEqual([{ key: 'big', value: { intValue: '9007199254740993' } }]);
  });

  it('accepts gzip and deflate bodies', async () => {
    const gz = await collect(traces, () => post('/v1/traces', gzipSync(protobufBody), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }));
    expect(gz.response.status).toBe(200);
    expect(flatten(gz.got)).toHaveLength(120);
  });

  it('answers partialSuccess when the sink drops spans, and for signals without a sink', async () => {
    // The sink sees the request in slices; each answer counts.
    traceAnswer = (spans) => ({ rejected: spans, message: 'store full' });
    try {
      const response = await post('/v1/traces', jsonBody, { 'content-type': 'application/json' });
      expect(await response.json()).toEqual({ partialSuccess: { rejectedSpans: '120', errorMessage: 'store full' } });
    } finally {
      traceAnswer = undefined;
    }
    const metrics = await post('/v1/metrics', JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [{ asDouble: 1 }] } }] }] }] }), { 'content-type': 'application/json' });
    expect(metrics.status).toBe(200);
    expect(await metrics.json()).toEqual({ partialSuccess: { rejectedDataPoints: '1', errorMessage: 'Legible keeps no metrics yet; they were dropped.' } });
  });

  it('decodes log records from protobuf and JSON alike', async () => {
    const records = makeLogRecords({ count: 5 });
    const a = await collect(logs, () => post('/v1/logs', logsProtobuf(records), { 'content-type': 'application/x-protobuf' }));
    const b = await collect(logs, () => post('/v1/logs', logsJson(records), { 'content-type': 'application/json' }));
    expect(a.response.status).toBe(200);
    expect(b.got).toEqual(a.got);
    const record = a.got[0]!.resourceLogs[0]!.scopeLogs[0]!.logRecords[4]!;
    expect(record).toMatchObject({ severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'line 4' } });
  });
});

describe('OTLP receiver: bad requests get a clear error and the receiver keeps serving', () => {
  it('400 for protobuf that does not decode, with the reason', async () => {
    const response = await post('/v1/traces', Buffer.from('this is not protobuf at all, not even close'), { 'content-type': 'application/x-protobuf' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    // The body is a google.rpc.Status; its message is readable as text inside it.
    expect(Buffer.from(await response.arrayBuffer()).toString('latin1')).toMatch(/does not decode as OTLP protobuf: not a valid OTLP protobuf message at byte \d+/);
    await expectServing();
  });

  it('400 for a truncated protobuf body', async () => {
    const response = await post('/v1/traces', protobufBody.subarray(0, Math.floor(protobufBody.length / 2)), { 'content-type': 'application/x-protobuf' });
    expect(response.status).toBe(400);
    expect(Buffer.from(await response.arrayBuffer()).toString('latin1')).toContain('runs past the end');
    await expectServing();
  });

  it('400 for JSON that is not JSON, or not OTLP, naming where', async () => {
    const broken = await post('/v1/traces', '{"resourceSpans": [', { 'content-type': 'application/json' });
    expect(broken.status).toBe(400);
    expect((await broken.json()).message).toMatch(/^The traces payload does not decode as OTLP json: not JSON/);
    const wrong = await post('/v1/traces', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'xyz', spanId: '0000000000000001', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }), {
      'content-type': 'application/json',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ code: 3, message: 'The traces payload does not decode as OTLP json: resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex digits, got "xyz"' });
    await expectServing();
  });

  it('400 for attribute values nested too deeply, in JSON and in protobuf', async () => {
    let value = '{"stringValue":"x"}';
    for (let i = 0; i < 20_000; i++) value = `{"kvlistValue":{"values":[{"key":"a","value":${value}}]}}`;
    const span = `{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"deep","value":${value}}]}`;
    const json = await post('/v1/traces', `{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}`, { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    expect((await json.json()).message).toBe('The traces payload does not decode as OTLP json: resourceSpans[0].scopeSpans[0].spans[0]: values are nested too deeply');
    // The same in protobuf: AnyValue{kvlist{KeyValue{a, AnyValue{…}}}} 2,000 deep.
    const varint = (n: number) => {
      const out: number[] = [];
      for (; n > 127; n >>>= 7) out.push((n & 127) | 128);
      out.push(n);
      return Buffer.from(out);
    };
    const field = (tag: number, bytes: Buffer) => Buffer.concat([Buffer.from([tag]), varint(bytes.length), bytes]);
    let any = field(0x0a, Buffer.from('x'));
    for (let i = 0; i < 2_000; i++) any = field(0x32, field(0x0a, Buffer.concat([field(0x0a, Buffer.from('a')), field(0x12, any)])));
    const spanBytes = Buffer.concat([field(0x0a, Buffer.alloc(16, 1)), field(0x12, Buffer.alloc(8, 2)), field(0x4a, Buffer.concat([field(0x0a, Buffer.from('d')), field(0x12, any)]))]);
    const protobuf = await post('/v1/traces', field(0x0a, field(0x12, field(0x12, spanBytes))), { 'content-type': 'application/x-protobuf' });
    expect(protobuf.status).toBe(400);
    expect(Buffer.from(await protobuf.arrayBuffer()).toString('latin1')).toContain('max depth exceeded');
    await expectServing();
  });

  it('413 for a body over the size limit, and for a gzip bomb', async () => {
    const huge = new Uint8Array(5 * 2 ** 20);
    const response = await post('/v1/traces', huge, { 'content-type': 'application/x-protobuf' });
    expect(response.status).toBe(413);
    expect(Buffer.from(await response.arrayBuffer()).toString('latin1')).toContain('larger than 4194304 bytes');
    const bomb = gzipSync(Buffer.alloc(64 * 2 ** 20)); // 64 MiB of zeros in ~64 kB
    expect(bomb.length).toBeLessThan(200_000);
    const exploded = await post('/v1/traces', bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(exploded.status).toBe(413);
    const json = await post('/v1/traces', Buffer.alloc(3 * 2 ** 20, 0x20), { 'content-type': 'application/json' });
    expect(json.status).toBe(413);
    await expectServing();
  });

  it('400 for a corrupt gzip stream', async () => {
    const gz = gzipSync(protobufBody);
    const response = await post('/v1/traces', gz.subarray(0, gz.length - 40), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(response.status).toBe(400);
    await expectServing();
  });

  it('415 for another content type or encoding, 404 for another path, 405 for another method', async () => {
    const text = await post('/v1/traces', 'hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(await text.text()).toBe('Content-Type "text/plain" is not OTLP: send application/x-protobuf or application/json.\n');
    const brotli = await post('/v1/traces', 'x', { 'content-type': 'application/json', 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    const path = await post('/v1/profiles', 'x', { 'content-type': 'application/json' });
    expect(path.status).toBe(404);
    expect((await path.json()).message).toContain('POST to /v1/traces, /v1/metrics or /v1/logs');
    const get = await fetch(`${base}/v1/traces`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    await expectServing();
    expect(receiver.stats.errors[415]).toBeGreaterThanOrEqual(2);
  });
});

describe('decoding in slices', () => {
  it('gives the event loop a turn while decoding a large payload', async () => {
    const big = tracesProtobuf(makeSpans({ traces: 400, spansPerTrace: 10 }));
    let ranDuring = false;
    let done = false;
    setImmediate(() => (ranDuring = !done));
    const slicer = new Slicer(0.01);
    let chunks = 0;
    await decodeTracesProtobuf(big, slicer, () => chunks++);
    done = true;
    expect(ranDuring).toBe(true);
    expect(slicer.pauses).toBeGreaterThan(0);
    expect(chunks).toBeGreaterThan(1);
  });
});
