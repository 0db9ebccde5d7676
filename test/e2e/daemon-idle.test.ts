/**
 * The daemon's idle stop and the apps it started: while an app runs, the daemon does not count
 * as idle (an agent may spend long on a fix and come back to its app), up to APPS_IDLE_FACTOR
 * times --idle-timeout; then it stops, apps included, and the next command's notice names them.
 * Only the processes this test's daemon started are looked at.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APPS_IDLE_FACTOR } from '../../src/daemon/serve.js';
import { nodeApp, processesOf, waitForNoProcessesOf } from '../helpers/apps.js';
import { makeWorkspace, type Workspace } from '../helpers/cli.js';
import { isAlive, waitForExit } from '../helpers/e2e.js';

const workspaces: Workspace[] = [];
afterAll(async () => {
  for (const ws of workspaces) await ws.dispose();
});

describe('a daemon with running apps', () => {
  it('stays up past --idle-timeout while its app runs, then stops both at the bound and says so', async () => {
    const ws = await makeWorkspace('idle-apps');
    workspaces.push(ws);
    await writeFile(join(ws.dir, 'legible.config.json'), JSON.stringify({ apps: { api: nodeApp('crash.mjs') } }));
    expect((await ws.run(['daemon', 'start', '--idle-timeout', '1s'])).code).toBe(0);
    const pid = ws.daemonPid()!;
    const started = await ws.run(['app', 'start']);
    expect(started.code, started.stdout + started.stderr).toBe(0);
    const apps = processesOf(pid);
    expect(apps).toHaveLength(1);
    // Three idle timeouts later, both still run (before, the daemon stopped after one, with the app).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(isAlive(pid)).toBe(true);
    expect(apps.every(isAlive)).toBe(true);
    const status = JSON.parse((await ws.run(['daemon', 'status', '--json'])).stdout) as { apps: string[] };
    expect(status.apps).toEqual(['api']);
    // Unused for APPS_IDLE_FACTOR × 1 s (counted from the status call): it stops, and the app with it.
    await waitForExit(pid, APPS_IDLE_FACTOR * 1_000 + 10_000);
    expect(await waitForNoProcessesOf(pid, 3_000)).toEqual([]);
    const next = await ws.run(['app', 'status']);
    expect(next.stdout).toMatch(
      /^Notice: The Legible daemon for .* had stopped \(unused for [\d.]+s while its apps ran \(api; it waits 8× --idle-timeout for running apps\), so it stopped them too\); a new one started\. .* Its apps were stopped too: api; start them again with legible app start/m,
    );
  });

  it('stops after --idle-timeout once its apps are stopped', async () => {
    const ws = await makeWorkspace('idle-stopped');
    workspaces.push(ws);
    await writeFile(join(ws.dir, 'legible.config.json'), JSON.stringify({ apps: { api: nodeApp('crash.mjs') } }));
    expect((await ws.run(['daemon', 'start', '--idle-timeout', '1s'])).code).toBe(0);
    const pid = ws.daemonPid()!;
    expect((await ws.run(['app', 'start'])).code).toBe(0);
    expect((await ws.run(['app', 'stop'])).code).toBe(0);
    await waitForExit(pid, 6_000);
    const next = await ws.run(['app', 'status']);
    expect(next.stdout).toMatch(/had stopped \(idle for 1(\.0+)?s\); a new one started/);
    expect(next.stdout).not.toContain('Its apps were stopped');
  });
});
