import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixture apps (test/fixtures/apps) and the programs they are run with. */
export const APP_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'apps');
export const NODE = process.execPath;
export const VITE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');

const workspaces: string[] = [];

/** A fresh workspace folder holding a legible.config.json with these apps (removed by removeWorkspaces). */
export async function appsWorkspace(apps: Record<string, unknown>, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'legible-apps-'));
  workspaces.push(dir);
  await writeFile(join(dir, 'legible.config.json'), JSON.stringify({ apps }, null, 2));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** The OpenTelemetry-instrumented fixture app (test/fixtures/otel-app), and the command that runs it. */
export const OTEL_APP = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'otel-app');
export const OTEL_APP_ARGS = ['--require', join(OTEL_APP, 'instrumentation.cjs'), join(OTEL_APP, 'app.cjs')];

/** The instrumented fixture app as a config entry: on a free port, ready at its "listening" line; `more` added or overriding. */
export function otelApp(env: Record<string, string>, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { command: [NODE, ...OTEL_APP_ARGS], port: 'auto', ready: { log: '^listening', timeout: '30s' }, env, ...more };
}

/** A fixture app run with node: `{ command: [node, <fixture>], port: "auto", ...more }`. */
export function nodeApp(fixture: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return { command: [NODE, join(APP_FIXTURES, fixture)], port: 'auto', ...more };
}

/**
 * The live processes that a given Legible server started: those whose environment carries its
 * marker (LEGIBLE_APP=<its pid>-…). Other engineers' processes on this machine are never looked at
 * beyond that.
 */
export function processesOf(legiblePid: number): number[] {
  const prefix = `LEGIBLE_APP=${legiblePid}-`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').some((entry) => entry.startsWith(prefix))) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Waits (bounded) until a Legible server's app processes are all gone; returns those left. */
export async function waitForNoProcessesOf(legiblePid: number, timeoutMs = 8_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesOf(legiblePid);
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = processesOf(legiblePid);
  }
  return left;
}

/** Removes the workspaces this test file made. */
export async function removeWorkspaces(): Promise<void> {
  await Promise.all(workspaces.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}
