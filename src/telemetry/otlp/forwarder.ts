import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { redactText, redactUrl } from '../../util/redact.js';
import { plural, squash } from '../../util/text.js';
import { networkReason } from '../remote/http.js';

const gzip = promisify(gzipCallback);

/**
 * Sends on what the embedded receiver accepted to a team's OTLP/HTTP endpoint (a collector, or
 * Tempo/Loki/Mimir's own OTLP intake), as a fan-out sink does: the body the app sent (decoded,
 * so only valid OTLP goes on) is queued and POSTed, gzipped, to `<base>/v1/traces|metrics|logs`.
 *
 * It never slows the app or Legible down: `enqueue` only appends to a bounded queue (by batches
 * and bytes) and returns; one sender drains it in the background. A collector that is down,
 * slow or failing costs retries with backoff (429, 502, 503, 504, refused connections and
 * timeouts, as the OTLP specification says; `Retry-After` honoured up to 30 s), then the batch
 * is dropped; a batch it refuses (400, 401, 413, …) is dropped at once; when the queue is full,
 * the new batch is dropped. Every dropped item is counted with its reason, for `app_status`.
 */

export type Signal = 'traces' | 'metrics' | 'logs';

export interface OtlpForwarderOptions {
  /** The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT: /v1/<signal> is appended. */
  url: string;
  headers?: Record<string, string>;
  /** Batches held at most. Default 512. */
  maxQueueBatches?: number;
  /** Bytes held at most (bodies before compression). Default 32 MiB. */
  maxQueueBytes?: number;
  /** One POST, whole. Default 5,000 ms. */
  timeoutMs?: number;
  /** Tries per batch before it is dropped. Default 5. */
  maxAttempts?: number;
  /** First wait after a failure, doubled each time up to `maxBackoffMs`. Defaults 250 and 5,000 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface ForwarderStats {
  url: string;
  /** Items (spans, metric data points, log records) delivered, per signal. */
  sent: Record<Signal, number>;
  /** Items dropped, per signal. */
  dropped: Record<Signal, number>;
  /** Items dropped, by reason ("queue full", "collector unreachable: connection refused", …). */
  dropReasons: Record<string, number>;
  /** Batches waiting (including the one being sent) and their bytes. */
  queued: number;
  queuedBytes: number;
  retries: number;
  lastError?: { message: string; at: number };
  lastSentAt?: number;
}

interface Batch {
  signal: Signal;
  body: Buffer;
  contentType: string;
  items: number;
  attempts: number;
}

/** What the receiver hands on; the forwarder implements it. */
export interface ForwardSink {
  enqueue(signal: Signal, body: Buffer, contentType: string, items: number): void;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const SIGNALS: Signal[] = ['traces', 'metrics', 'logs'];

export class OtlpForwarder implements ForwardSink {
  private readonly queue: Batch[] = [];
  private bytes = 0;
  private sending: Promise<void> | undefined;
  private closed = false;
  private readonly aborter = new AbortController();
  private wake: (() => void) | undefined;
  private readonly options: Required<Omit<OtlpForwarderOptions, 'headers'>> & { headers: Record<string, string> };
  private readonly counters: ForwarderStats;

  constructor(options: OtlpForwarderOptions) {
    this.options = { maxQueueBatches: 512, maxQueueBytes: 32 * 2 ** 20, timeoutMs: 5_000, maxAttempts: 5, backoffMs: 250, maxBackoffMs: 5_000, headers: {}, ...options };
    const zero = () => ({ traces: 0, metrics: 0, logs: 0 });
    this.counters = { url: redactUrl(options.url), sent: zero(), dropped: zero(), dropReasons: {}, queued: 0, queuedBytes: 0, retries: 0 };
  }

  enqueue(signal: Signal, body: Buffer, contentType: string, items: number): void {
    if (this.closed) return this.drop({ signal, body, contentType, items, attempts: 0 }, 'Legible was shutting down');
    const batch: Batch = { signal, body, contentType, items, attempts: 0 };
    if (this.queue.length >= this.options.maxQueueBatches || this.bytes + body.length > this.options.maxQueueBytes) {
      return this.drop(batch, 'queue full (the collector is slower than the app or down)');
    }
    this.queue.push(batch);
    this.bytes += body.length;
    this.sending ??= this.drain().finally(() => (this.sending = undefined));
  }

  stats(): ForwarderStats {
    return { ...this.counters, sent: { ...this.counters.sent }, dropped: { ...this.counters.dropped }, dropReasons: { ...this.counters.dropReasons }, queued: this.queue.length, queuedBytes: this.bytes };
  }

  /** One line for app_status: what went where, what was dropped and why. */
  describe(): string {
    const stats = this.stats();
    const sent = SIGNALS.filter((signal) => stats.sent[signal]).map((signal) => `${stats.sent[signal]} ${UNITS[signal]}`);
    const parts = [`forwarding OTLP to ${stats.url}: ${sent.length ? `${sent.join(', ')} sent` : 'nothing sent yet'}`];
    const dropped = SIGNALS.reduce((n, signal) => n + stats.dropped[signal], 0);
    if (dropped) {
      const reasons = Object.entries(stats.dropReasons).sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${count} ${reason}`);
      parts.push(`${plural(dropped, 'item')} dropped (${reasons.slice(0, 3).join('; ')})`);
    }
    if (stats.queued) parts.push(`${plural(stats.queued, 'batch', 'batches')} waiting`);
    return parts.join('; ');
  }

  /** Resolves when the queue is empty (true) or after `ms` (false). */
  async flush(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.queue.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.queue.length === 0;
  }

  /** Sends what it can within `graceMs`, then drops the rest (counted) and stops. */
  async close(graceMs = 2_000): Promise<void> {
    if (this.closed) return;
    await this.flush(graceMs);
    this.closed = true;
    this.aborter.abort();
    this.wake?.();
    await this.sending;
    for (const batch of this.queue.splice(0)) this.drop(batch, 'Legible was shutting down');
    this.bytes = 0;
  }

  private async drain(): Promise<void> {
    while (this.queue.length && !this.closed) {
      const batch = this.queue[0]!;
      const outcome = await this.send(batch);
      if (this.closed) return;
      if (outcome.ok) {
        this.counters.sent[batch.signal] += batch.items;
        this.counters.lastSentAt = Date.now();
      } else {
        this.counters.lastError = { message: outcome.reason, at: Date.now() };
        batch.attempts++;
        if (outcome.retry && batch.attempts < this.options.maxAttempts) {
          this.counters.retries++;
          const backoff = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (batch.attempts - 1));
          await this.sleep(Math.max(backoff, Math.min(30_000, outcome.retryAfterMs ?? 0)));
          continue;
        }
        this.drop(batch, outcome.reason);
      }
      this.queue.shift();
      this.bytes -= batch.body.length;
    }
  }

  private async send(batch: Batch): Promise<{ ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number }> {
    const url = `${this.options.url.replace(/\/+$/, '')}/v1/${batch.signal}`;
    try {
      const body = await gzip(batch.body);
      const signal = AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.aborter.signal]);
      const response = await fetch(url, {
        method: 'POST',
        headers: { ...this.options.headers, 'content-type': batch.contentType, 'content-encoding': 'gzip' },
        body,
        signal,
      });
      const text = await head(response, 4_096);
      if (response.ok) return { ok: true };
      const said = squash(redactText(text)).slice(0, 200);
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        ok: false,
        retry: RETRYABLE.has(response.status),
        reason: `collector answered ${response.status}${said ? `: ${said}` : ''}`,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1_000 } : {}),
      };
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || (error.cause as Error | undefined)?.name === 'TimeoutError');
      if (timedOut) return { ok: false, retry: true, reason: `collector did not answer within ${this.options.timeoutMs} ms` };
      return { ok: false, retry: true, reason: `collector unreachable: ${networkReason(error)}` };
    }
  }

  private drop(batch: Batch, reason: string): void {
    this.counters.dropped[batch.signal] += batch.items;
    // Reasons are counted by their kind, not by every distinct message.
    const key = reason.replace(/: .*$/s, (rest) => (rest.length > 80 ? `${rest.slice(0, 80)}…` : rest));
    this.counters.dropReasons[key] = (this.counters.dropReasons[key] ?? 0) + batch.items;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** The first `max` bytes of an answer's body (a collector's error message), the rest not read. */
async function head(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // a body cut off: what arrived is enough
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

const UNITS: Record<Signal, string> = { traces: 'spans', metrics: 'metric points', logs: 'log records' };
