/**
 * waitForIdle on real processes: it returns once a process has no thread with work left — and by
 * then what the process wrote is in its pipe — and gives up at its bound on one that never rests.
 */
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitForIdle } from '../../src/apps/idleWait.js';
import { useProcessGroups } from '../helpers/groups.js';

const groups = useProcessGroups();
/** A node process in its own process group (as the apps run) that runs `script`. */
const run = (script: string): ChildProcess => groups.start(process.execPath, ['-e', script]);

describe('waitForIdle', () => {
  it("returns once a worker thread's late write is done, and the line is in the pipe by then", async () => {
    // The main thread says "ready" and rests; a worker thread works for 300 ms, then writes.
    const child = run(`
      const { Worker } = require('node:worker_threads');
      new Worker("const until = Date.now() + 300; while (Date.now() < until); require('node:fs').writeSync(1, 'late line\\\\n');", { eval: true });
      process.stdout.write('ready\\n');
      setInterval(() => {}, 1000);`);
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    while (!output.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await waitForIdle([child.pid!], 10_000)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(output).toContain('late line');
  });

  it('waits for a process the app left to init, until its late write is in the pipe', async () => {
    // A process between the app and the worker exits at once, so init adopts the worker: it is
    // no longer below the app in the process tree, but still in its process group.
    const worker = `const fs = require('node:fs');
      const parentNow = () => fs.readFileSync('/proc/self/stat', 'latin1').split(') ')[1].split(' ')[1];
      while (parentNow() === process.argv[1]);
      fs.writeSync(1, 'adopted\\n');
      const until = Date.now() + 300; while (Date.now() < until);
      fs.writeSync(1, 'late line\\n');`;
    const middle = `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(worker)}, String(process.pid)], { stdio: 'inherit' }); process.exit(0);`;
    const child = run(`require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(middle)}], { stdio: 'inherit' }); setInterval(() => {}, 1000);`);
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    while (!output.includes('adopted')) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await waitForIdle([child.pid!], 10_000)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(output).toContain('late line');
  });

  it('gives up at its bound on a process that never rests', async () => {
    const child = run('for (;;) {}');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await waitForIdle([child.pid!], 200)).toBe(false);
  });

  it('has nothing to wait for without processes', async () => {
    expect(await waitForIdle([], 1_000)).toBe(true);
  });
});
