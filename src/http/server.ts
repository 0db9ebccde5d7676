import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SharedBrowser } from '../cdp/sharedBrowser.js';
import type { Config } from '../config/config.js';
import { createMcpServer } from '../server/createServer.js';
import { ServerContext } from '../server/serverContext.js';
import { formatDuration } from '../telemetry/time.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { logDebug, logWarn } from '../util/log.js';
import { checkRequest } from './guard.js';

export interface HttpServeOptions {
  port: number;
  host: string;
  token?: string;
  allowedOrigins: string[];
  /** A session unused this long is ended and its browser context closed. */
  idleTimeoutMs: number;
}

interface Session {
  id: string;
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  context: ServerContext;
  lastUsed: number;
  /** Requests being answered now (a long call keeps its session alive). */
  busy: number;
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${message}\n`);
}

/**
 * MCP over Streamable HTTP at /mcp. One browser for the server; each MCP session gets its own
 * browser context (cookies, storage, tabs p1…, refs, journal, journeys' runs), closed when the
 * client ends the session (DELETE), when the transport closes, or after idleTimeoutMs unused.
 * Every request passes checkRequest (Host, Origin, token) before anything else happens.
 */
export async function serveHttp(config: Config, options: HttpServeOptions): Promise<number> {
  const shared = new SharedBrowser(config);
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
    const refusal = checkRequest({ host: req.headers.host, origin: req.headers.origin, authorization: req.headers.authorization }, options);
    if (refusal) {
      refuse(res, refusal.status, refusal.message, refusal.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/mcp') {
      refuse(res, 404, 'Not found: Legible serves MCP at /mcp.');
      return;
    }
    const header = req.headers['mcp-session-id'];
    const id = Array.isArray(header) ? header[0] : header;
    if (id) {
      const session = sessions.get(id);
      if (!session) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found (it ended or timed out): start a new one.' } }));
        return;
      }
      session.busy++;
      session.lastUsed = Date.now();
      res.once('close', () => {
        session.busy--;
        session.lastUsed = Date.now();
      });
      await session.transport.handleRequest(req, res);
      return;
    }
    // No session yet: this must be an initialize request; the transport refuses anything else.
    const context = new ServerContext(config, shared);
    const server = createMcpServer(context);
    let session: Session | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // Plain JSON answers rather than an SSE stream per request: Legible sends no notifications
      // during a call, and a stream costs each call several milliseconds more.
      enableJsonResponse: true,
      onsessioninitialized: (sessionId) => {
        session = { id: sessionId, transport, server, context, lastUsed: Date.now(), busy: 0 };
        sessions.set(sessionId, session);
        logDebug(`http session ${sessionId} starts`);
      },
      onsessionclosed: (sessionId) => endSession(sessionId, 'the client ended it'),
    });
    transport.onclose = () => {
      if (transport.sessionId) void endSession(transport.sessionId, 'its transport closed');
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
    if (!session) {
      await server.close().catch(() => undefined);
      await context.close().catch(() => undefined);
    }
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logWarn(`http request failed: ${errorMessage(error)}`);
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

  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      clearInterval(sweep);
      http.close();
      http.closeAllConnections();
      await Promise.allSettled([...sessions.keys()].map((id) => endSession(id, 'the server stops')));
      await shared.close();
    })();
    return closing;
  };
  const force = () => setTimeout(() => process.exit(0), 5_000).unref();
  process.on('SIGINT', () => void (force(), shutdown().then(() => process.exit(130))));
  process.on('SIGTERM', () => void (force(), shutdown().then(() => process.exit(143))));
  process.on('uncaughtException', (error) => logWarn(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => logWarn(`unhandled rejection: ${String(reason)}`));
  await new Promise<void>((done) => http.once('close', () => done()));
  await shutdown();
  return 0;
}
