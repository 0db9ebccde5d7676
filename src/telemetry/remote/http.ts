import type { z } from 'zod';
import { LegibleError } from '../../util/errors.js';
import { redactText, redactUrl } from '../../util/redact.js';
import { squash } from '../../util/text.js';

/**
 * One HTTP API of a team's backend (a Prometheus, a Loki, a Tempo, a Jaeger), as the clients in
 * this folder use it: the base URL joined with the API's paths, the extra headers from the
 * environment, a time limit on the whole exchange (connecting, waiting, reading the body), a
 * size limit on the answer, and zod validation of what comes back. Every failure is a
 * `RemoteError` (a LegibleError) that says which backend, what happened and what to do:
 * refused or unreachable, too slow, an HTTP error (its own message quoted, at most 200
 * characters), or an answer that is not what the API documents.
 *
 * Node's fetch (undici) does the HTTP; there is no retry: a query that fails is answered at once,
 * and the agent decides.
 */

export interface RemoteApiOptions {
  /** What answers, for messages: "Prometheus API", "Loki", "Tempo", "Jaeger query API". */
  kind: string;
  /** The base URL the user gave (API paths are appended to its path). */
  baseUrl: string;
  /** The flag that set it, for hints: "--metrics-url". */
  flag: string;
  /** The environment variable its headers come from, for hints on 401/403. */
  headersVariable: string;
  headers?: Record<string, string>;
  /** The whole exchange, in ms. Default 10,000. */
  timeoutMs?: number;
  /** The largest answer body read, in bytes. Default 32 MiB. */
  maxBytes?: number;
}

export type RemoteFailure = 'unreachable' | 'timeout' | 'http' | 'garbage' | 'too-large';

export class RemoteError extends LegibleError {
  constructor(
    readonly failure: RemoteFailure,
    message: string,
    hint: string | undefined,
    /** The HTTP status, for 'http'. */
    readonly status?: number,
    /** The backend's own error message, for 'http' (bounded). */
    readonly backendMessage?: string,
  ) {
    super(message, hint);
    this.name = 'RemoteError';
  }
}

export type Params = Record<string, string | number | readonly string[] | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST';
  /** What the request asks, for messages: "the query", "label names". */
  what?: string;
  signal?: AbortSignal;
}

const QUOTED = 200;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 32 * 2 ** 20;

export class RemoteApi {
  readonly kind: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  private readonly base: URL;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: RemoteApiOptions) {
    this.kind = options.kind;
    this.base = new URL(options.baseUrl);
    this.headers = options.headers ?? {};
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** "Prometheus API at http://host:9090" (secret-looking query values redacted). */
  get where(): string {
    return `${this.kind} at ${redactUrl(this.base.href.replace(/\/$/, ''))}`;
  }

  /** The URL of an API path (`/api/v1/query`) under the base URL, with the base's own query kept. */
  url(path: string, params: Params = {}): URL {
    const url = new URL(this.base.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    appendParams(url.searchParams, params);
    return url;
  }

  /** GET (or POST as a form) an API path and validate the JSON answer with `schema`. */
  async json<S extends z.ZodType>(path: string, params: Params, schema: S, options: RequestOptions = {}): Promise<z.output<S>> {
    const { text, contentType } = await this.send(path, params, options);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.garbage(path, `something that is not JSON (${contentType || 'no Content-Type'}; it starts with ${JSON.stringify(redactText(squash(text).slice(0, 80)))})`);
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issue = deepest(result.error.issues[0]!);
      const at = issue.path.length ? issue.path.join('.') : 'the answer';
      throw this.garbage(path, `JSON that is not a ${this.kind} answer (${at}: ${issue.message})`);
    }
    return result.data;
  }

  /** The body of a successful answer as text; every failure a RemoteError. */
  async send(path: string, params: Params, options: RequestOptions = {}): Promise<{ text: string; contentType: string }> {
    const method = options.method ?? 'GET';
    const url = this.url(path, method === 'GET' ? params : {});
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const init: RequestInit = { method, headers: { accept: 'application/json', ...this.headers }, signal, redirect: 'follow' };
    if (method === 'POST') {
      const form = new URLSearchParams();
      appendParams(form, params);
      init.body = form;
    }
    const what = options.what ?? `${method} ${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, init);
      text = await readCapped(response, this.maxBytes, this.where);
    } catch (error) {
      throw this.failed(error, what, timeout);
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!response.ok) throw this.httpError(response.status, response.statusText, text, what);
    return { text, contentType };
  }

  /** The backend answered an HTTP error: its status and its own message, quoted and bounded. */
  httpError(status: number, statusText: string, body: string, what: string): RemoteError {
    const said = errorText(body);
    const quoted = said ? `: ${JSON.stringify(said.length > QUOTED ? `${said.slice(0, QUOTED)}…` : said)}` : '';
    const message = `The ${this.where} answered ${status}${statusText ? ` ${statusText}` : ''} to ${what}${quoted}.`;
    let hint: string;
    if (status === 401 || status === 403) hint = `It wants credentials: set ${this.options.headersVariable} (for example 'Authorization=Bearer%20<token>') in Legible's environment.`;
    else if (status === 404) hint = `Is ${this.options.flag} the API's base URL (the part before ${what.startsWith('GET ') || what.startsWith('POST ') ? what.split(' ')[1] : 'the API path'})? Check it in a browser or with curl.`;
    else if (status === 429) hint = 'The backend is rate-limiting: wait a moment, or ask for less (a shorter range, a narrower query).';
    else if (status >= 500) hint = 'The backend failed on its side: try again, or narrow the query (a shorter range, fewer series); its own logs say more.';
    else hint = 'Fix what the backend names above and ask again.';
    return new RemoteError('http', message, hint, status, said || undefined);
  }

  garbage(path: string, what: string): RemoteError {
    return new RemoteError('garbage', `The ${this.where} answered ${path} with ${what}.`, `Is ${this.options.flag} the base URL of a ${this.kind}? A proxy or a login page in between answers like this too.`);
  }

  private failed(error: unknown, what: string, timeout: AbortSignal): RemoteError {
    if (error instanceof RemoteError) return error;
    if (timeout.aborted || isTimeout(error)) {
      return new RemoteError(
        'timeout',
        `The ${this.where} did not answer ${what} within ${this.timeoutMs} ms.`,
        'Ask for less (a shorter range, a narrower query, a larger step), or allow more time with --backend-timeout.',
      );
    }
    if (error instanceof Error && error.name === 'AbortError') return new RemoteError('timeout', `The request to the ${this.where} was cancelled.`, undefined);
    const reason = networkReason(error);
    return new RemoteError(
      'unreachable',
      `Could not reach the ${this.where}: ${reason}.`,
      `Is it running and reachable from here, and is ${this.options.flag} right? Without ${this.options.flag}, Legible answers from its embedded store.`,
    );
  }
}

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  errors?: Issue[][];
}

/** The most telling issue: inside a union (an API's success-or-error envelope), the one that got furthest. */
function deepest(issue: Issue, prefix: PropertyKey[] = []): Issue {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return { ...issue, path };
  let best: Issue = { ...issue, path };
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const found = deepest(inner, path);
      if (found.path.length > best.path.length) best = found;
    }
  }
  return best;
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens there)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'the connection closed before an answer',
  UND_ERR_CLOSED: 'the connection closed before an answer',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed (set NODE_EXTRA_CA_CERTS to trust it)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is self-signed (set NODE_EXTRA_CA_CERTS to trust it)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified (set NODE_EXTRA_CA_CERTS)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
};

/**
 * Why a request never got an answer, in words: the system error's code (ECONNREFUSED → "connection
 * refused (nothing listens there)"), else the innermost cause's message (Node's fetch refuses
 * ports browsers block with "bad port"), redacted and bounded.
 */
export function networkReason(error: unknown): string {
  const code = causeCode(error);
  if (code) return REASONS[code] ?? code;
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const message = inner instanceof Error ? inner.message : String(inner);
  if (message === 'bad port') return 'Node\'s fetch will not connect to that port (one of the ports browsers block): use another port';
  return redactText(message).slice(0, 120);
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    if ((current as { name?: unknown }).name === 'TimeoutError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function appendParams(target: URLSearchParams, params: Params): void {
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) target.append(name, item);
    else target.set(name, String(value));
  }
}

/** The body, at most `maxBytes` (a RemoteError past it: the stream is cancelled, not read to the end). */
async function readCapped(response: Response, maxBytes: number, where: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes, where);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes, where);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function tooLarge(maxBytes: number, where: string): RemoteError {
  return new RemoteError(
    'too-large',
    `The answer of the ${where} is larger than ${maxBytes >= 2 ** 20 ? `${Math.round(maxBytes / 2 ** 20)} MiB` : `${maxBytes} bytes`}; Legible stopped reading it.`,
    'Ask for less: a narrower query (more label matchers), a shorter range, a larger step, or a lower limit.',
  );
}

/**
 * The backend's own error message from an error body: Prometheus' `{"error": …}`, Jaeger's
 * `{"errors": [{"msg": …}]}`, Tempo's and Loki's plain text; redacted, on one line.
 */
export function errorText(body: string): string {
  const text = body.trim();
  if (!text) return '';
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object') {
      const errors = parsed.errors;
      const first = Array.isArray(errors) ? (errors[0] as Record<string, unknown> | undefined) : undefined;
      const found = [parsed.error, parsed.message, parsed.msg, first?.msg, first?.message].find((value) => typeof value === 'string' && value);
      if (typeof found === 'string') {
        const type = typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : '';
        return redactText(squash(`${type}${found}`)).slice(0, 1_000);
      }
    }
  } catch {
    // not JSON: plain text
  }
  // An HTML error page says little in its tags: keep its text.
  const plain = /^<(!doctype|html)/i.test(text) ? text.replace(/<[^>]*>/g, ' ') : text;
  return redactText(squash(plain)).slice(0, 1_000);
}
