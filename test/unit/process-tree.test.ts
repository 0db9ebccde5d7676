/**
 * appProcesses finds an app's processes from the process tree: the same ones a pass over all of
 * /proc finds in its group, including a grandchild and one whose parent left it to init, and not
 * a daemon that left for a session of its own, nor a zombie.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { membersOfGroups } from '../../src/apps/processTable.js';
import { appProcesses } from '../../src/apps/processTree.js';
import { useProcessGroups } from '../helpers/groups.js';

const groups = useProcessGroups();
/** `sh -c script` as an app runs: the leader of its own session and process group. */
const app = (script: string): ChildProcess => groups.start('sh', ['-c', script]);

/** Waits until the app printed these names, each with a pid ("orphan 123"), and returns the pids by name. */
async function printedPids(child: ChildProcess, names: string[]): Promise<Record<string, number>> {
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const pids = () => Object.fromEntries([...output.matchAll(/^(\w+) (\d+)$/gm)].map((match) => [match[1], Number(match[2])]));
  const deadline = Date.now() + 10_000;
  while (!names.every((name) => name in pids()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return pids();
}

const statFields = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
const parentOf = (pid: number) => Number(statFields(pid)[1]);
const stateOf = (pid: number) => statFields(pid)[0];
const sorted = (pids: number[] | undefined) => [...(pids ?? [])].sort((a, b) => a - b);

describe('appProcesses', () => {
  it('finds a child, a grandchild and an orphan adopted by init, not a daemon or a zombie', async () => {
    // The app: a child shell with a sleeping grandchild; a sleep whose parent exits at once (the
    // orphan); a daemon in a session of its own; and a zombie (`sleep 0`, never waited for by
    // the `exec`ed sleep that became its parent).
    const child = app(`
      sh -c 'sleep 600 & echo grandchild $!; wait' &
      ( sleep 600 & echo orphan $! ) ;
      setsid sleep 600 & echo daemon $!;
      sh -c 'sleep 0 & echo zombie $!; exec sleep 600' &
      wait`);
    const { grandchild, orphan, daemon, zombie } = await printedPids(child, ['grandchild', 'orphan', 'daemon', 'zombie']);
    groups.stray(daemon!);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(parentOf(orphan!)).not.toBe(child.pid); // adopted outside the app's tree
    expect(stateOf(zombie!)).toBe('Z');

    const found = sorted(appProcesses([child.pid!]));
    expect(found).toEqual(sorted(membersOfGroups([child.pid!])));
    expect(found).toContain(child.pid);
    expect(found).toContain(grandchild);
    expect(found).toContain(orphan);
    expect(found).not.toContain(daemon);
    expect(found).not.toContain(zombie);
    expect(found).toHaveLength(5); // the app, its child shell, the grandchild, the orphan, the zombie's parent
  });

  it('finds an app that was left out of an earlier call', async () => {
    const first = app('exec sleep 600');
    const second = app('sleep 600 & ( sleep 600 & ); wait');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(appProcesses([first.pid!])).toEqual([first.pid]);
    const both = sorted(appProcesses([first.pid!, second.pid!]));
    expect(both).toEqual(sorted(membersOfGroups([first.pid!, second.pid!])));
    expect(both).toHaveLength(4);
  });

  it('finds an orphan after the app itself exited', async () => {
    const child = app('( sleep 600 & echo orphan $! )');
    const { orphan } = await printedPids(child, ['orphan']);
    await new Promise<void>((resolve) => (child.exitCode === null ? child.once('exit', () => resolve()) : resolve()));
    expect(appProcesses([child.pid!])).toEqual([orphan]);
  });
});
