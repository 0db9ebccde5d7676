/**
 * Calls and journey runs have bounds: a cancelled call stops and lets go of its tab, a journey
 * run stops at its deadline (--run-timeout) whatever its steps' timeouts say, and journey files
 * that are not regular files in the folders Legible reads from are refused before reading.
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_ENTRY } from '../helpers/mcpClient.js';
import { tempDir, useLegible, type E2e } from '../helpers/e2e.js';

/** A journey file in the server's output folder; returns its path. */
async function writeJourney(e2e: E2e, name: string, steps: unknown[]): Promise<string> {
  const file = join(e2e.outputDir, `${name}.json`);
  await writeFile(file, JSON.stringify({ title: name, steps }));
  return file;
}

describe('cancelling a call (notifications/cancelled)', () => {
  const e2e = useLegible({ outputDir: 'cancel' });
  const journey = (name: string, steps: unknown[]) => writeJourney(e2e, name, steps);

  it('stops a 20 s wait_for and lets the next call on the tab run at once', { timeout: 60_000 }, async () => {
    await e2e.openAndSnapshot('/shop.html');
    const controller = new AbortController();
    const waiting = e2e.legible.client.callTool({ name: 'wait_for', arguments: { text: 'never on this page', timeout: 20_000 } }, undefined, { signal: controller.signal, timeout: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    await expect(waiting).rejects.toThrow(/abort/i);
    const started = Date.now();
    const snapshot = await e2e.legible.call('snapshot', {});
    const waited = Date.now() - started;
    expect(snapshot.isError, snapshot.text).toBe(false);
    expect(snapshot.text).toContain('heading "Tiny Shop"');
    // Without cancellation the snapshot waits for the rest of the 20 s on the tab's queue.
    expect(waited, `the snapshot waited ${waited} ms behind the cancelled wait`).toBeLessThan(10_000);
  });

  it('stops a journey run and closes its tab', { timeout: 60_000 }, async () => {
    const file = await journey('slow', [
      { type: 'navigate', url: `${e2e.fixtures.url}/shop.html` },
      { type: 'waitForElement', selectors: ['#never'], timeout: 30_000 },
    ]);
    const tabs = async () => (await e2e.call('pages', { action: 'list' })).split('\n').length - 1;
    const until = async (wanted: number, ms: number) => {
      const end = Date.now() + ms;
      while ((await tabs()) !== wanted && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 100));
      return tabs();
    };
    const before = await tabs();
    const controller = new AbortController();
    const running = e2e.legible.client.callTool({ name: 'journey', arguments: { action: 'run', journey: file } }, undefined, { signal: controller.signal, timeout: 60_000 });
    // The run has its own tab while it waits for #never.
    expect(await until(before + 1, 15_000)).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    await expect(running).rejects.toThrow(/abort/i);
    // Without cancellation it keeps the tab for the rest of the step's 30 s.
    expect(await until(before, 10_000)).toBe(before);
    // Another run works right away.
    const again = await e2e.legible.call('journey', { action: 'run', journey: await journey('quick', [{ type: 'navigate', url: `${e2e.fixtures.url}/shop.html` }]) });
    expect(again.text).toMatch(/^Journey "quick": PASSED/);
  });
});

describe('journey runs and files', () => {
  const e2e = useLegible({ outputDir: 'bounds', args: ['--run-timeout', '4000'] });
  const journey = (name: string, steps: unknown[]) => writeJourney(e2e, name, steps);

  it('stops at --run-timeout although a step asks to wait 1e12 ms', { timeout: 60_000 }, async () => {
    const file = await journey('forever', [
      { type: 'navigate', url: `${e2e.fixtures.url}/shop.html` },
      { type: 'waitForElement', selectors: ['#never'], timeout: 1e12 },
      { type: 'click', selectors: ['#never'] },
    ]);
    const started = Date.now();
    const result = await e2e.legible.call('journey', { action: 'run', journey: file });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.text, result.text).toMatch(/^Journey "forever": FAILED/);
    expect(result.text).toMatch(/✗ 2\. wait for #never — failed: the run reached its time limit of 4 s \(--run-timeout\) during this step/);
    expect(result.text).toContain('· 3. click #never — skipped: step 2 failed');
  });

  it('bounds legible-mcp run the same way', { timeout: 90_000 }, async () => {
    const file = await journey('cli-forever', [
      { type: 'navigate', url: `${e2e.fixtures.url}/shop.html` },
      { type: 'waitForElement', selectors: ['#never'], timeout: 1e12 },
    ]);
    const output = await tempDir('bounds-cli');
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, [SERVER_ENTRY, 'run', file, '--run-timeout', '3000', '--output-dir', output], { timeout: 80_000 }, (_error, out) => resolve({ code: child.exitCode, stdout: out }));
    });
    expect(code, stdout).toBe(1);
    expect(stdout).toContain('the run reached its time limit of 3 s (--run-timeout)');
  });

  it('refuses a FIFO at once, in journey_run and in legible-mcp run', { timeout: 60_000 }, async () => {
    const fifo = join(e2e.outputDir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const result = await e2e.legible.call('journey', { action: 'run', journey: fifo });
    expect(result.text).toMatch(/^Error: The journey ".*pipe\.json" is a FIFO \(named pipe\), not a file\./);
    const cli = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, [SERVER_ENTRY, 'run', fifo], { timeout: 30_000 }, (_error, out) => resolve({ code: child.exitCode, stdout: out }));
    });
    expect(cli.code).toBe(2);
    expect(cli.stdout).toContain('is a FIFO (named pipe), not a file');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it.each(['/dev/zero', '/etc/passwd', '../../../etc/hostname.json'])('refuses %s: outside the folders journeys are read from', async (path) => {
    const result = await e2e.legible.call('journey', { action: 'run', journey: path });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/is outside the folders journeys are read from|There is no journey file/);
    expect(result.text).not.toMatch(/root:|daemon:/);
  });

  it('never quotes a journey file in its errors', async () => {
    const file = join(e2e.outputDir, 'bad.json');
    await writeFile(file, '{"title":"x","steps":[{"type":"navigate","url":"http://a/?token=s3cr3t-value"},]}');
    const result = await e2e.legible.call('journey', { action: 'run', journey: file });
    expect(result.text).toMatch(/is not valid JSON( \(line 1, column \d+\))?\./);
    expect(result.text).not.toContain('s3cr3t');
  });
});
