import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { refOf, useLegible, type E2e } from '../helpers/e2e.js';
import { pwned } from '../helpers/fixtureServer.js';
import { SERVER_ENTRY } from '../helpers/mcpClient.js';

const run = promisify(execFile);

/** Page JavaScript that leaves a mark the fixture server sees (a synchronous request, done before the code returns). */
const mark = (route: string) => `(function(){var x=new XMLHttpRequest();x.open('GET','/pwned?route=${route}',false);x.send();return true})()`;

/** Journey files, one per route by which a journey runs page JavaScript. */
function journeys(e2e: E2e): Record<string, string> {
  const start = { type: 'navigate', url: `${e2e.fixtures.url}/form.html` };
  const files: Record<string, object[]> = {
    waitForExpression: [start, { type: 'waitForExpression', expression: mark('waitForExpression') }],
    jsExpectation: [start, { type: 'customStep', name: 'legible.expect', parameters: { type: 'js', expression: mark('jsExpectation') } }],
    javascriptUrl: [start, { type: 'navigate', url: `javascript:void ${mark('javascriptUrl')}` }],
  };
  return Object.fromEntries(
    Object.entries(files).map(([route, steps]) => {
      const path = join(e2e.outputDir, `${route}.json`);
      writeFileSync(path, JSON.stringify({ title: route, steps }));
      return [route, path];
    }),
  );
}

describe('--no-evaluate: no route runs page JavaScript', () => {
  const e2e = useLegible({ outputDir: 'no-eval', args: ['--no-evaluate'] });
  beforeEach(() => {
    pwned.length = 0;
  });

  it('refuses js expectations in journey_save and journey_run, naming the flag', async () => {
    const page = await e2e.openAndSnapshot('/form.html');
    await e2e.call('type', { ref: refOf(page, 'textbox', 'Your name'), text: 'Ann' });
    const saved = await e2e.legible.call('journey_save', { name: 'with-js', expect: ['text:Sign up', `js:${mark('journey_save')}`] });
    expect(saved.isError, saved.text).toBe(true);
    expect(saved.text).toMatch(/--no-evaluate forbids running JavaScript in the page, and the expectation "js:.*" would run some/);
    await e2e.call('journey_save', { name: 'plain', expect: ['text:Sign up'] });
    const runWithJs = await e2e.legible.call('journey_run', { journey: 'plain', expect: [`js:${mark('journey_run')}`] });
    expect(runWithJs.isError, runWithJs.text).toBe(true);
    expect(runWithJs.text).toContain('--no-evaluate');
    // The journey itself is fine without the js expectation.
    expect(await e2e.call('journey_run', { journey: 'plain' })).toContain('PASSED');
    expect(pwned).toEqual([]);
  });

  it('refuses journey files with waitForExpression steps, js expectations or javascript: URLs', async () => {
    for (const [route, path] of Object.entries(journeys(e2e))) {
      const result = await e2e.legible.call('journey_run', { journey: path });
      expect(result.isError, `${route}: ${result.text}`).toBe(true);
      expect(result.text).toMatch(/--no-evaluate forbids running JavaScript in the page, and step 2 \(.+\) would run some; nothing was run/);
    }
    expect(pwned).toEqual([]);
  });

  it('refuses them in legible-mcp run --no-evaluate, which exits 2', async () => {
    const path = journeys(e2e).waitForExpression!;
    const result = await run(process.execPath, [SERVER_ENTRY, 'run', path, '--no-evaluate', '--output-dir', e2e.outputDir]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.code, result.stdout).toBe(2);
    expect(result.stdout).toMatch(/^Error: --no-evaluate forbids running JavaScript in the page/);
    expect(pwned).toEqual([]);
  });
});

describe('without --no-evaluate, the same routes do run page JavaScript', () => {
  // The control: it shows that each route above would have left its mark.
  const e2e = useLegible({ outputDir: 'with-eval' });

  it('runs each route, but a javascript: URL is not run: it is no page to load', async () => {
    pwned.length = 0;
    const files = journeys(e2e);
    const answers: Record<string, string> = {};
    for (const [route, path] of Object.entries(files)) answers[route] = await e2e.call('journey_run', { journey: path });
    await e2e.call('journey_run', { journey: files.waitForExpression!, expect: [`js:${mark('journey_run')}`] });
    expect([...new Set(pwned)].sort()).toEqual(['journey_run', 'jsExpectation', 'waitForExpression']);
    // Reported by name, like the other things replay cannot run; the verdict is not PASSED.
    expect(answers.javascriptUrl).toMatch(/2\. navigate to javascript:.* — not run: a javascript: URL runs code in the page instead of loading one/);
    expect(answers.javascriptUrl).toContain('INCOMPLETE');
  });

  it('names the evaluate tool when a javascript: URL is refused', async () => {
    const refused = await e2e.legible.call('navigate', { url: 'javascript:void 0' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('Use the evaluate tool');
  });
});

describe('--no-evaluate: the hint for a javascript: URL does not name a tool that is not offered', () => {
  const e2e = useLegible({ args: ['--no-evaluate'] });

  it('says what the server allows instead', async () => {
    for (const [tool, args] of [
      ['navigate', { url: 'javascript:void 0' }],
      ['pages', { action: 'new', url: 'javascript:void 0' }],
    ] as const) {
      const refused = await e2e.legible.call(tool, args);
      expect(refused.isError, refused.text).toBe(true);
      expect(refused.text).toContain('javascript: URLs');
      expect(refused.text).not.toContain('evaluate tool');
      expect(refused.text).toContain('--no-evaluate');
    }
  });
});
