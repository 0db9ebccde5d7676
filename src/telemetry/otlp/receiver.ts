import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { errorMessage } from '../../util/errors.js';
import type { ForwardSink } from './forwarder.js';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from './jsonDecode.js';
import type { ExportLogsRequest, ExportMetricsRequest, ExportTraceRequest, OtlpSinks, SinkResult } from './model.js';
import { decodeLogsProtobuf, decodeMetricsProtobuf, decodeTracesProtobuf, encodeExportResponse, encodeStatus } from './protobufDecode.js';
import { DecodeError, Slicer } from './slices.js';

/**
 * The OTLP/HTTP receiver: POST /v1/traces, /v1/metrics and /v1/logs on 127.0.0.1, protobuf or
 * JSON bodies, gzip or deflate. Each request is read (size-capped, also after decompression),
 * decoded in slices into the OTLP/JSON model and handed to the sinks; the answer is the OTLP
 * success response (with `partialSuccess` when a sink dropped items) or an HTTP error that says
 * what was wrong. No request can take the process down: every failure becomes an answer.
 */

export interface OtlpReceiverOptions {
  /** 0 (the default) for a free port. */
  port?: number;
  /** Largest body, in bytes, as sent and after decompression (protobuf). Default 16 MiB. */
  maxBodyBytes?: number;
  /** Largest JSON body after decompression: one JSON.parse holds the event loop ~6 ms per MB. Default 4 MiB. */
  maxJsonBytes?: number;
  /** Requests decoded at once; more are answered 503 with Retry-After (OTLP senders retry). Default 8. */
  maxConcurrent?: number;
  /** Decoding per turn of the event loop, shared by the requests being decoded. Default 5 ms. */
  sliceMs?: number;
  /** Where every request that decoded is also handed on (an OtlpForwarder: --otlp-forward). */
  forward?: ForwardSink;
}

type Signal = 'traces' | 'metrics' | 'logs';
type Encoding = 'protobuf' | 'json';

export interface OtlpReceiverStats {
  requests: number;
  /** Items accepted by the sinks, per signal (spans, metrics, log records). */
  accepted: Record<Signal, number>;
  /** Items dropped (a sink's partial success, or no sink for the signal). */
  rejected: Record<Signal, number>;
  /** Error answers by HTTP status. */
  errors: Record<number, number>;
  /** The last error answer, for app_status-like reports. */
  lastError?: { status: number; message: string; at: number };
}

const SIGNALS: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };
const REJECTED_FIELD: Record<Signal, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

/** An answer other than success: HTTP status, message, and google.rpc code for the body. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const GRPC_CODE: Record<number, number> = { 400: 3, 404: 5, 405: 12, 413: 8, 415: 3, 500: 13, 503: 14 };

export class OtlpReceiver {
  private server: Server | undefined;
  private active = 0;
  private readonly options: Required<Omit<OtlpReceiverOptions, 'forward'>>;
  private readonly forward: ForwardSink | undefined;
  readonly stats: OtlpReceiverStats = {
    requests: 0,
    accepted: { traces: 0, metrics: 0, logs: 0 },
    rejected: { traces: 0, metrics: 0, logs: 0 },
    errors: {},
  };

  constructor(
    private readonly sinks: OtlpSinks,
    options: OtlpReceiverOptions = {},
  ) {
    const { forward, ...rest } = options;
    this.forward = forward;
    this.options = { port: 0, maxBodyBytes: 16 * 2 ** 20, maxJsonBytes: 4 * 2 ** 20, maxConcurrent: 8, sliceMs: 5, ...rest };
  }

  /** Starts listening on 127.0.0.1; resolves with the base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  async start(): Promise<string> {
    if (this.server) return this.url;
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => this.fail(response, new HttpError(500, `internal error: ${errorMessage(error)}`), 'json'));
    });
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return this.url;
  }

  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('The OTLP receiver is not listening.');
    return address.port;
  }

  /** `http://127.0.0.1:<port>`: the value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.stats.requests++;
    const path = (request.url ?? '/').split('?')[0]!;
    const signal = SIGNALS[path];
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const encoding: Encoding | undefined = contentType === 'application/x-protobuf' ? 'protobuf' : contentType === 'application/json' ? 'json' : undefined;
    try {
      if (!signal) throw new HttpError(404, `No OTLP endpoint at ${path.slice(0, 100)}: POST to /v1/traces, /v1/metrics or /v1/logs.`);
      if (request.method !== 'POST') throw new HttpError(405, `${request.method} is not allowed on ${path}: OTLP/HTTP exports are POSTed.`, { allow: 'POST' });
      if (!encoding) {
        throw new HttpError(415, `Content-Type ${JSON.stringify(contentType.slice(0, 100)) || 'missing'} is not OTLP: send application/x-protobuf or application/json.`);
      }
      if (this.active >= this.options.maxConcurrent) {
        throw new HttpError(503, `Busy: ${this.active} exports are being decoded; retry shortly.`, { 'retry-after': '1' });
      }
      this.active++;
      try {
        const limit = encoding === 'json' ? Math.min(this.options.maxJsonBytes, this.options.maxBodyBytes) : this.options.maxBodyBytes;
        const body = await readBody(request, limit, encoding);
        const result = await this.decode(signal, encoding, body);
        this.reply(response, 200, encoding, signal, result);
        // Only what decoded goes on, after the app has its answer: forwarding never delays it.
        if (result.items) this.forward?.enqueue(signal, body, encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json', result.items);
      } finally {
        this.active--;
      }
    } catch (error) {
      const failure =
        error instanceof HttpError ? error : error instanceof DecodeError ? new HttpError(400, `The ${signal} payload does not decode as OTLP ${encoding}: ${error.message}`) : error;
      if (!(failure instanceof HttpError)) throw failure;
      this.fail(response, failure, encoding);
      // A body we did not read (too large, wrong type): close the connection instead of draining it.
      if (!request.complete) response.once('finish', () => request.destroy());
    }
  }

  private async decode(signal: Signal, encoding: Encoding, body: Buffer): Promise<{ rejected: number; items: number; messages: string[] }> {
    const slicer = new Slicer(this.options.sliceMs);
    let rejected = 0;
    let items = 0;
    const messages = new Set<string>();
    const count = (signalCount: number, result: SinkResult | void) => {
      const dropped = Math.min(signalCount, Math.max(0, result?.rejected ?? 0));
      items += signalCount;
      rejected += dropped;
      this.stats.rejected[signal] += dropped;
      this.stats.accepted[signal] += signalCount - dropped;
      if (result?.message) messages.add(result.message);
    };
    const deliver = <R>(sink: ((request: R) => SinkResult | void) | undefined, size: (request: R) => number) => (request: R) => {
      const n = size(request);
      if (!sink) return count(n, { rejected: n, message: `Legible keeps no ${signal} yet; they were dropped.` });
      let result: SinkResult | void;
      try {
        result = sink(request);
      } catch (error) {
        result = { rejected: n, message: `the ${signal} store failed: ${errorMessage(error)}` };
      }
      count(n, result);
    };
    let parsed: unknown;
    if (encoding === 'json') {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (error) {
        throw new DecodeError(`not JSON (${errorMessage(error).slice(0, 120)})`);
      }
    }
    if (signal === 'traces') {
      const emit = deliver<ExportTraceRequest>(this.sinks.traces, (r) => r.resourceSpans.reduce((n, rs) => n + rs.scopeSpans.reduce((m, ss) => m + ss.spans.length, 0), 0));
      await (encoding === 'json' ? decodeTracesJson(parsed, slicer, emit) : decodeTracesProtobuf(body, slicer, emit));
    } else if (signal === 'logs') {
      const emit = deliver<ExportLogsRequest>(this.sinks.logs, (r) => r.resourceLogs.reduce((n, rl) => n + rl.scopeLogs.reduce((m, sl) => m + sl.logRecords.length, 0), 0));
      await (encoding === 'json' ? decodeLogsJson(parsed, slicer, emit) : decodeLogsProtobuf(body, slicer, emit));
    } else {
      const emit = deliver<ExportMetricsRequest>(this.sinks.metrics, (r) => r.resourceMetrics.reduce((n, rm) => n + rm.scopeMetrics.reduce((m, sm) => m + sm.metrics.reduce((p, metric) => p + dataPoints(metric), 0), 0), 0));
      await (encoding === 'json' ? decodeMetricsJson(parsed, slicer, emit) : decodeMetricsProtobuf(body, slicer, emit));
    }
    return { rejected, items, messages: [...messages] };
  }

  private reply(response: ServerResponse, status: number, encoding: Encoding, signal: Signal, result: { rejected: number; messages: string[] }): void {
    const message = result.messages.join('; ');
    let body: Uint8Array | string;
    if (encoding === 'protobuf') body = encodeExportResponse(result.rejected, message);
    else {
      const partial: Record<string, string> = {};
      if (result.rejected) partial[REJECTED_FIELD[signal]] = String(result.rejected);
      if (message) partial.errorMessage = message;
      body = JSON.stringify(result.rejected || message ? { partialSuccess: partial } : {});
    }
    response.writeHead(status, { 'content-type': encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }

  private fail(response: ServerResponse, error: HttpError, encoding: Encoding | undefined): void {
    this.stats.errors[error.status] = (this.stats.errors[error.status] ?? 0) + 1;
    this.stats.lastError = { status: error.status, message: error.message, at: Date.now() };
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const code = GRPC_CODE[error.status] ?? 2;
    // OTLP/HTTP: an error answer carries a google.rpc.Status in the request's encoding; plain text when it had none.
    const [type, body] =
      encoding === 'protobuf'
        ? ['application/x-protobuf', encodeStatus(code, error.message)]
        : encoding === 'json'
          ? ['application/json', JSON.stringify({ code, message: error.message })]
          : ['text/plain; charset=utf-8', `${error.message}\n`];
    response.writeHead(error.status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...error.headers });
    response.end(body);
  }
}

function dataPoints(metric: { gauge?: { dataPoints?: unknown[] }; sum?: { dataPoints?: unknown[] }; histogram?: { dataPoints?: unknown[] }; exponentialHistogram?: { dataPoints?: unknown[] }; summary?: { dataPoints?: unknown[] } }): number {
  const data = metric.gauge ?? metric.sum ?? metric.histogram ?? metric.exponentialHistogram ?? metric.summary;
  return data?.dataPoints?.length ?? 0;
}

/**
 * The body, decompressed, at most `limit` bytes both on the wire and after decompression (a gzip
 * bomb stops at the limit). 413 past it, 415 for an unknown Content-Encoding, 400 for a
 * corrupt gzip stream or a body that ends early.
 */
async function readBody(request: IncomingMessage, limit: number, encoding: Encoding): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  const tooLarge = () => new HttpError(413, `The ${encoding} body is larger than ${limit} bytes (after decompression): send smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE).`);
  if (declared > limit) throw tooLarge();
  const contentEncoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let inflater: Gunzip | Inflate | undefined;
  if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') inflater = createGunzip();
  else if (contentEncoding === 'deflate') inflater = createInflate();
  else if (contentEncoding !== 'identity' && contentEncoding !== '') {
    throw new HttpError(415, `Content-Encoding ${JSON.stringify(contentEncoding.slice(0, 40))} is not supported: send gzip, deflate or no encoding.`);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let raw = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      request.off('data', onRaw);
      if (error) {
        inflater?.destroy();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(tooLarge());
      chunks.push(chunk);
    };
    const onRaw = (chunk: Buffer) => {
      raw += chunk.length;
      if (raw > limit) finish(tooLarge());
    };
    request.on('data', onRaw);
    request.on('aborted', () => finish(new HttpError(400, 'The request was aborted before its body ended.')));
    request.on('error', (error) => finish(new HttpError(400, `The request body could not be read: ${errorMessage(error)}`)));
    if (inflater) {
      inflater.on('data', onData);
      inflater.on('error', (error) => finish(new HttpError(400, `The body is not valid ${contentEncoding} data: ${errorMessage(error)}`)));
      inflater.on('end', () => finish());
      request.pipe(inflater);
    } else {
      request.on('data', onData);
      request.on('end', () => finish());
    }
  });
}
