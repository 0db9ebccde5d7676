import { spawn, type ChildProcess } from 'node:child_process';
import { sleep } from '../util/time.js';
import type { OutputCapture } from './outputCapture.js';
import { groupMembers } from './processTable.js';

/** How a process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Epoch ms. */
  at: number;
  /** It could not be started at all (ENOENT: no such command, EACCES, …). */
  spawnError?: NodeJS.ErrnoException;
}

export interface SpawnSpec {
  /** argv, or a shell command line (run with /bin/sh -c). */
  command: string[] | string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The graceful signal's wait before SIGKILL, and SIGKILL's own wait: together under the CLI's 5 s exit limit. */
export const STOP_GRACE_MS = 2_500;
const KILL_WAIT_MS = 1_000;

/**
 * One started app process, the leader of its own process group (`detached`), so that stopping it
 * reaches everything it started in turn: npm → sh → node → esbuild, and so on.
 */
export class AppProcess {
  readonly child: ChildProcess;
  readonly startedAt = Date.now();
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  constructor(spec: SpawnSpec, capture: OutputCapture) {
    const [file, args] = typeof spec.command === 'string' ? ['/bin/sh', ['-c', spec.command]] : [spec.command[0]!, spec.command.slice(1)];
    this.child = spawn(file, args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    capture.attach(this.child.stdout!, 'stdout');
    capture.attach(this.child.stderr!, 'stderr');
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        // 'error' without a pid: the program could not be started; with one, a later failure to kill.
        if (this.child.pid === undefined) resolve((this.exitInfo = { code: null, signal: null, at: Date.now(), spawnError: error }));
      });
      this.child.once('exit', (code, signal) => resolve((this.exitInfo = { code, signal, at: Date.now() })));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Undefined while it runs. */
  exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Whether any process of its group is still alive. */
  groupAlive(): boolean {
    return this.pid !== undefined && groupAlive(this.pid);
  }

  /**
   * Stops the whole process group: SIGTERM, then SIGKILL for what is left after `graceMs`.
   * Resolves once the group is gone (or the waits ran out) with how the leader exited.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<ExitInfo> {
    const pid = this.pid;
    if (pid !== undefined) {
      signalGroup(pid, 'SIGTERM');
      if (!(await waitForGroupExit(pid, graceMs))) {
        signalGroup(pid, 'SIGKILL');
        await waitForGroupExit(pid, KILL_WAIT_MS);
      }
    }
    return this.exitInfo ?? (await Promise.race([this.exited, sleep(KILL_WAIT_MS).then(() => ({ code: null, signal: 'SIGKILL' as const, at: Date.now() }))]));
  }

  /** SIGKILL to the group at once, synchronously (for process exit, where nothing can be awaited). */
  killNow(): void {
    if (this.pid !== undefined) signalGroup(this.pid, 'SIGKILL');
  }
}

/** Sends a signal to a process group; a group that is already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** Whether any live process is left in the group (zombies waiting to be reaped do not count). */
export function groupAlive(pgid: number): boolean {
  const members = groupMembers(pgid);
  if (members) return members.length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until the group is empty; false when `timeoutMs` ran out first. */
export async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 10; groupAlive(pgid); wait = Math.min(wait * 2, 100)) {
    if (Date.now() >= deadline) return false;
    await sleep(wait);
  }
  return true;
}
