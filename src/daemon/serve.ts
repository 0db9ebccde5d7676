import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config/config.js';
import { createMcpServer } from '../server/createServer.js';
import { serveUntilStopped } from '../server/lifecycle.js';
import { listedTools } from '../server/toolListing.js';
import { ServerContext } from '../server/serverContext.js';
import { Workspace } from '../server/workspace.js';
import { formatDuration } from '../telemetry/time.js';
import { errorMessage } from '../util/errors.js';
import { logWarn } from '../util/log.js';
import { VERSION } from '../util/version.js';
import { daemonPaths, isDaemonProcess, STOPPED_ON_REQUEST, type DaemonPaths, type DaemonState } from './paths.js';
import { SocketTransport } from './socketTransport.js';

export interface DaemonOptions {
  workspace: string;
  session: string;
  /** Stop after this long with no client connected. */
  idleTimeoutMs: number;
}

/**
 * While apps the daemon started run, it does not count as idle (an agent may spend a long while
 * on a fix and come back to its app), up to this many times --idle-timeout unused (30 m: 4 h);
 * then it stops, apps included, and the next command's notice names them.
 */
export const APPS_IDLE_FACTOR = 8;

/** The daemon's own requests, next to MCP's: `legible/status` and `legible/stop`. */
export const DAEMON_METHOD_PREFIX = 'legible/';

const say = (text: string) => process.stderr.write(`legible daemon: ${text}\n`);

/** Takes the daemon's lock (a file created exclusively, holding our pid); false when another daemon holds it. */
function takeLock(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (holder && holder !== process.pid && isDaemonProcess(holder)) return false;
      rmSync(path, { force: true }); // left by a daemon that died
    }
  }
  return false;
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((done) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      done(true);
    });
    probe.once('error', () => done(false));
  });
}

function writeState(paths: DaemonPaths, state: DaemonState): void {
  const temporary = `${paths.state}.${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, paths.state);
}

/**
 * Runs the daemon of one workspace and session until it is stopped (legible daemon stop, a
 * signal, or the idle timeout): one ServerContext (one browser, its tabs, journeys, recordings)
 * and one Workspace (the apps) shared by every connection, each connection its own MCP server.
 * Calls on one tab are serialised by the tab's mutex, whichever connection they come from. It is
 * idle when no client is connected and no app it started runs; with apps running it waits up to
 * APPS_IDLE_FACTOR times as long. Ends the process (serveUntilStopped).
 */
export async function runDaemon(config: Config, options: DaemonOptions, toolList?: URL): Promise<number> {
  process.umask(0o077);
  const paths = daemonPaths(options.workspace, options.session);
  if (!takeLock(paths.lock)) {
    say(`another daemon already serves ${options.workspace} (session ${options.session}).`);
    return 0;
  }
  if (await socketAnswers(paths.socket)) {
    rmSync(paths.lock, { force: true });
    say(`a daemon already answers on ${paths.socket}.`);
    return 0;
  }
  rmSync(paths.socket, { force: true }); // a stale socket: its daemon died
  const workspace = new Workspace(config);
  const context = new ServerContext(config, undefined, workspace);
  // Made once: every connection's server shows the same tools/list.
  const tools = await listedTools(config, toolList);
  const ready = Promise.resolve(context);
  const connections = new Set<Socket>();
  const startedAt = Date.now();
  let lastActivity = startedAt;
  let idleTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  const state: DaemonState = {
    pid: process.pid,
    version: VERSION,
    workspace: options.workspace,
    session: options.session,
    socket: paths.socket,
    outputDir: resolve(config.outputDir),
    log: paths.log,
    startedAt,
    idleTimeoutMs: options.idleTimeoutMs,
  };

  /** No client for idleTimeoutMs: stop, unless apps run and the longer bound is not reached yet. */
  const checkIdle = () => {
    if (connections.size || serving.stopping) return;
    const unused = Date.now() - lastActivity;
    const apps = workspace.runningApps();
    const limit = apps.length ? options.idleTimeoutMs * APPS_IDLE_FACTOR : options.idleTimeoutMs;
    if (unused < limit) {
      idleTimer = setTimeout(checkIdle, Math.min(limit - unused, options.idleTimeoutMs));
      idleTimer.unref();
      return;
    }
    const reason = apps.length
      ? `unused for ${formatDuration(unused)} while its apps ran (${apps.join(', ')}; it waits ${APPS_IDLE_FACTOR}× --idle-timeout for running apps), so it stopped them too`
      : `idle for ${formatDuration(options.idleTimeoutMs)}`;
    void serving.shutdown(reason, 0);
  };
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (connections.size) return;
    idleTimer = setTimeout(checkIdle, options.idleTimeoutMs);
    idleTimer.unref();
  };

  const server: Server = createServer((socket) => void accept(socket));

  // Signals, legible daemon stop and the idle timeout all end the daemon the one way every mode ends.
  const serving = serveUntilStopped(workspace, async (reason) => {
    stopping = true;
    say(`stopping: ${reason}`);
    clearTimeout(idleTimer);
    server.close();
    // Let answers already on their way out leave before the connections go.
    for (const socket of connections) socket.end();
    const apps = workspace.runningApps();
    await Promise.allSettled([
      context.close().catch((error: unknown) => logWarn(`closing the browser: ${errorMessage(error)}`)),
      workspace.close().catch((error: unknown) => logWarn(`stopping the apps: ${errorMessage(error)}`)),
    ]);
    rmSync(paths.socket, { force: true });
    writeState(paths, { ...state, stopped: { at: Date.now(), reason, ...(apps.length ? { apps } : {}) } });
    rmSync(paths.lock, { force: true });
  });

  const status = () => ({
    ...state,
    uptimeMs: Date.now() - startedAt,
    idleMs: connections.size > 1 ? 0 : Date.now() - lastActivity,
    connections: connections.size,
    browser: { running: context.session.isConnected(), pages: context.openPages() },
    apps: workspace.runningApps(),
  });

  async function accept(socket: Socket): Promise<void> {
    if (stopping) {
      socket.destroy();
      return;
    }
    connections.add(socket);
    clearTimeout(idleTimer);
    // Idle time counts from the last MCP message (or the end of a connection that sent some):
    // `legible daemon status` itself, asking over its own connection, does not make it 0.
    let served = false;
    const transport = new SocketTransport(socket);
    const mcp = createMcpServer(config, tools, () => ready);
    await mcp.connect(transport);
    const forward = transport.onmessage!;
    transport.onmessage = (message: JSONRPCMessage) => {
      if ('method' in message && message.method.startsWith(DAEMON_METHOD_PREFIX) && 'id' in message) {
        const reply = (result: unknown) => transport.send({ jsonrpc: '2.0', id: message.id, result } as JSONRPCMessage);
        if (message.method === 'legible/status') void reply(status());
        else if (message.method === 'legible/stop') {
          void reply({ stopping: true, pid: process.pid }).then(() => serving.shutdown(STOPPED_ON_REQUEST, 0));
        } else {
          void transport.send({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: `Unknown method ${message.method}` } });
        }
        return;
      }
      served = true;
      lastActivity = Date.now();
      forward(message);
    };
    const closed = transport.onclose;
    transport.onclose = () => {
      closed?.();
      connections.delete(socket);
      if (served) lastActivity = Date.now();
      if (!stopping) armIdle();
    };
  }

  // Written before listening: a client that connects may read it at once (the output folder).
  writeState(paths, state);
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(paths.socket, () => {
      server.off('error', fail);
      ready();
    });
  });
  await chmod(paths.socket, 0o600);
  say(`pid ${process.pid} serves ${options.workspace} (session ${options.session}) on ${paths.socket}; stops after ${formatDuration(options.idleTimeoutMs)} idle.`);
  armIdle();
  await new Promise<void>((done) => server.once('close', () => done()));
  return serving.shutdown('its socket closed', 0);
}
