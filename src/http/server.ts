import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config/config.js';
import { createMcpServer } from '../server/createServer.js';
import { serveUntilStopped } from '../server/lifecycle.js';
import { errorReply } from '../server/jsonRpcMessage.js';
import { MAX_MESSAGE_BYTES, tooLargeMessage } from '../server/messageLimit.js';
import { listedTools } from '../server/toolListing.js';
import { formatDuration } from '../telemetry/time.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { logDebug, logWarn } from '../util/log.js';
import { plural } from '../util/text.js';
import { checkRequest, corsHeaders } from './guard.js';
import { answer, JsonTransport, SESSION_NOT_FOUND, SESSION_NOT_FOUND_MESSAGE, type HttpRefusal } from './jsonTransport.js';
import { SessionParts, type LazyContext } from './sessionParts.js';

export interface HttpServeOptions {
  port: number;
  host: string;
  token?: string;
  allowedOrigins: string[];
  /** A session unused this long is ended and its browser context closed. */
  idleTimeoutMs: number;
  /** Sessions at once; an initialize beyond them gets 503. */
  maxSessions: number;
}

interface Session {
  id: string;
  transport: JsonTransport;
  server: McpServer;
  context: LazyContext;
  lastUsed: number;
  /** Requests being answered now (a long call keeps its session alive). */
  busy: number;
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${message}\n`);
}

/** A JSON-RPC error answer (the transport's own errors have this shape; MCP clients show the message). */
function refuseJson(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  answer(res, status, errorReply(undefined, code, message), headers);
}

/**
 * A body declared longer than the limit is answered (413, a JSON-RPC error as on stdin) before
 * any of it is read; Node reads the rest away, so the client gets the answer rather than a dropped
 * connection. A body sent in chunks is cut off by the transport at the same limit, which answers
 * 413 itself and tells onRefused.
 */
function refuseOversized(req: IncomingMessage, res: ServerResponse, session?: string): boolean {
  const declared = Number(req.headers['content-length']);
  if (req.method !== 'POST' || !(declared > MAX_MESSAGE_BYTES)) return false;
  logWarn(`http: refused a request of ${declared} bytes (limit ${MAX_MESSAGE_BYTES})${session ? ` in session ${session}` : ''}`);
  refuseJson(res, 413, ErrorCode.InvalidRequest, tooLargeMessage(declared));
  return true;
}

/** The answer to an initialize beyond --max-sessions: 503, naming the cap and the flag. */
function tooManySessions(open: number, options: HttpServeOptions): HttpRefusal {
  return {
    status: 503,
    code: -32000,
    message: `Legible serves at most ${plural(options.maxSessions, 'MCP session')} at once, and ${open === 1 ? '1 is' : `${open} are`} open: end one (DELETE /mcp with its Mcp-Session-Id; an unused one ends after ${formatDuration(options.idleTimeoutMs)}), or start legible-mcp with --max-sessions ${options.maxSessions * 2}.`,
    headers: { 'retry-after': '10' },
  };
}

/**
 * MCP over Streamable HTTP at /mcp. One browser for the server; each MCP session gets its own
 * browser context (cookies, storage, tabs p1…, refs, journal, journeys' runs), closed when the
 * client ends the session (DELETE), when the transport closes, or after idleTimeoutMs unused. The
 * apps under test, their logs and telemetry are the process's (one Workspace): every session sees
 * the same apps, and they stop when the server stops. Every request passes checkRequest (Host,
 * Origin, token) before anything else happens; a page from an allowed origin gets CORS answers.
 */
export async function serveHttp(config: Config, options: HttpServeOptions, toolList?: URL): Promise<number> {
  // The browser, the apps and the sessions' state load on first need (a first tools/call, or
  // right after a first tools/list): the server listens and answers a new client without them.
  const parts = new SessionParts(config);
  // Made once: every session's server shows the same tools/list.
  const tools = await listedTools(config, toolList);
  const sessions = new Map<string, Session>();

  const endSession = async (id: string, why: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    logDebug(`http session ${id} ends: ${why}`);
    await session.transport.close().catch(() => undefined);
    await session.server.close().catch(() => undefined);
    await session.context.close().catch((error: unknown) => logWarn(`closing session ${id}: ${errorMessage(error)}`));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    const refusal = checkRequest({ host: req.headers.host, origin: req.headers.origin, authorization: req.headers.authorization }, options, preflight);
    // A page from an origin that passed may read the answer (refusals included: a 401 says what is missing).
    const cors = refusal?.status === 403 ? {} : corsHeaders(req.headers.origin, preflight);
    if (refusal) {
      refuse(res, refusal.status, refusal.message, { ...cors, ...(refusal.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/mcp') {
      refuse(res, 404, 'Not found: Legible serves MCP at /mcp.', cors);
      return;
    }
    if (preflight) {
      res.writeHead(204, cors).end();
      return;
    }
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    const header = req.headers['mcp-session-id'];
    const id = Array.isArray(header) ? header[0] : header;
    if (id) {
      const session = sessions.get(id);
      if (!session) {
        refuseJson(res, 404, SESSION_NOT_FOUND, SESSION_NOT_FOUND_MESSAGE);
        return;
      }
      session.busy++;
      session.lastUsed = Date.now();
      res.once('close', () => {
        session.busy--;
        session.lastUsed = Date.now();
      });
      if (refuseOversized(req, res, id)) return;
      await session.transport.handle(req, res);
      return;
    }
    // No session yet: this must be an initialize request; the transport refuses anything else.
    if (refuseOversized(req, res)) return;
    const transport: JsonTransport = new JsonTransport({
      newSessionId: () => randomUUID(),
      // A slot is taken only by an initialize read whole, and given back at once if it fails.
      mayStart: () => (sessions.size >= options.maxSessions ? tooManySessions(sessions.size, options) : undefined),
      onSessionStarted: (sessionId) => {
        sessions.set(sessionId, { id: sessionId, transport, server, context, lastUsed: Date.now(), busy: 0 });
        logDebug(`http session ${sessionId} starts`);
      },
      onSessionEnded: (sessionId, why) => void endSession(sessionId, why),
      // What the transport refuses (a body too large or not JSON-RPC, a wrong header) is answered by it, and logged here.
      onRefused: (message) => logWarn(`http${transport.sessionId ? ` session ${transport.sessionId}` : ''}: ${message}`),
    });
    // A GET or DELETE without a session is answered by the transport alone: no server is made for it.
    if (req.method !== 'POST') return transport.handle(req, res);
    const context = parts.contextFor();
    const server = createMcpServer(config, tools, context.get);
    transport.onclose = () => {
      if (transport.sessionId) void endSession(transport.sessionId, 'its transport closed');
    };
    await server.connect(transport);
    await transport.handle(req, res);
    if (transport.sessionId === undefined) {
      await server.close().catch(() => undefined);
      await context.close().catch(() => undefined);
    }
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A client that hangs up while sending its request is not a fault of the server.
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') logDebug(`http: a client went away while sending its request (${errorMessage(error)})`);
      else logWarn(`http request failed: ${errorMessage(error)}`);
      if (!res.headersSent) refuse(res, 500, 'Internal error.');
      else res.end();
    });
  });

  await new Promise<void>((ready, fail) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      fail(new LegibleError(`Could not listen on ${options.host}:${options.port}: ${error.message}`, 'Pick another --port (0 picks a free one) or --host.', { kind: 'environment' })),
    );
    http.listen(options.port, options.host, () => ready());
  });
  const { port } = http.address() as AddressInfo;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  process.stderr.write(
    `Legible MCP over Streamable HTTP at http://${shown}:${port}/mcp${options.token ? ' (bearer token required)' : ''}; sessions end after ${formatDuration(options.idleTimeoutMs)} unused.\n`,
  );

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const session of sessions.values()) {
        if (!session.busy && now - session.lastUsed > options.idleTimeoutMs) void endSession(session.id, `unused for ${formatDuration(now - session.lastUsed)}`);
      }
    },
    Math.max(250, Math.min(30_000, options.idleTimeoutMs / 4)),
  );
  sweep.unref();

  // Signals end the server the one way every mode ends: sessions, the browser and the apps stop.
  const serving = serveUntilStopped(parts, async (reason) => {
    logDebug(`http server stops: ${reason}`);
    clearInterval(sweep);
    http.close();
    http.closeAllConnections();
    await Promise.allSettled([...sessions.keys()].map((id) => endSession(id, 'the server stops')));
    await parts.close();
  });
  await new Promise<void>((done) => http.once('close', () => done()));
  return serving.shutdown('the HTTP server closed', 0);
}
