import { execFile, execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemonPaths, type DaemonState } from '../../src/daemon/paths.js';
import { isAlive, tempDir, waitForExit } from './e2e.js';

/** The bundle the legible bin runs: tests drive exactly what users get. */
export const CLI_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'legible-cli.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A workspace (a temporary folder with a .git, as a worktree has) and a private runtime folder for its daemons. */
export interface Workspace {
  dir: string;
  env: Record<string, string>;
  /** Runs `legible …` in the workspace. */
  run(args: string[], options?: { env?: Record<string, string>; cwd?: string }): Promise<CliRun>;
  /** The pid of the workspace's daemon from its state file (undefined when none runs). */
  daemonPid(session?: string): number | undefined;
  /** Every daemon this workspace ever started (pids), for the final check. */
  readonly started: Set<number>;
  /** Stops its daemons, checks that they and their browsers are gone, removes the folders. */
  dispose(): Promise<void>;
}

export function runCli(args: string[], cwd: string, env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_ENTRY, ...args], { cwd, env: { ...(process.env as Record<string, string>), ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 99) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The processes whose parent is `pid` (the daemon's browser). */
export function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter(Boolean);
  } catch {
    return [];
  }
}

export async function makeWorkspace(prefix: string, runtimeDir?: string): Promise<Workspace> {
  const dir = await tempDir(`${prefix}-ws`);
  await mkdir(join(dir, '.git'));
  const runtime = runtimeDir ?? (await tempDir(`${prefix}-rt`));
  const env = { LEGIBLE_RUNTIME_DIR: runtime, LEGIBLE_SESSION: '' };
  const started = new Set<number>();
  const browsers = new Set<number>();
  const stateOf = (session = 'default'): DaemonState | undefined => {
    try {
      return JSON.parse(readFileSync(daemonPaths(dir, session, env).state, 'utf8')) as DaemonState;
    } catch {
      return undefined;
    }
  };
  const note = (session?: string) => {
    const state = stateOf(session);
    if (state && !state.stopped) {
      started.add(state.pid);
      for (const child of childrenOf(state.pid)) browsers.add(child);
    }
  };
  const workspace: Workspace = {
    dir,
    env,
    started,
    async run(args, options = {}) {
      const result = await runCli(args, options.cwd ?? dir, { ...env, ...options.env });
      const session = args.includes('--session') ? args[args.indexOf('--session') + 1] : undefined;
      note(session);
      return result;
    },
    daemonPid(session) {
      const state = stateOf(session);
      return state && !state.stopped && isAlive(state.pid) ? state.pid : undefined;
    },
    async dispose() {
      for (const pid of started) {
        if (isAlive(pid)) {
          for (const child of childrenOf(pid)) browsers.add(child);
          process.kill(pid, 'SIGTERM');
        }
      }
      for (const pid of started) await waitForExit(pid, 15_000).catch(() => process.kill(pid, 'SIGKILL'));
      // A daemon's browser goes with it (closed, or its pipe closes when the daemon dies).
      for (const pid of browsers) await waitForExit(pid, 15_000);
      await rm(dir, { recursive: true, force: true });
      if (!runtimeDir) await rm(runtime, { recursive: true, force: true });
    },
  };
  return workspace;
}
