/**
 * Every process an app started is stopped when the server exits (client gone, SIGTERM, SIGINT),
 * children of children included; a server killed outright leaves a record that the next server
 * in the same folder acts on; two servers with the same config do not clash. Only the processes
 * these tests' own servers started are looked at (by the marker in their environment).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appsWorkspace, nodeApp, processesOf, removeWorkspaces, waitForNoProcessesOf } from '../helpers/apps.js';
import { groupOf, waitForExit } from '../helpers/e2e.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

/** The processes a server's apps started, once there are `count` of them (family.mjs → child → grandchild start one after another). */
async function familyOf(pid: number, count = 3): Promise<number[]> {
  const deadline = Date.now() + 5_000;
  while (processesOf(pid).length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return processesOf(pid);
}

async function startFamily(root: string): Promise<{ legible: LegibleClient; pid: number; processes: number[] }> {
  const legible = await startLegible(['--root', root]);
  const started = await legible.call('app', { action: 'start' });
  expect(started.isError, started.text).toBe(false);
  const pid = legible.pid()!;
  const processes = await familyOf(pid);
  expect(processes).toHaveLength(3);
  return { legible, pid, processes };
}

describe('clean-up', () => {
  afterAll(removeWorkspaces);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops every process of every app, grandchildren included, on ${signal}`, async () => {
      const root = await appsWorkspace({ family: nodeApp('family.mjs') });
      const { legible, pid } = await startFamily(root);
      process.kill(pid, signal);
      await waitForExit(pid, 8_000);
      expect(await waitForNoProcessesOf(pid, 2_000)).toEqual([]);
      expect(readdirSync(join(root, '.legible')).filter((name) => name.endsWith('.json'))).toEqual([]);
      await legible.close().catch(() => undefined);
    });
  }

  it('kills an app that ignores SIGTERM, within a bounded time', async () => {
    const root = await appsWorkspace({ stubborn: nodeApp('stubborn.mjs') });
    const legible = await startLegible(['--root', root]);
    try {
      expect((await legible.call('app', { action: 'start' })).isError).toBe(false);
      const before = Date.now();
      const stopped = await legible.call('app', { action: 'stop' });
      expect(Date.now() - before).toBeLessThan(5_000);
      expect(stopped.text).toBe('Stopped stubborn (signal SIGKILL).');
      expect(processesOf(legible.pid()!)).toEqual([]);
    } finally {
      await legible.close();
    }
  });

  it('stops what a server killed outright left behind, the next time one starts there', async () => {
    const root = await appsWorkspace({ family: nodeApp('family.mjs') });
    const first = await startFamily(root);
    const record = join(root, '.legible', `apps-${first.pid}.json`);
    expect(existsSync(record)).toBe(true);
    expect(existsSync(join(root, '.legible', '.gitignore'))).toBe(true);
    process.kill(first.pid, 'SIGKILL');
    await waitForExit(first.pid);
    await first.legible.close().catch(() => undefined);
    expect(processesOf(first.pid).sort()).toEqual(first.processes.sort());

    const second = await startLegible(['--root', root]);
    try {
      // Before any call, and though this client never lists tools: they load within a second of
      // start-up, and with them the supervisor that stops what the killed server left.
      expect(await waitForNoProcessesOf(first.pid, 8_000)).toEqual([]);
      const status = await second.call('app', { action: 'status' });
      expect(status.text).toMatch(/^Notice: Legible stopped apps that an earlier Legible server in this folder left running when it was killed: family \(pid \d+\)\./m);
      expect(await waitForNoProcessesOf(first.pid, 1_000)).toEqual([]);
      expect(existsSync(record)).toBe(false);
    } finally {
      await second.close();
    }
  });

  it('lets two servers run the same config side by side, each on its own ports', async () => {
    const root = await appsWorkspace({ api: nodeApp('family.mjs') });
    const [a, b] = await Promise.all([startLegible(['--root', root]), startLegible(['--root', root])]);
    try {
      const [startedA, startedB] = await Promise.all([a.call('app', { action: 'start' }), b.call('app', { action: 'start' })]);
      expect(startedA.isError, startedA.text).toBe(false);
      expect(startedB.isError, startedB.text).toBe(false);
      const urlA = groupOf(startedA.text, /^Started api at (\S+):/m);
      const urlB = groupOf(startedB.text, /^Started api at (\S+):/m);
      expect(urlA).not.toBe(urlB);
      expect(await (await fetch(urlA)).text()).toBe('family');
      expect(await (await fetch(urlB)).text()).toBe('family');
      // Each stops only its own.
      expect(await familyOf(b.pid()!)).toHaveLength(3);
      await a.call('app', { action: 'stop' });
      expect(processesOf(a.pid()!)).toEqual([]);
      expect(processesOf(b.pid()!)).toHaveLength(3);
    } finally {
      const pids = [a.pid()!, b.pid()!];
      await Promise.all([a.close(), b.close()]);
      for (const pid of pids) expect(await waitForNoProcessesOf(pid)).toEqual([]);
    }
  });
});
