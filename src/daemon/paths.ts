import { existsSync, lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LegibleError } from '../util/errors.js';
import { processRuns } from '../util/process.js';

/**
 * Where a workspace's daemon lives. Loaded by the `legible` command line on every call, so it
 * uses Node's built-ins only (no zod, no MCP SDK).
 */

/** A daemon's session name when none is given. */
export const DEFAULT_SESSION = 'default';

const SESSION_NAME = /^[\w.-]{1,40}$/;

export function checkSessionName(name: string): string {
  if (!SESSION_NAME.test(name)) {
    throw new LegibleError(
      `Session names are 1-40 letters, digits, dots, dashes or underscores, not ${JSON.stringify(name.slice(0, 100))}.`,
      'For example --session review.',
      { kind: 'usage' },
    );
  }
  return name;
}

/**
 * The workspace a command belongs to: the nearest folder upwards from `cwd` with a `.git` (a
 * folder in a clone, a file in a git worktree), else `cwd` itself. Each worktree gets its own
 * daemon, browser and apps.
 */
export function findWorkspace(cwd: string): string {
  const start = resolve(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/**
 * A short, stable name for (workspace, session): FNV-1a over both, 64 bits in hex. Not a
 * security boundary (the folder's permissions are); it only has to keep two workspaces apart
 * and keep the socket path well under the 107-byte limit of a Unix socket's path. Hand-written
 * rather than node:crypto because the command line pays for every module it loads.
 */
export function daemonKey(workspace: string, session: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(`${workspace}\0${session}`, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

const uid = (): number | undefined => (typeof process.getuid === 'function' ? process.getuid() : undefined);

/**
 * The folder for the daemons' sockets and state: LEGIBLE_RUNTIME_DIR, else
 * $XDG_RUNTIME_DIR/legible, else <tmp>/legible-<uid>. Created with mode 0700; refused when it
 * belongs to another user or others may write to it (someone could plant a socket there).
 */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.LEGIBLE_RUNTIME_DIR
    ? resolve(env.LEGIBLE_RUNTIME_DIR)
    : env.XDG_RUNTIME_DIR
      ? join(env.XDG_RUNTIME_DIR, 'legible')
      : join(tmpdir(), `legible-${uid() ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new LegibleError(`Could not create the daemon folder ${dir}: ${(error as Error).message}`, 'Set LEGIBLE_RUNTIME_DIR to a folder you own.', {
      kind: 'environment',
    });
  }
  const stat = statSync(dir);
  const me = uid();
  if (me !== undefined && stat.uid !== me) {
    throw new LegibleError(
      `The daemon folder ${dir} belongs to user ${stat.uid}, not to you (${me}); Legible will not use another user's sockets.`,
      'Remove that folder, or set LEGIBLE_RUNTIME_DIR to a folder you own.',
      { kind: 'environment' },
    );
  }
  if (stat.mode & 0o022) {
    throw new LegibleError(
      `The daemon folder ${dir} may be written by others (mode ${(stat.mode & 0o777).toString(8)}).`,
      `Run chmod 700 ${dir}, or set LEGIBLE_RUNTIME_DIR to a private folder.`,
      { kind: 'environment' },
    );
  }
  return dir;
}

export interface DaemonPaths {
  workspace: string;
  session: string;
  key: string;
  /** The Unix socket it listens on. */
  socket: string;
  /** JSON: who runs it (pid, version, output folder, …), and after a clean stop why it stopped. */
  state: string;
  /** Its stderr. */
  log: string;
  /** Held (created exclusively, holding the pid) by the one daemon of this key. */
  lock: string;
}

export function daemonPaths(workspace: string, session: string, env: NodeJS.ProcessEnv = process.env): DaemonPaths {
  const key = daemonKey(workspace, session);
  const dir = runtimeDir(env);
  return { workspace, session, key, socket: join(dir, `${key}.sock`), state: join(dir, `${key}.json`), log: join(dir, `${key}.log`), lock: join(dir, `${key}.lock`) };
}

/** What a daemon writes to its state file. */
/** The reason a daemon's state gives when `legible daemon stop` stopped it (a deliberate stop, not a failure). */
export const STOPPED_ON_REQUEST = 'legible daemon stop';

export interface DaemonState {
  pid: number;
  version: string;
  workspace: string;
  session: string;
  socket: string;
  outputDir: string;
  log: string;
  startedAt: number;
  idleTimeoutMs: number;
  /** Set when it stopped cleanly: why (STOPPED_ON_REQUEST for `legible daemon stop`) and when, and the apps it stopped that were still running. */
  stopped?: { at: number; reason: string; apps?: string[] };
}

export function readState(path: string): DaemonState | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DaemonState;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a socket that another user owns: talking to it would hand them our commands (and
 * their answers would be theirs to make up).
 */
export function checkSocketOwner(socket: string): void {
  let owner: number;
  try {
    owner = lstatSync(socket).uid;
  } catch {
    return;
  }
  const me = uid();
  if (me !== undefined && owner !== me) {
    throw new LegibleError(
      `The daemon socket ${socket} belongs to user ${owner}, not to you (${me}); Legible refuses to use it.`,
      'Remove it if it is left over, or set LEGIBLE_RUNTIME_DIR to a folder you own.',
      { kind: 'environment' },
    );
  }
}

/** True when `pid` runs and looks like a Legible daemon (on Linux, by its command line). */
export function isDaemonProcess(pid: number): boolean {
  if (!processRuns(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('daemon');
  } catch {
    return true; // no /proc: a live pid is the best we know
  }
}
