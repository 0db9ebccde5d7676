import { closeSync, openSync, readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { LegibleError } from '../util/errors.js';
import { jsonLine, LineSplitter } from './jsonLines.js';
import { checkSocketOwner, isDaemonProcess, readState, STOPPED_ON_REQUEST, type DaemonPaths } from './paths.js';

/**
 * Reaching a workspace's daemon from a client (the `legible` command line, `legible-mcp
 * --daemon`): connect, or start it and say why it had to be started. Built-ins only, no MCP SDK:
 * the command line loads this on every call.
 */

/** Answers can hold images and videos' filmstrips; past this, the connection is dropped. */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** How long a starting daemon may take to listen (it loads the server; the browser comes later). */
const START_TIMEOUT_MS = 30_000;

/** The connection to the daemon broke before the answer came. */
export class DaemonGoneError extends LegibleError {
  constructor(paths: DaemonPaths) {
    super(
      `The Legible daemon stopped during the call (it crashed or was killed); the call's outcome is unknown.`,
      `Run the command again: a new daemon starts, with a new browser. Its log: ${paths.log}`,
      { kind: 'environment' },
    );
  }
}

/** A JSON-RPC error the daemon answered with. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** One connection to the daemon: JSON-RPC requests, answered in any order. */
export class DaemonConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private gone: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly paths: DaemonPaths,
  ) {
    const lines = new LineSplitter(
      (line) => this.receive(line),
      MAX_ANSWER_BYTES,
      () =>
        this.fail(
          new LegibleError('The daemon sent an answer too large to read.', 'Ask for less: a smaller page of output (--offset, --search, --limit), or a screenshot saved to a file (a path).', {
            kind: 'environment',
          }),
        ),
    );
    socket.on('data', (chunk: Buffer) => lines.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.fail(new DaemonGoneError(paths)));
  }

  private receive(line: string): void {
    let message: { id?: unknown; result?: unknown; error?: { code: number; message: string } };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    const waiter = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!waiter) return; // a notification (progress, logging): nothing waits for it
    this.pending.delete(message.id as number);
    if (message.error) waiter.reject(new RpcError(message.error.code, message.error.message));
    else waiter.resolve(message.result);
  }

  private fail(error: Error): void {
    this.gone ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    this.socket.destroy();
  }

  request<T>(method: string, params?: unknown): Promise<T> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.write(jsonLine({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    });
  }

  close(): void {
    this.socket.end();
    this.socket.unref();
  }

  get daemonPaths(): DaemonPaths {
    return this.paths;
  }
}

function connectSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** How to start a daemon when none answers. */
export interface StartSpec {
  /** The legible-mcp entry (dist/legible.mjs). */
  entry: string;
  /** Extra flags for `legible-mcp daemon` (browser and server options). */
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface Reached {
  connection: DaemonConnection;
  /** Said before the command's output: why a new daemon (and browser) had to be started. */
  notices: string[];
  started: boolean;
}

const where = (paths: DaemonPaths) => `${paths.workspace}${paths.session === 'default' ? '' : ` (session ${paths.session})`}`;

/**
 * Why no daemon answered, as a notice for the command that starts a new one; undefined when none
 * ever ran (a first start needs no explanation), and with `quietAfterStop` when it was stopped on
 * request (`legible daemon stop`: the user knows; not a restart to announce).
 */
function whyStarted(paths: DaemonPaths, code: string | undefined, quietAfterStop: boolean): string | undefined {
  const state = readState(paths.state);
  const lost = 'The browser was restarted: pages, refs and logs from before are gone.';
  if (code === 'ECONNREFUSED' || (state && !state.stopped)) {
    const pid = state?.pid ? ` (pid ${state.pid})` : '';
    return `The Legible daemon for ${where(paths)} had died${pid}; its stale socket was cleaned up and a new daemon started. ${lost}`;
  }
  if (state?.stopped?.reason === STOPPED_ON_REQUEST && quietAfterStop) return undefined;
  if (state?.stopped) {
    const apps = state.stopped.apps?.length ? ` Its apps were stopped too: ${state.stopped.apps.join(', ')}; start them again with legible app start.` : '';
    return `The Legible daemon for ${where(paths)} had stopped (${state.stopped.reason}); a new one started. ${lost}${apps}`;
  }
  return undefined;
}

/** Connects to the running daemon; undefined when none answers (nothing is started). */
export async function connectRunning(paths: DaemonPaths): Promise<DaemonConnection | undefined> {
  checkSocketOwner(paths.socket);
  try {
    return new DaemonConnection(await connectSocket(paths.socket), paths);
  } catch {
    return undefined;
  }
}

/** Connects to the workspace's daemon, starting it first when none answers. */
export async function reachDaemon(paths: DaemonPaths, start: StartSpec): Promise<Reached> {
  const { socket, notices, started } = await reachSocket(paths, start, { quietAfterStop: true });
  return { connection: new DaemonConnection(socket, paths), notices, started };
}

/** The same as reachDaemon, for a client that speaks over the socket itself (the stdio proxy). */
export async function reachSocket(paths: DaemonPaths, start: StartSpec, options: { quietAfterStop?: boolean } = {}): Promise<{ socket: Socket; notices: string[]; started: boolean }> {
  checkSocketOwner(paths.socket);
  let code: string | undefined;
  try {
    return { socket: await connectSocket(paths.socket), notices: [], started: false };
  } catch (error) {
    code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') {
      throw new LegibleError(`Could not reach the Legible daemon at ${paths.socket}: ${(error as Error).message}`, "Check the folder's permissions, or set LEGIBLE_RUNTIME_DIR.", {
        kind: 'environment',
      });
    }
  }
  const notice = whyStarted(paths, code, options.quietAfterStop ?? false);
  const socket = await startDaemon(paths, start);
  return { socket, notices: notice ? [notice] : [], started: true };
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-6).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts `legible-mcp daemon` detached (its own process group, output to its log) in the
 * workspace, and waits until its socket answers. Two commands starting one at once are fine: one
 * daemon takes the lock, the other exits, and both commands connect to the one that runs.
 */
export async function startDaemon(paths: DaemonPaths, start: StartSpec): Promise<Socket> {
  // Loaded here, not at the top: node:child_process costs a warm command several milliseconds.
  const { spawn } = await import('node:child_process');
  const log = openSync(paths.log, 'w', 0o600);
  let exited: number | null | undefined;
  try {
    const child = spawn(process.execPath, [start.entry, 'daemon', '--workspace', paths.workspace, '--session', paths.session, ...start.args], {
      cwd: paths.workspace,
      detached: true,
      stdio: ['ignore', log, log],
      env: start.env ?? process.env,
    });
    child.once('exit', (code) => {
      exited = code;
    });
    child.once('error', () => {
      exited = -1;
    });
    child.unref();
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      return await connectSocket(paths.socket);
    } catch {
      // not listening yet
    }
    if (exited !== undefined && exited !== 0) {
      const tail = logTail(paths.log);
      throw new LegibleError(
        `The Legible daemon did not start (exit code ${exited})${tail ? `:\n${tail}` : '.'}`,
        `Its log is at ${paths.log}.`,
        { kind: exited === 2 ? 'usage' : 'environment' },
      );
    }
    if (Date.now() > deadline) {
      throw new LegibleError(`The Legible daemon did not answer within ${START_TIMEOUT_MS / 1000} s of starting.`, `Its log is at ${paths.log}.`, { kind: 'environment' });
    }
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

/** The daemon's pid from its state file, when that process still runs. */
export function runningPid(paths: DaemonPaths): number | undefined {
  const state = readState(paths.state);
  return state && !state.stopped && isDaemonProcess(state.pid) ? state.pid : undefined;
}
