import { connectRunning, runningPid, startDaemon, type StartSpec } from '../daemon/client.js';
import { isDaemonProcess, readState, type DaemonPaths } from '../daemon/paths.js';
import { formatDuration } from '../telemetry/time.js';
import { EXIT } from './output.js';
import { usageError } from './parse.js';

interface Status {
  pid: number;
  workspace: string;
  session: string;
  uptimeMs: number;
  idleMs: number;
  idleTimeoutMs: number;
  connections: number;
  outputDir: string;
  socket: string;
  log: string;
  browser: { running: boolean; pages: { id: string; url: string }[] };
}

const where = (paths: DaemonPaths) => `${paths.workspace} (session ${paths.session})`;

/** "last command 2m ago, no other client" or "in use by 1 other client" (the status call is not counted). */
function use(s: Status): string {
  const others = s.connections - 1;
  if (others > 0) return `in use by ${others} other client${others === 1 ? '' : 's'}`;
  // Idle since it started: no command has come yet.
  return s.idleMs >= s.uptimeMs - 5 ? 'no command yet, no other client' : `last command ${formatDuration(s.idleMs)} ago, no other client`;
}

function notRunning(paths: DaemonPaths): string {
  const state = readState(paths.state);
  const last = state?.stopped ? ` The last one stopped ${formatDuration(Date.now() - state.stopped.at)} ago: ${state.stopped.reason}.` : '';
  return `No daemon runs for ${where(paths)}.${last} The next command starts one.`;
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isDaemonProcess(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** `legible daemon status|stop|start`: prints, returns the exit code and (for --json) the data. */
export async function daemonCommand(words: string[], paths: DaemonPaths, start: StartSpec): Promise<{ code: number; text: string; data: Record<string, unknown> }> {
  const [action, ...rest] = words;
  if (action === 'status') {
    if (rest.length) throw usageError(`daemon status takes no arguments.`, 'Usage: legible daemon status');
    const connection = await connectRunning(paths);
    if (!connection) return { code: EXIT.ok, text: notRunning(paths), data: { running: false, workspace: paths.workspace, session: paths.session } };
    try {
      const s = await connection.request<Status>('legible/status');
      const pages = s.browser.pages.map((p) => `${p.id} ${p.url}`).join(', ');
      const text = [
        `Daemon for ${where(paths)}: pid ${s.pid}, up ${formatDuration(s.uptimeMs)}, ${use(s)} (it stops after ${formatDuration(s.idleTimeoutMs)} with no client).`,
        `Browser: ${s.browser.running ? `running, ${s.browser.pages.length} tab${s.browser.pages.length === 1 ? '' : 's'}${pages ? `: ${pages}` : ''}` : 'not started (the first page command launches it)'}.`,
        `Output folder: ${s.outputDir}`,
        `Socket: ${s.socket}  Log: ${s.log}`,
      ].join('\n');
      return { code: EXIT.ok, text, data: { running: true, ...s } };
    } finally {
      connection.close();
    }
  }
  if (action === 'stop') {
    if (rest.length) throw usageError(`daemon stop takes no arguments.`, 'Usage: legible daemon stop');
    const connection = await connectRunning(paths);
    if (!connection) return { code: EXIT.ok, text: notRunning(paths), data: { running: false } };
    let pid: number;
    try {
      pid = (await connection.request<{ pid: number }>('legible/stop')).pid;
    } finally {
      connection.close();
    }
    const gone = await waitForExit(pid, 15_000);
    if (!gone) process.kill(pid, 'SIGKILL');
    return { code: EXIT.ok, text: `Stopped the daemon for ${where(paths)} (pid ${pid}); its browser is closed${gone ? '' : ' (it had to be killed)'}.`, data: { stopped: true, pid } };
  }
  if (action === 'start') {
    const pid = runningPid(paths);
    const connection = pid ? undefined : await connectRunning(paths);
    if (pid || connection) {
      connection?.close();
      return { code: EXIT.ok, text: `A daemon already runs for ${where(paths)}${pid ? ` (pid ${pid})` : ''}; stop it first to start one with other options.`, data: { running: true, pid } };
    }
    const socket = await startDaemon(paths, { ...start, args: [...start.args, ...rest] });
    socket.destroy();
    const started = readState(paths.state);
    return { code: EXIT.ok, text: `Started the daemon for ${where(paths)} (pid ${started?.pid ?? '?'}).`, data: { started: true, pid: started?.pid } };
  }
  throw usageError(action ? `Unknown command "daemon ${action.slice(0, 40)}".` : 'daemon needs one of: status, stop, start.', 'Usage: legible daemon status|stop|start');
}
