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
const mark = (route: string, base = '') => `(function(){var x=new XMLHttpRequest();x.open('GET','${base}/pwned?route=${route}',false);x.send();return true})()`;

/**
 * URLs that bring script of their own, spelt as browsers forgive them (the URL parser removes tabs
 * and newlines anywhere, C0 controls and spaces at the ends), and data: and blob: pages.
 */
function scriptUrls(base: string): Record<string, string> {
  return {
    javascriptUrl: `javascript:void ${mark('javascriptUrl')}`,
    tabbedJavascriptUrl: `java\tscript:${mark('tabbedJavascriptUrl')}`,
    controlJavascriptUrl: `\u0001javascript:${mark('controlJavascriptUrl')}`,
    newlineJavascriptUrl: `javascript\n:${mark('newlineJavascriptUrl')}`,
    // A data: page is not a secure context, so Chromium keeps its requests from the loopback
    // fixture server (Private Network Access): its title shows that its script ran.
    dataHtmlUrl: `data:text/html,<script>document.title='ran dataHtmlUrl';${mark('dataHtmlUrl', base)}</script>`,
    dataSvgUrl: `d\tata:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"><script>${mark('dataSvgUrl', base)}</script></svg>`,
    blobUrl: `blob:${base}/9b2c7f0e-5d6a-4f1e-8c3b-2a1d0e9f8c7b`,
  };
}

/** Journey files, one per route by which a journey runs page JavaScript. */
function journeys(e2e: E2e): Record<string, string> {
  const start = { type: 'navigate', url: `${e2e.fixtures.url}/form.html` };
  const files: Record<string, object[]> = {
    waitForExpression: [start, { type: 'waitForExpression', expression: mark('waitForExpression') }],
    jsExpectation: [start, { type: 'customStep', name: 'legible.expect', parameters: { type: 'js', expression: mark('jsExpectation') } }],
    ...Object.fromEntries(Object.entries(scriptUrls(e2e.fixtures.url)).map(([route, url]) => [route, [start, { type: 'navigate', url }]])),
  };
  return Object.fromEntries(
    Object.entries(files).map(([route, steps]) => {
      const path = join(e2e.outputDir, `${route}.json`);
      writeFileSync(path, JSON.stringify({ title: route, steps }));
      return [route, path];
    }),
  );
}

/** The two calls that take a URL to load: each refuses a javascript: one. */
const JAVASCRIPT_URL_CALLS = [
  ['navigate', { url: 'javascript:void 0' }],
  ['pages', { action: 'new', url: 'javascript:void 0' }],
] as const;

describe('--no-evaluate: no route runs page JavaScript', () => {
  const e2e = useLegible({ outputDir: 'no-eval', args: ['--no-evaluate'] });
  beforeEach(() => {
    pwned.length = 0;
  });

  it('refuses js expectations in journey_save and journey_run, naming the flag', async () => {
    const page = await e2e.openAndSnapshot('/form.html');
    await e2e.call('type', { ref: refOf(page, 'textbox', 'Your name'), text: 'Ann' });
    const saved = await e2e.legible.call('journey', { action: 'save', name: 'with-js', expect: ['text:Sign up', `js:${mark('journey_save')}`] });
    expect(saved.isError, saved.text).toBe(true);
    expect(saved.text).toMatch(/--no-evaluate forbids running JavaScript in the page, and the expectation "js:.*" would run some/);
    await e2e.call('journey', { action: 'save', name: 'plain', expect: ['text:Sign up'] });
    const runWithJs = await e2e.legible.call('journey', { action: 'run', journey: 'plain', expect: [`js:${mark('journey_run')}`] });
    expect(runWithJs.isError, runWithJs.text).toBe(true);
    expect(runWithJs.text).toContain('--no-evaluate');
    // The journey itself is fine without the js expectation.
    expect(await e2e.call('journey', { action: 'run', journey: 'plain' })).toContain('PASSED');
    expect(pwned).toEqual([]);
  });

  it('refuses journey files with waitForExpression steps, js expectations, or URLs that bring script however spelt', async () => {
    const files = journeys(e2e);
    expect(Object.keys(files)).toHaveLength(9);
    for (const [route, path] of Object.entries(files)) {
      const result = await e2e.legible.call('journey', { action: 'run', journey: path });
      expect(result.isError, `${route}: ${result.text}`).toBe(true);
      expect(result.text).toMatch(/--no-evaluate forbids running JavaScript in the page, and step 2 \(.+\) would run some; nothing was run/);
    }
    expect(pwned).toEqual([]);
  });

  it('names what the URL is in the refusal', async () => {
    const files = journeys(e2e);
    const text = async (route: string) => (await e2e.legible.call('journey', { action: 'run', journey: files[route]! })).text;
    expect(await text('controlJavascriptUrl')).toContain('step 2 (navigate to a javascript: URL)');
    expect(await text('dataSvgUrl')).toContain('step 2 (navigate to a data: URL of type "image/svg+xml")');
    expect(await text('blobUrl')).toContain('step 2 (navigate to a blob: URL)');
  });

  it('refuses them in legible-mcp run --no-evaluate, which exits 2', async () => {
    for (const [route, path] of Object.entries(journeys(e2e))) {
      const result = await run(process.execPath, [SERVER_ENTRY, 'run', path, '--no-evaluate', '--output-dir', e2e.outputDir]).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => error,
      );
      expect(result.code, `${route}: ${result.stdout}`).toBe(2);
      expect(result.stdout).toMatch(/^Error: --no-evaluate forbids running JavaScript in the page/);
    }
    expect(pwned).toEqual([]);
  });

  it('lets a mock answer data requests only: a page or script it matches loads from the server', async () => {
    await e2e.open('/form.html');
    const set = await e2e.call('network', { mock: { url: '**/mocked-page', body: `<p>mocked</p><script>${mark('mockedPage')}</script>` } });
    expect(set).toContain('With --no-evaluate, a mock answers data requests only');
    const opened = await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/mocked-page` });
    expect(opened.text).toContain('(HTTP 404)');
    await e2e.call('network', { mock: { url: '**/form.html', status: 200, body: `<p>mocked form</p><script src="/mocked-script.js"></script>` } });
    await e2e.call('network', { mock: { url: '**/mocked-script.js', body: mark('mockedScript') } });
    await e2e.call('navigate', { url: `${e2e.fixtures.url}/form.html` });
    const form = await e2e.snapshot();
    expect(form).not.toContain('mocked form');
    expect(form).toContain('Sign up');
    expect(pwned).toEqual([]);
    // A data request (the page's fetch) is still answered by a mock.
    const page = await e2e.openAndSnapshot('/env.html');
    await e2e.call('network', { mock: { url: '**/api/stock', status: 500, body: '{"error":"mocked stock"}' } });
    expect(await e2e.call('click', { ref: refOf(page, 'button', 'Check stock') })).toContain('Stock error 500: {"error":"mocked stock"}');
    await e2e.call('network', { unmock: 'all' });
  });

  it('refuses them in navigate and pages new, however spelt', async () => {
    await e2e.open('/form.html');
    for (const [route, url] of Object.entries(scriptUrls(e2e.fixtures.url))) {
      for (const [tool, args] of [
        ['navigate', { url }],
        ['pages', { action: 'new', url }],
      ] as const) {
        const refused = await e2e.legible.call(tool, args);
        expect(refused.isError, `${tool} ${route}: ${refused.text}`).toBe(true);
        expect(refused.text, `${tool} ${route}`).toMatch(/navigate does not (run javascript: URLs|open a (data|blob): URL.* it runs --no-evaluate)/);
      }
    }
    // An inert data: page is still fine.
    expect(await e2e.call('navigate', { url: 'data:text/plain,just text' })).toContain('data:text/plain');
    await e2e.call('pages', { action: 'list' });
    expect(pwned).toEqual([]);
  });
});

describe('without --no-evaluate, the same routes do run page JavaScript', () => {
  // The control: it shows that each route above would have left its mark.
  const e2e = useLegible({ outputDir: 'with-eval' });

  it('runs each route, but a javascript: URL (however spelt) is not run: it is no page to load', async () => {
    pwned.length = 0;
    const files = journeys(e2e);
    const answers: Record<string, string> = {};
    for (const [route, path] of Object.entries(files)) answers[route] = await e2e.call('journey', { action: 'run', journey: path });
    await e2e.call('journey', { action: 'run', journey: files.waitForExpression!, expect: [`js:${mark('journey_run')}`] });
    expect([...new Set(pwned)].sort()).toEqual(['journey_run', 'jsExpectation', 'waitForExpression']);
    // Reported by name, like the other things replay cannot run; the verdict is not PASSED.
    for (const route of ['javascriptUrl', 'tabbedJavascriptUrl', 'controlJavascriptUrl', 'newlineJavascriptUrl']) {
      expect(answers[route], route).toMatch(/2\. navigate to .*script.* — not run: a javascript: URL runs code in the page instead of loading one/);
      expect(answers[route], route).toContain('INCOMPLETE');
    }
  });

  it("runs the script of a mocked page (what --no-evaluate's mocks do not answer)", async () => {
    pwned.length = 0;
    await e2e.open('/form.html');
    await e2e.call('network', { mock: { url: '**/mocked-page', body: `<p>mocked</p><script>${mark('mockedPage')}</script>` } });
    expect(await e2e.call('navigate', { url: `${e2e.fixtures.url}/mocked-page` })).toContain('mocked');
    expect(pwned).toEqual(['mockedPage']);
    await e2e.call('network', { unmock: 'all' });
  });

  it('runs the script of a data: page (what --no-evaluate refuses)', async () => {
    expect(await e2e.call('navigate', { url: scriptUrls(e2e.fixtures.url).dataHtmlUrl! })).toContain('"ran dataHtmlUrl"');
  });

  it("runs a blob: page the page made, in the page's origin (what --no-evaluate refuses)", async () => {
    pwned.length = 0;
    await e2e.open('/form.html');
    const made = await e2e.call('evaluate', { function: `() => URL.createObjectURL(new Blob(["<script>${mark('blobUrl', e2e.fixtures.url)}</script>"], { type: 'text/html' }))` });
    const url = /blob:[^\s"]+/.exec(made)?.[0];
    expect(url, made).toBeDefined();
    await e2e.call('navigate', { url: url! });
    expect(pwned).toEqual(['blobUrl']);
  });

  it('names the evaluate tool (by its definition: a call to make) when a javascript: URL is refused', async () => {
    for (const [tool, args] of JAVASCRIPT_URL_CALLS) {
      const refused = await e2e.legible.call(tool, args);
      expect(refused.isError, refused.text).toBe(true);
      expect(refused.text).toContain('Run code in the page with evaluate {"function":…}.');
    }
  });
});

describe('--no-evaluate: the hint for a javascript: URL does not name a tool that is not offered', () => {
  // A secret filled in at replay is checked as the navigate tool checks a URL: the gate before the run cannot see it.
  const e2e = useLegible({ outputDir: 'no-eval-hint', args: ['--no-evaluate'], env: { LEGIBLE_SECRET_NEXT: `javascript:${mark('filledSecret')}` } });

  it('says what the server allows instead', async () => {
    for (const [tool, args] of JAVASCRIPT_URL_CALLS) {
      const refused = await e2e.legible.call(tool, args);
      expect(refused.isError, refused.text).toBe(true);
      expect(refused.text).toContain('javascript: URLs');
      expect(refused.text).not.toContain('evaluate tool');
      expect(refused.text).not.toContain('evaluate {');
      expect(refused.text).toContain('--no-evaluate');
    }
  });

  it('does not run a javascript: URL a secret fills into a navigate step, and names no step type the server refuses', async () => {
    pwned.length = 0;
    const journey = join(e2e.outputDir, 'filled.json');
    writeFileSync(journey, JSON.stringify({ title: 'filled', steps: [{ type: 'navigate', url: `${e2e.fixtures.url}/form.html` }, { type: 'navigate', url: '${LEGIBLE_SECRET_NEXT}' }] }));
    const answer = await e2e.call('journey', { action: 'run', journey });
    expect(answer).toContain('2. navigate to ${LEGIBLE_SECRET_NEXT} — not run: a javascript: URL runs code in the page instead of loading one (this server runs --no-evaluate');
    expect(answer).not.toContain('waitForExpression');
    expect(pwned).toEqual([]);
  });
});
