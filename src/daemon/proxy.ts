import type { Socket } from 'node:net';
import { logWarn } from '../util/log.js';
import { reachSocket, type StartSpec } from './client.js';
import { jsonLine, LineSplitter } from './jsonLines.js';
import type { DaemonPaths } from './paths.js';

/** What the proxy reads from stdin; larger lines are refused, as the daemon would. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

type Message = { jsonrpc?: string; id?: string | number | null; method?: string; params?: unknown; result?: unknown; error?: unknown };

/**
 * `legible-mcp --daemon`: MCP on stdio, served by the workspace's daemon, so the agent's MCP
 * tools and the legible command line act on the same browser. Lines are passed through as they
 * are (the daemon is an MCP server); the proxy only remembers the client's `initialize`, so that
 * when the daemon dies it can start a new one, greet it the same way, and tell the client (as a
 * notice in the next tool result) that the browser was restarted. Calls that were in flight when
 * it died are answered with an error that says so.
 */
export async function runProxy(paths: DaemonPaths, start: StartSpec): Promise<void> {
  let socket: Socket | undefined;
  let connecting: Promise<Socket> | undefined;
  let initialize: Message | undefined;
  let initialized: Message | undefined;
  let notices: string[] = [];
  const inFlight = new Map<string | number, string>();
  const replayIds = new Set<string>();
  let replays = 0;
  let ending = false;

  const out = (message: unknown) => process.stdout.write(jsonLine(message));

  const fromDaemon = (line: string) => {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      return;
    }
    if (message.id !== undefined && message.id !== null && !message.method) {
      if (typeof message.id === 'string' && replayIds.delete(message.id)) return; // our replayed initialize
      const method = inFlight.get(message.id);
      inFlight.delete(message.id);
      if (method === 'tools/call' && notices.length && message.result && typeof message.result === 'object') {
        const result = message.result as { content?: { type: string; text?: string }[] };
        result.content = [{ type: 'text', text: notices.map((n) => `Notice: ${n}`).join('\n') }, ...(result.content ?? [])];
        notices = [];
      }
    }
    out(message);
  };

  const lost = () => {
    socket = undefined;
    for (const [id, method] of inFlight) {
      const text = 'Error: The Legible daemon stopped during the call (it crashed or was killed); the outcome is unknown.\nNext: call again: a new daemon starts, with a new browser.';
      out(method === 'tools/call' ? { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }], isError: true } } : { jsonrpc: '2.0', id, error: { code: -32603, message: text } });
    }
    inFlight.clear();
  };

  const connect = (): Promise<Socket> => {
    connecting ??= (async () => {
      const reached = await reachSocket(paths, start);
      notices.push(...reached.notices);
      const next = reached.socket;
      const lines = new LineSplitter(fromDaemon, Number.MAX_SAFE_INTEGER, () => undefined);
      next.on('data', (chunk: Buffer) => lines.push(chunk));
      next.on('error', (error) => logWarn(`daemon connection: ${error.message}`));
      next.on('close', () => {
        if (socket === next) lost();
      });
      if (initialize && replays++ > 0) {
        // A new daemon: greet it as the client greeted the first one.
        const id = `legible-proxy-initialize-${replays}`;
        replayIds.add(id);
        next.write(jsonLine({ ...initialize, id }));
        if (initialized) next.write(jsonLine(initialized));
      }
      socket = next;
      return next;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  let queue = Promise.resolve();
  const fromClient = (line: string) => {
    let message: Message;
    try {
      message = JSON.parse(line) as Message;
    } catch {
      out({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: not JSON.' } });
      return;
    }
    if (message.method === 'initialize') {
      initialize = message;
      replays = Math.max(replays, 1);
    }
    if (message.method === 'notifications/initialized') initialized = message;
    queue = queue.then(async () => {
      let target: Socket;
      try {
        target = socket ?? (await connect());
      } catch (error) {
        const text = `Error: ${(error as Error).message}`;
        if (message.id !== undefined && message.id !== null) {
          out(message.method === 'tools/call' ? { jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text }], isError: true } } : { jsonrpc: '2.0', id: message.id, error: { code: -32603, message: text } });
        }
        return;
      }
      if (message.id !== undefined && message.id !== null && message.method) inFlight.set(message.id, message.method);
      target.write(jsonLine(message));
    });
  };

  const input = new LineSplitter(fromClient, MAX_LINE_BYTES, () =>
    out({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `Message too long: at most ${MAX_LINE_BYTES} bytes.` } }),
  );
  await connect().catch((error: unknown) => logWarn(`could not reach the daemon yet: ${(error as Error).message}`));
  process.stdin.on('data', (chunk: Buffer) => input.push(chunk));
  await new Promise<void>((done) => {
    const end = () => {
      if (ending) return;
      ending = true;
      void queue.then(() => {
        socket?.end();
        done();
      });
    };
    process.stdin.on('end', end);
    process.stdin.on('close', end);
  });
}
