import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { errorReply, readMessage, type RequestId } from '../server/jsonRpcMessage.js';
import { MAX_MESSAGE_BYTES, tooLargeMessage } from '../server/messageLimit.js';
import { logDebug } from '../util/log.js';
import { quote, squash } from '../util/text.js';
import { readBody } from './readBody.js';

/** JSON-RPC's code for an unknown session, as MCP clients expect it (they start a new one), and what they are told. */
export const SESSION_NOT_FOUND = -32001;
export const SESSION_NOT_FOUND_MESSAGE = 'Session not found (it ended or timed out): start a new one.';
/** The code MCP's HTTP transports give a request refused for its headers or method. */
const BAD_HTTP_REQUEST = -32000;

/** An HTTP refusal: status, JSON-RPC error code and message, extra headers. */
export interface HttpRefusal {
  status: number;
  code: number;
  message: string;
  headers?: Record<string, string>;
}

export interface JsonTransportOptions {
  newSessionId: () => string;
  /**
   * An initialize request arrived (read whole) with no session yet: a refusal (e.g. no free
   * session slot) answers it instead. Asked only then, so a client still sending its body, a GET
   * or a message that is not an initialize holds nothing.
   */
  mayStart: () => HttpRefusal | undefined;
  /** The session exists (its initialize arrived); called before the initialize is answered. */
  onSessionStarted: (id: string) => void;
  /**
   * The session is over before the transport closes (which follows at once): the client ended it
   * (DELETE), or its initialize was answered with an error or never answered (the client hung up),
   * so no client holds its id.
   */
  onSessionEnded: (id: string, why: string) => void;
  /** A request refused before it reached the server (bad headers, not JSON, too large): for the log. */
  onRefused: (message: string) => void;
}

/** One POST waiting for the answers to the requests it carried. */
interface Exchange {
  res: ServerResponse;
  id: RequestId;
}

/** An HTTP answer with a JSON body (none for `undefined`), unless the response was already sent or is gone. */
export function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

/** The request a notifications/cancelled names, if its params carry a usable one. */
function cancelledId(message: JSONRPCMessage): RequestId | undefined {
  const params = 'params' in message ? (message.params as { requestId?: unknown } | undefined) : undefined;
  const id = params?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

const isResponse = (message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } => !('method' in message) && 'id' in message;

/**
 * One MCP session over Streamable HTTP, every POST answered with plain JSON (the protocol's
 * JSON-response mode); it implements the SDK's Transport, so the SDK's Server drives it as any
 * other. Written here rather than using the SDK's StreamableHTTPServerTransport, which turns
 * every Node request into a Web Request and its answer back (through @hono/node-server and web
 * streams): that cost 5× stdio's server CPU per tools/list (0.70 against 0.14 ms, measured with
 * bench/http.mjs's raw client); this one costs about as much as stdio. Legible sends nothing of
 * its own accord (no notifications, no requests to the client), so a session needs no event
 * stream: GET gets 405, as the protocol allows. Messages are read as stdin's are
 * (src/server/jsonRpcMessage.ts), with the same answers for what is not JSON-RPC.
 */
export class JsonTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  private readonly waiting = new Map<RequestId, Exchange>();
  private closed = false;
  /** The id of the initialize request while it waits for its answer. */
  private initializing?: RequestId;

  constructor(private readonly options: JsonTransportOptions) {}

  async start(): Promise<void> {}

  /** Answers one HTTP request to /mcp for this session (or, with no session yet, its initialize). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST') return this.post(req, res);
    if (req.method === 'DELETE') return this.delete(req, res);
    const allow = { allow: 'POST, DELETE' };
    // MCP clients try GET once per session to open an event stream, and go on without one on 405: not worth a warning.
    if (req.method === 'GET') answer(res, 405, errorReply(undefined, BAD_HTTP_REQUEST, 'Method not allowed: Legible sends no messages of its own, so it offers no event stream (GET); POST requests get their answers as JSON.'), allow);
    else this.refuse(res, 405, BAD_HTTP_REQUEST, `Method not allowed: ${req.method ?? 'none'}. Send MCP messages with POST; end the session with DELETE.`, allow);
  }

  private refuse(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
    this.options.onRefused(message);
    answer(res, status, errorReply(undefined, code, message), headers);
  }

  /** Why a request for an existing session is refused (unknown session, wrong protocol version), if it is. */
  private sessionProblem(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.sessionId === undefined) {
      this.refuse(res, 400, BAD_HTTP_REQUEST, 'Bad request: the session has not started. Send initialize first, without an Mcp-Session-Id header.');
      return true;
    }
    if (this.closed || req.headers['mcp-session-id'] !== this.sessionId) {
      this.refuse(res, 404, SESSION_NOT_FOUND, SESSION_NOT_FOUND_MESSAGE);
      return true;
    }
    const version = req.headers['mcp-protocol-version'];
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) {
      this.refuse(res, 400, BAD_HTTP_REQUEST, `Bad request: unsupported protocol version ${String(version).slice(0, 40)} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}).`);
      return true;
    }
    return false;
  }

  private async post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') && !accept.includes('*/*')) {
      this.refuse(res, 406, BAD_HTTP_REQUEST, 'Not acceptable: Legible answers with application/json; send an Accept header that includes it.');
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type !== 'application/json') {
      this.refuse(res, 415, BAD_HTTP_REQUEST, `Unsupported media type ${JSON.stringify(type.slice(0, 60))}: send the message as Content-Type: application/json.`);
      return;
    }
    const body = await readBody(req, MAX_MESSAGE_BYTES);
    if ('tooLarge' in body) {
      this.refuse(res, 413, ErrorCode.InvalidRequest, tooLargeMessage('unknown'));
      return;
    }
    const outcome = readMessage(body.text, 'request body');
    if (!outcome) {
      this.refuse(res, 400, ErrorCode.InvalidRequest, 'Invalid request: the body is empty. Send one JSON-RPC message per request.');
      return;
    }
    if (!('message' in outcome)) {
      this.options.onRefused(outcome.warning);
      if (outcome.reply) answer(res, 400, outcome.reply);
      else answer(res, 202, undefined);
      return;
    }
    const message = outcome.message;
    const initialize = 'method' in message && message.method === 'initialize';
    if (initialize) {
      if (this.sessionId !== undefined) {
        this.refuse(res, 400, ErrorCode.InvalidRequest, 'Invalid request: this session is already initialized. Start a new session without an Mcp-Session-Id header.');
        return;
      }
      if (!('id' in message)) {
        // As a notification it would get no answer: a session nobody learns the id of.
        this.refuse(res, 400, ErrorCode.InvalidRequest, 'Invalid request: initialize is a request: give it an "id".');
        return;
      }
      const refusal = this.options.mayStart();
      if (refusal) {
        this.refuse(res, refusal.status, refusal.code, refusal.message, refusal.headers);
        return;
      }
      this.initializing = message.id;
      this.sessionId = this.options.newSessionId();
      this.options.onSessionStarted(this.sessionId);
    } else if (this.sessionProblem(req, res)) {
      return;
    }
    const extra = { requestInfo: { headers: req.headers } };
    if (!('method' in message) || !('id' in message)) {
      // A notification or a response from the client: nothing to answer but "accepted".
      answer(res, 202, undefined);
      if ('method' in message && message.method === 'notifications/cancelled') this.release(cancelledId(message));
      this.onmessage?.(message, extra);
      return;
    }
    const id = message.id;
    if (this.waiting.has(id)) {
      this.refuse(res, 400, ErrorCode.InvalidRequest, `Invalid request: a request with id ${JSON.stringify(id)} is still being answered in this session; use a new id.`);
      return;
    }
    this.waiting.set(id, { res, id });
    // A client that hangs up before its answer has given up on the call: it is cancelled (its
    // tool stops, and the SDK sends no answer for it), so the id cannot later pick up the old
    // call's answer in place of a new call's.
    res.once('close', () => {
      if (this.waiting.get(id)?.res !== res) return;
      this.waiting.delete(id);
      if (initialize) {
        void this.endUnstarted('the client hung up before its initialize was answered');
        return;
      }
      this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'The client closed the connection before the answer.' } });
    });
    this.onmessage?.(message, extra);
  }

  /**
   * A call the client cancelled gets no JSON-RPC answer (the SDK sends none), but its POST must
   * still end: 202, as for a message that needs no answer; the id is free again.
   */
  private release(id: RequestId | undefined): void {
    const exchange = id === undefined ? undefined : this.waiting.get(id);
    if (!exchange) return;
    this.waiting.delete(exchange.id);
    answer(exchange.res, 202, undefined);
  }

  private async delete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.sessionProblem(req, res)) return;
    const id = this.sessionId as string;
    answer(res, 200, undefined);
    this.options.onSessionEnded(id, 'the client ended it');
    await this.close();
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    // Only answers have somewhere to go; the SDK's JSON mode drops the rest the same way.
    if (!isResponse(message)) {
      logDebug(`http session ${this.sessionId}: a message with nowhere to go (${'method' in message ? message.method : 'unknown'}) dropped`);
      return;
    }
    const exchange = this.waiting.get(message.id);
    if (!exchange) return;
    this.waiting.delete(message.id);
    if (message.id === this.initializing) {
      this.initializing = undefined;
      if ('error' in message) {
        // A refused initialize (wrong params, say) makes no session: its answer names none, and its slot is free at once.
        answer(exchange.res, 200, message);
        await this.endUnstarted(`its initialize failed: ${quote(squash(String((message.error as { message?: unknown }).message)), 100)}`);
        return;
      }
    }
    answer(exchange.res, 200, message, this.sessionId ? { 'mcp-session-id': this.sessionId } : {});
  }

  /** Ends a session whose initialize did not succeed: no client holds its id. */
  private async endUnstarted(why: string): Promise<void> {
    this.initializing = undefined;
    if (this.sessionId !== undefined) this.options.onSessionEnded(this.sessionId, why);
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const exchange of this.waiting.values()) {
      answer(exchange.res, 404, errorReply(exchange.id, SESSION_NOT_FOUND, 'The session ended before this call was answered: start a new session and call again.'));
    }
    this.waiting.clear();
    this.onclose?.();
  }
}
