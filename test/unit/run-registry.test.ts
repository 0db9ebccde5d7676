/**
 * RunRegistry keeps the newest runs (with their logs) in memory and reads older ones back from
 * runs/, so a daemon that runs journeys for days holds a bounded number; a run file that could
 * not be written is said, not ignored.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/journey/run.js';
import { RunRegistry } from '../../src/report/runs.js';
import { runFileWarning } from '../../src/report/runText.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function outputDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'legible-runs-'));
  dirs.push(dir);
  return dir;
}

function result(title: string, startedAt: number): RunResult {
  return {
    title,
    source: 'journey.json',
    startedAt,
    endedAt: startedAt + 1_000,
    url: 'http://localhost:3000/',
    steps: [{ index: 1, type: 'navigate', description: 'navigate to http://localhost:3000/', status: 'passed', errors: [], failedRequests: [] } as unknown as RunResult['steps'][number]],
    expectations: [],
    verdict: 'passed',
    counts: { steps: { passed: 1, failed: 0, notRun: 0, notChecked: 0, skipped: 0 }, expectations: { passed: 0, failed: 0, notChecked: 0 } },
    unchecked: [],
    checkedNothing: false,
    console: [{ level: 'log', source: 'console', text: 'x'.repeat(1_000), stack: [], count: 1, firstAt: startedAt, lastAt: startedAt, seq: 1 }],
    network: [],
  };
}

describe('RunRegistry', () => {
  it('holds only the newest runs in memory and reads older ones back from their files', async () => {
    const dir = outputDir();
    const registry = new RunRegistry(join(dir, 'runs'), 2);
    for (let i = 1; i <= 4; i++) await registry.add(result(`journey ${i}`, 1_000 * i), { journeyPath: 'journey.json', label: i === 1 ? 'before' : undefined });
    expect(registry.ids()).toEqual(['run-1', 'run-2', 'run-3', 'run-4']);
    expect((await registry.latest())?.title).toBe('journey 4');
    // run-1 is read back from runs/ (by id and by label), as it was written.
    expect(await registry.find('run-1')).toMatchObject({ id: 'run-1', title: 'journey 1', label: 'before', verdict: 'passed' });
    expect((await registry.find('before'))?.id).toBe('run-1');
    // Proof that it is not in memory: without its file it cannot be had.
    rmSync(join(dir, 'runs', 'run-1-1000.json'));
    await expect(registry.find('run-1')).rejects.toThrow(/There is no run record at .*run-1-1000\.json/);
    rmSync(join(dir, 'runs', 'run-4-4000.json'));
    expect((await registry.find('run-4'))?.title).toBe('journey 4');
    expect(await registry.find('run-9')).toBeUndefined();
  });

  it('says when a run file could not be written, and what that costs once the run leaves memory', async () => {
    const dir = outputDir();
    writeFileSync(join(dir, 'runs'), 'a file where the folder should be');
    const registry = new RunRegistry(join(dir, 'runs'), 1);
    const first = await registry.add(result('journey 1', 1_000), { journeyPath: 'journey.json' });
    expect(first.writeError).toMatch(/EEXIST|ENOTDIR/);
    expect(runFileWarning(first.writeError!)).toMatch(/^Warning: the run record could not be written to the runs folder \(.+\); it is kept in memory only while it is among the 20 newest runs\. Check that the output folder \(--output-dir\) is writable\.$/);
    expect((await registry.find('run-1'))?.title).toBe('journey 1');
    await registry.add(result('journey 2', 2_000), { journeyPath: 'journey.json' });
    await expect(registry.find('run-1')).rejects.toThrow('run-1 is no longer held in memory (only the newest 1 runs are), and its run file could not be written');
  });
});
