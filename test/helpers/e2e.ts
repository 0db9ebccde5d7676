import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { startFixtureServer, type FixtureServer } from './fixtureServer.js';
import { startLegible, type LegibleClient } from './mcpClient.js';

export interface E2eOptions {
  /** Command-line flags for the server. */
  args?: string[];
  /** Extra environment for the server. */
  env?: Record<string, string>;
  /** Give the server `--output-dir` in a fresh temporary folder (`legible-<prefix>-…`), removed afterwards. */
  outputDir?: string;
}

/** A fixture server and a Legible server for the tests of one file or describe block. */
export interface E2e {
  readonly fixtures: FixtureServer;
  readonly legible: LegibleClient;
  /** The `--output-dir` folder (only with the `outputDir` option). */
  readonly outputDir: string;
  /** Calls a tool, expects no error, and returns the text. */
  call(tool: string, args?: Record<string, unknown>): Promise<string>;
  /** Navigates to a fixture path, expects no error, and returns the navigate report. */
  open(path: string): Promise<string>;
  /** Takes a snapshot, expects no error, and returns it. */
  snapshot(args?: Record<string, unknown>): Promise<string>;
  /** Navigates to a fixture path and returns a fresh snapshot of the page. */
  openAndSnapshot(path: string): Promise<string>;
}

/**
 * Starts the fixture server and Legible before the tests of the current file (or describe block)
 * and stops both after them. Use the returned object's members inside tests and hooks only.
 */
export function useLegible(options: E2eOptions = {}): E2e {
  let fixtures: FixtureServer | undefined;
  let legible: LegibleClient | undefined;
  let outputDir: string | undefined;
  beforeAll(async () => {
    if (options.outputDir !== undefined) outputDir = await tempDir(options.outputDir);
    fixtures = await startFixtureServer();
    legible = await startLegible([...(outputDir ? ['--output-dir', outputDir] : []), ...(options.args ?? [])], options.env);
  });
  afterAll(async () => {
    await legible?.close();
    await fixtures?.close();
    if (outputDir) await rm(outputDir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not there: use it inside a test or hook, after useLegible's beforeAll`);
    return value;
  };
  const e2e: E2e = {
    get fixtures() {
      return started(fixtures, 'the fixture server');
    },
    get legible() {
      return started(legible, 'the Legible server');
    },
    get outputDir() {
      return started(outputDir, 'the output folder (pass the outputDir option)');
    },
    async call(tool, args = {}) {
      const result = await e2e.legible.call(tool, args);
      expect(result.isError, result.text).toBe(false);
      return result.text;
    },
    open: (path) => e2e.call('navigate', { url: `${e2e.fixtures.url}${path}` }),
    snapshot: (args = {}) => e2e.call('snapshot', args),
    async openAndSnapshot(path) {
      await e2e.open(path);
      return e2e.snapshot();
    },
  };
  return e2e;
}

/** The ref of the outline line `role "name" [ref=…]` (also inside diff lines such as `~ - …`). */
export function refOf(text: string, role: string, name: string): string {
  const quoted = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`- ${role} ${quoted} \\[ref=((?:f\\d+)?e\\d+)\\]`).exec(text);
  if (!match) throw new Error(`No ${role} ${JSON.stringify(name)} in:\n${text}`);
  return match[1]!;
}

/** The ref of the first line with this role (for unnamed elements such as a table). */
export function refOfRole(text: string, role: string): string {
  const match = new RegExp(`- ${role}(?: "[^"]*")? \\[ref=((?:f\\d+)?e\\d+)\\]`).exec(text);
  if (!match) throw new Error(`No ${role} in:\n${text}`);
  return match[1]!;
}

/** The first group of `pattern` in `text` (a path, an id or a count in a tool's report). */
export function groupOf(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  if (!match) throw new Error(`no ${pattern} in:\n${text}`);
  return match[1]!;
}

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `legible-${prefix}-`));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Asks `probe` every `pollMs` until it gives a value (not undefined or false) and returns it;
 * after `timeoutMs` fails naming `what`.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, pollMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Waits (bounded) until an OS process has exited; for crash tests, not for page effects. */
export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The browser processes the server launched (its direct children). */
export function browserChildren(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['--ppid', String(pid), '-o', 'pid=,comm='], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there are none
  }
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([child, comm]) => child && /chrom/i.test(comm ?? ''))
    .map(([child]) => Number(child));
}

/** Kills the browser a server launched, as a crash would, and waits until it is gone. */
export async function killBrowser(serverPid: number): Promise<number[]> {
  const children = browserChildren(serverPid);
  for (const child of children) process.kill(child, 'SIGKILL');
  for (const child of children) await waitForExit(child);
  return children;
}
