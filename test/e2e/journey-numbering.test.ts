/**
 * A journey's steps are numbered as its file holds them, everywhere the numbers are shown. A
 * journey saved with an app under test starts with the `legible.apps` step (which app each URL
 * belongs to): journey_save lists it as step 1, a run shows it as step 1 (where the apps ran, and
 * where they had been recorded when they moved), and the step after it is 2 — in the run's answer,
 * its "stopped at step N", the report's table and a comparison.
 */
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsWorkspace, NODE, removeWorkspaces } from '../helpers/apps.js';
import { closedPort, groupOf, refOf, tempDir } from '../helpers/e2e.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

const PAGE = `<!doctype html><title>Shop</title><h1>Shop</h1><button onclick="this.nextSibling.textContent='Added'">Add</button><p></p>`;
const APP = `require('node:http').createServer((q, s) => s.writeHead(200, {'content-type': 'text/html'}).end(${JSON.stringify(PAGE)})).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'))`;

describe('journey step numbers', () => {
  let legible: LegibleClient;
  let output = '';
  let origin = '';

  const call = async (tool: string, args: Record<string, unknown> = {}) => {
    const result = await legible.call(tool, args);
    expect(result.isError, result.text).toBe(false);
    return result.text;
  };

  beforeAll(async () => {
    const root = await appsWorkspace({ web: { command: [NODE, '-e', APP], port: 'auto', ready: { log: '^listening' } } });
    output = await tempDir('numbering');
    legible = await startLegible(['--root', root, '--output-dir', output]);
    origin = new URL(groupOf(await call('app', { action: 'start' }), /^Started web at (\S+):/m)).origin;
  }, 60_000);

  afterAll(async () => {
    await legible?.close();
    await removeWorkspaces();
    if (output) await rm(output, { recursive: true, force: true });
  });

  it('lists the saved steps with their numbers in the file, the apps step first, and a run shows the same numbers', async () => {
    await call('navigate', { url: origin });
    await call('click', { ref: refOf(await call('snapshot'), 'button', 'Add') });
    const saved = await call('journey', { action: 'save', name: 'shop', expect: ['text:Added'] });
    const file = JSON.parse(readFileSync(join(output, 'journeys', 'shop.json'), 'utf8')) as { steps: { type: string; name?: string }[] };
    expect(file.steps.map((step) => step.name ?? step.type)).toEqual(['legible.apps', 'setViewport', 'navigate', 'click', 'legible.expect']);
    expect(saved).toContain(`Saved journey "shop" with 4 steps to ${join(output, 'journeys', 'shop.json')}:\n  1. apps: web at ${origin}\n  2. set viewport 1280×720\n  3. navigate to ${origin}/\n  4. click button "Add"\nExpectations:`);

    const run = await call('journey', { action: 'run', journey: 'shop', label: 'good' });
    expect(run).toMatch(/^Journey "shop": PASSED — 4 steps passed; 1 expectation passed/);
    expect(run).toContain(`Steps:\n  ✓ 1. apps: web at ${origin}\n  ✓ 2. set viewport 1280×720\n  ✓ 3. navigate to ${origin}/\n  ✓ 4. click button "Add"\nExpectations:`);
  });

  it('says where an app recorded elsewhere ran, and names a failing step by its number in the file, in the answer, the report and a comparison', async () => {
    // The same journey as if saved where web ran on another port, with a button that is gone.
    const elsewhere = `http://localhost:${await closedPort()}`;
    const flow = JSON.parse(readFileSync(join(output, 'journeys', 'shop.json'), 'utf8').replaceAll(origin, elsewhere)) as { steps: { type: string; selectors?: string[][]; timeout?: number }[] };
    Object.assign(flow.steps.find((step) => step.type === 'click')!, { selectors: [['aria/Buy[role="button"]'], ['#buy']], timeout: 1_000 });
    await writeFile(join(output, 'journeys', 'moved.json'), JSON.stringify(flow));
    const run = await call('journey', { action: 'run', journey: 'moved', label: 'bad' });
    expect(run).toMatch(/^Journey "shop": FAILED/);
    expect(run).toContain(`  ✓ 1. apps: web at ${origin} (recorded at ${elsewhere})\n  ✓ 2. set viewport 1280×720\n  ✓ 3. navigate to ${origin}/\n  ? 4. click button "Buy" — not found: no element matches`);
    expect(run).toContain('text "Added" is visible — not checked: the journey stopped at step 4');

    const report = await call('report', { run: 'good', compare: 'bad', name: 'numbers' });
    const html = readFileSync(join(groupOf(report, /^Folder: (.+)$/m), 'report.html'), 'utf8');
    expect(html).toContain(`<tr><td>1</td><td>apps: web at ${origin}</td>`);
    expect(html).toContain('<tr><td>4</td><td>click button &#34;Add&#34;</td>');
    // Compared step by step, by those numbers; the apps step says nothing about a fix.
    expect(html).toMatch(/<td>step 4: click button &#34;Add&#34;<\/td><td>passed<\/td><td>not-found<\/td>/);
    expect(html).not.toContain('<td>step 1: apps');
  });
});
