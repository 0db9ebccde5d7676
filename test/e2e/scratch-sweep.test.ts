/**
 * Chromium's scratch folders (`legible-chromium-<pid>-XXXXXX` in the temp folder: its TMPDIR and
 * profile) of a Legible that was killed outright are removed by the next Legible that launches a
 * browser, and never those of a Legible that still runs. Only folders this test made or whose
 * owner it started are looked at, in a temp folder of the test's own (TMPDIR): every Legible
 * on a shared machine sweeps its temp folder when it launches a browser, and would otherwise
 * remove the killed Legible's folder before the test looks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserChildren, isAlive, waitForExit } from '../helpers/e2e.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

const temp = mkdtempSync(join(tmpdir(), 'legible-sweep-test-'));
const env = { TMPDIR: temp };
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
    rmSync(temp, { recursive: true, force: true });
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
