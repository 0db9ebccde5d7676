import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { SERVER_ENTRY } from './mcpClient.js';

/** A JSON-RPC message as the server wrote it to stdout. */
export interface RpcMessage {
  jsonrpc: string;
  id?: unknown;
  result?: { content?: { type: string; text?: string }[]; isError?: boolean; [key: string]: unknown };
  error?: { code: number; message: string };
}

/**
 * The built server driven over raw stdio, with no MCP client in between, for what a client
 * library would never send: oversized lines, malformed JSON, unusable ids.
 */
export interface RawServer {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything the server wrote on stderr so far. */
  stderr(): string;
  /** Writes `text` and a newline to the server's stdin (waiting for the pipe to drain). */
  send(text: string): Promise<void>;
  request(method: string, params: unknown, id: number | string): Promise<RpcMessage>;
  /** The next message on stdout that `matches`, within `timeoutMs`. */
  next(matches: (message: RpcMessage) => boolean, timeoutMs?: number): Promise<RpcMessage>;
  /** Closes stdin and waits for the exit code. */
  close(): Promise<number | null>;
}

export async function startRaw(args: string[] = []): Promise<RawServer> {
  const child = spawn(process.execPath, [SERVER_ENTRY, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  let pending = '';
  const inbox: RpcMessage[] = [];
  const waiters = new Set<() => void>();
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim()) inbox.push(JSON.parse(line) as RpcMessage);
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server: RawServer = {
    child,
    stderr: () => err,
    send: (text) =>
      new Promise((resolve, reject) => {
        child.stdin.write(`${text}\n`, (error) => (error ? reject(error) : resolve()));
      }),
    async request(method, params, id) {
      await server.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      return server.next((message) => message.id === id);
    },
    next: (matches, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const index = inbox.findIndex(matches);
          if (index < 0) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(inbox.splice(index, 1)[0]!);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching message within ${timeoutMs} ms; stderr:\n${err.slice(-2_000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    async close() {
      child.stdin.end();
      return exited;
    },
  };
  await server.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-stdio-test', version: '1' } }, 'init');
  await server.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  return server;
}
