/**
 * Chromium's scratch folders (`legible-chromium-<pid>-XXXXXX` in the temp folder: its TMPDIR and
 * profile) of a Legible that was killed outright are removed by the next Legible that launches a
 * browser, and never those of a Legible that still runs. Only folders this test made or whose
 * owner it started are looked at, in a temp folder of the test's own (TMPDIR): every Legible
 * on a shared machine sweeps its temp folder when it launches a browser, and would otherwise
 * remove the killed Legible's folder before the test looks. The same through the command line,
 * for a daemon killed outright whose parent has not reaped it yet (a zombie: a detached daemon's
 * parent is PID 1, which in a container may reap late or never).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserChildren, isAlive, waitForExit } from '../helpers/e2e.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';
import { makeWorkspace, type Workspace } from '../helpers/cli.js';
import { SERVER_ENTRY, startLegible, type LegibleClient } from '../helpers/mcpClient.js';
import { daemonPaths } from '../../src/daemon/paths.js';

const temp = mkdtempSync(join(tmpdir(), 'legible-sweep-test-'));
const env = { TMPDIR: temp };
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const scratchOf = (pid: number) => readdirSync(temp).filter((name) => name.startsWith(`legible-chromium-${pid}-`));

describe('scratch folders of a Legible killed outright', () => {
  let fixtures: FixtureServer;
  const made: string[] = [];
  let survivor: LegibleClient | undefined;
  beforeAll(async () => {
    fixtures = await startFixtureServer();
  });
  afterAll(async () => {
    await survivor?.close();
    await fixtures?.close();
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('are swept by the next launch; a living owner keeps its own', async () => {
    const first = await startLegible([], env);
    const pid = first.pid()!;
    expect((await first.call('navigate', { url: `${fixtures.url}/form.html` })).isError).toBe(false);
    const [folder] = scratchOf(pid);
    expect(folder).toBeDefined();
    const browser = browserChildren(pid);
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid);
    for (const child of browser) await waitForExit(child, 15_000); // its pipe closed: the browser goes
    await first.close().catch(() => undefined);
    // Left behind by the kill: in the test's own temp folder no other Legible (another test file
    // running in parallel, another worktree's) sweeps it first.
    expect(existsSync(join(temp, folder!))).toBe(true);

    // A folder of a process that lives (this test's) and one of a process that is gone.
    const living = join(temp, `legible-chromium-${process.pid}-sw33pt`);
    const gonePid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const gone = join(temp, `legible-chromium-${gonePid}-g0neXX`);
    for (const dir of [living, gone]) mkdirSync(dir);
    made.push(living, gone);
    expect(isAlive(Number(gonePid))).toBe(false);

    survivor = await startLegible([], env);
    expect((await survivor.call('navigate', { url: `${fixtures.url}/form.html` })).isError).toBe(false);
    expect(existsSync(join(temp, folder!))).toBe(false);
    expect(existsSync(gone)).toBe(false);
    expect(existsSync(living)).toBe(true);
    expect(scratchOf(survivor.pid()!)).toHaveLength(1);
  });
});

/** A process's state letter from ps (Z: a zombie), or undefined when it is gone. */
function processState(pid: number): string | undefined {
  try {
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim()[0];
  } catch {
    return undefined;
  }
}

describe("the scratch folder of a daemon killed outright and not yet reaped", () => {
  let fixtures: FixtureServer;
  let ws: Workspace;
  let parent: ChildProcess | undefined;
  beforeAll(async () => {
    fixtures = await startFixtureServer();
    ws = await makeWorkspace('sweep-daemon');
  });
  afterAll(async () => {
    // Its parent gone, the zombie is reaped.
    parent?.kill('SIGKILL');
    await ws?.dispose();
    await fixtures?.close();
  });

  it('is swept when the next command starts a new daemon', async () => {
    const env = { ...(process.env as Record<string, string>), ...ws.env, TMPDIR: temp };
    // The daemon as the command line starts it, but under a parent that never reaps it (sh execs sleep).
    parent = spawn('sh', ['-c', `"${process.execPath}" "${SERVER_ENTRY}" daemon --workspace "${ws.dir}" --session default & exec sleep 300`], { cwd: ws.dir, env, stdio: 'ignore' });
    const socket = daemonPaths(ws.dir, 'default', ws.env).socket;
    const deadline = Date.now() + 20_000;
    while (!(await new Promise<boolean>((answered) => connect(socket).once('connect', function (this: ReturnType<typeof connect>) { this.destroy(); answered(true); }).once('error', () => answered(false))))) {
      if (Date.now() > deadline) throw new Error('the daemon did not listen');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const opened = await ws.run(['open', `${fixtures.url}/form.html`], { env: { TMPDIR: temp } });
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    const pid = ws.daemonPid()!;
    const [folder] = scratchOf(pid);
    expect(folder, `no scratch folder of ${pid} in ${readdirSync(temp).join(', ')}`).toBeDefined();
    const browser = browserChildren(pid);
    process.kill(pid, 'SIGKILL');
    for (const child of browser) await waitForExit(child, 15_000);
    expect(processState(pid)).toBe('Z');

    const next = await ws.run(['open', `${fixtures.url}/form.html`], { env: { TMPDIR: temp } });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toContain(`had died (pid ${pid})`);
    expect(existsSync(join(temp, folder!))).toBe(false);
    expect(scratchOf(ws.daemonPid()!)).toHaveLength(1);
  });
});
