/**
 * A Chrome DevTools Recorder export, test/fixtures/recorder/coffee-shop.json, written as the
 * Recorder writes one for the page test/fixtures/recorder-shop.html (recorded at
 * http://localhost:8080, which the test moves to the fixture server): a title and
 * selectorAttribute, setViewport, navigate and keyDown with assertedEvents, clicks whose
 * `selectors` are alternatives (aria/, CSS by data-testid, xpath/, pierce/, text/) with
 * fractional offsets, a right click, a click with a duration, change on text, select and email
 * fields, doubleClick, hover, waitForElement (text, attributes, properties, count), a click through a
 * shadow root (a CSS chain), steps in an iframe (`frame`), scroll of an element and of the page,
 * waitForExpression, emulateNetworkConditions on and off, and a popup's steps by its `target` and
 * its close.
 *
 * It is checked against @puppeteer/replay's own parser, then replayed by journey run (MCP) and by
 * `legible journey run` (the command line): every step runs and passes. A step kind Legible does
 * not run (an extension's custom step), and with --no-evaluate the waitForExpression, are refused
 * with a message that names the step.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseUserFlow } from '@puppeteer/replay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, type Workspace } from '../helpers/cli.js';
import { useLegible } from '../helpers/e2e.js';
import { SERVER_ENTRY } from '../helpers/mcpClient.js';

const EXPORT = fileURLToPath(new URL('../fixtures/recorder/coffee-shop.json', import.meta.url));
const RECORDED_AT = 'http://localhost:8080';

interface Flow {
  title: string;
  steps: { type: string; [field: string]: unknown }[];
}

describe('a Chrome DevTools Recorder export', () => {
  const e2e = useLegible({ outputDir: 'recorder' });
  let ws: Workspace | undefined;

  /** The export as recorded, moved to the fixture server; `edit` may change its steps. */
  function exported(edit: (flow: Flow) => void = () => undefined): Flow {
    const flow = JSON.parse(readFileSync(EXPORT, 'utf8').replaceAll(RECORDED_AT, e2e.fixtures.url)) as Flow;
    edit(flow);
    return flow;
  }

  function write(flow: Flow, dir: string, name: string): string {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(flow, null, 2));
    return file;
  }

  /** The step lines of a run's answer (` ✓ 3. click aria/Search`). */
  const stepLines = (text: string) => text.split('\n').filter((line) => /^ {2}\S \d+\. /.test(line));

  beforeAll(async () => {
    ws = await makeWorkspace('recorder');
  });

  afterAll(async () => {
    await ws?.dispose();
  });

  it('is a flow @puppeteer/replay accepts, with every kind of step but the custom one', () => {
    const flow = exported();
    expect(() => parseUserFlow(flow)).not.toThrow();
    const kinds = new Set(flow.steps.map((step) => step.type));
    expect([...kinds].sort()).toEqual(
      ['change', 'click', 'close', 'doubleClick', 'emulateNetworkConditions', 'hover', 'keyDown', 'keyUp', 'navigate', 'scroll', 'setViewport', 'waitForElement', 'waitForExpression'].sort(),
    );
    const selectors = flow.steps.flatMap((step) => ((step.selectors as string[][] | undefined) ?? []).flat());
    for (const prefix of ['aria/', 'xpath/', 'pierce/', 'text/', '[data-testid=']) expect(selectors.some((selector) => selector.startsWith(prefix)), prefix).toBe(true);
    expect(flow.steps.some((step) => Array.isArray(step.frame))).toBe(true);
    expect(flow.steps.some((step) => typeof step.target === 'string' && step.target !== 'main')).toBe(true);
  });

  it('runs every step of it with journey run, and each passes', async () => {
    const flow = exported();
    const run = await e2e.call('journey', { action: 'run', journey: write(flow, e2e.outputDir, 'coffee-shop.json') });
    expect(run).toMatch(/^Journey "Coffee shop: search, basket, rating, newsletter, receipt": PASSED — 35 steps passed \(/);
    const lines = stepLines(run);
    expect(lines).toHaveLength(flow.steps.length);
    lines.forEach((line, i) => expect(line, run).toMatch(new RegExp(`^ {2}✓ ${i + 1}\\. `)));
    // What each kind of step did is in its line; the waitForElement steps after them checked their effect in the page.
    for (const shown of [
      '✓ 5. keyDown Enter',
      '✓ 10. change aria/Quantity to "2"',
      '✓ 14. doubleClick aria/Favourite',
      '✓ 18. hover aria/Account',
      '✓ 21. click aria/5 stars',
      '✓ 26. wait for text/Subscribed ada@example.com (== 1)',
      '✓ 27. scroll aria/Reviews to 0, 240',
      '✓ 28. scroll the page to 0, 900',
      '✓ 30. throttle the network (180000 B/s down, 84375 B/s up, 562.5 ms)',
      `✓ 32. click aria/Print receipt (in ${e2e.fixtures.url}/recorder-receipt.html)`,
      `✓ 33. close ${e2e.fixtures.url}/recorder-receipt.html`,
      '✓ 34. stop throttling the network',
    ]) {
      expect(run).toContain(shown);
    }
    expect(run).not.toMatch(/not checked|not run/);
  }, 90_000);

  it('does not run a custom step of a Recorder extension, and names it', async () => {
    const flow = exported((edited) => edited.steps.splice(2, 0, { type: 'customStep', target: 'main', name: 'lighthouse', parameters: { categories: ['performance'] } }));
    expect(() => parseUserFlow(flow)).not.toThrow();
    const run = await e2e.call('journey', { action: 'run', journey: write(flow, e2e.outputDir, 'with-extension.json') });
    expect(run).toMatch(/^Journey "[^"]+": INCOMPLETE — 35 steps passed, 1 not run/);
    expect(run).toContain('- 3. custom step lighthouse — not run: ');
    expect(run).toMatch(/step 3 \(customStep lighthouse\): not run: /);
    // The steps after it still ran.
    expect(run).toContain('✓ 36. wait for aria/Receipt sent to the printer');
  }, 90_000);

  it('with --no-evaluate, refuses it before anything runs, naming its waitForExpression step', async () => {
    const file = write(exported(), e2e.outputDir, 'no-evaluate.json');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [SERVER_ENTRY, 'run', file, '--no-evaluate', '--output-dir', e2e.outputDir], { timeout: 60_000 }, (_error, out, err) =>
        resolve({ code: child.exitCode, stdout: out, stderr: err }),
      );
    });
    expect(code).toBe(2);
    expect(`${stdout}${stderr}`).toContain('--no-evaluate forbids running JavaScript in the page, and step 29 (waitForExpression) would run some; nothing was run.');
  });

  it('runs with `legible journey run` from the command line (exit 0)', async () => {
    write(exported(), ws!.dir, 'coffee-shop.json');
    const run = await ws!.run(['journey', 'run', 'coffee-shop.json']);
    expect(run.code, `${run.stdout}${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^Journey "Coffee shop: search, basket, rating, newsletter, receipt": PASSED — 35 steps passed/);
    expect(stepLines(run.stdout).filter((line) => line.startsWith('  ✓ '))).toHaveLength(35);
  }, 120_000);
});
