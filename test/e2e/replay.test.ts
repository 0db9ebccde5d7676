import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseUserFlow } from '@puppeteer/replay';
import { describe, expect, it } from 'vitest';
import { closedPort, refOf, useLegible } from '../helpers/e2e.js';
import { SERVER_ENTRY } from '../helpers/mcpClient.js';

/**
 * Replaying flows written the way Chrome DevTools' Recorder writes them: every step names its
 * target ("main" or another tab's URL), selectors come as alternatives of chains, navigations
 * carry assertedEvents, and setViewport has all its fields. Each flow is checked against
 * @puppeteer/replay's own parser first, so it is a flow the Recorder could have written.
 */
describe('replaying Recorder flows', () => {
  const e2e = useLegible({ outputDir: 'replay' });
  let count = 0;

  const viewport = { type: 'setViewport', width: 1000, height: 700, deviceScaleFactor: 1, isMobile: false, hasTouch: false, isLandscape: false };
  const open = (path: string, title: string) => ({
    type: 'navigate',
    url: `${e2e.fixtures.url}${path}`,
    assertedEvents: [{ type: 'navigation', url: `${e2e.fixtures.url}${path}`, title }],
  });

  /** Writes a flow (checked by @puppeteer/replay's parser) and returns its path. */
  function flowFile(title: string, steps: unknown[], options: { recorderValid?: boolean } = {}): string {
    const flow = { title, steps };
    if (options.recorderValid !== false) parseUserFlow(flow);
    const file = join(e2e.outputDir, `flow-${++count}.json`);
    writeFileSync(file, JSON.stringify(flow, null, 2));
    return file;
  }

  async function replay(title: string, steps: unknown[], options: { recorderValid?: boolean } = {}): Promise<string> {
    return e2e.call('journey', { action: 'run', journey: flowFile(title, steps, options) });
  }

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [SERVER_ENTRY, 'run', ...args, '--output-dir', e2e.outputDir], (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      );
    });
  }

  it('waitForElement checks visible, attributes and properties, waiting up to the step timeout', async () => {
    const panelOpen = { type: 'waitForElement', target: 'main', selectors: [['#panel']], attributes: { 'aria-expanded': 'true' }, properties: { dataset: { state: 'open' } }, timeout: 3000 };
    const opened = await replay('panel opens', [
      viewport,
      open('/replay.html', 'Replay'),
      { type: 'click', target: 'main', selectors: [['aria/Open panel[role="button"]'], ['#open-panel']], offsetX: 5, offsetY: 5 },
      panelOpen,
      { type: 'waitForElement', target: 'main', selectors: [['#ghost']], visible: false },
      { type: 'waitForElement', target: 'main', selectors: [['#name']], properties: { value: 'Ada' } },
    ]);
    expect(opened, opened).toContain('PASSED');
    expect(opened).toMatch(/✓ 4\. wait for #panel/);

    const closed = await replay('panel stays closed', [open('/replay.html', 'Replay'), { ...panelOpen, timeout: 600 }]);
    expect(closed, closed).toContain('FAILED');
    expect(closed).toMatch(/✗ 2\. wait for #panel.* — failed: .*aria-expanded.*"false".*wanted "true"/);

    const visible = await replay('ghost visible', [open('/replay.html', 'Replay'), { type: 'waitForElement', target: 'main', selectors: [['#ghost']], timeout: 400 }]);
    expect(visible).toMatch(/✗ 2\. wait for #ghost.* — failed: no visible element matches/);
    const twice = await replay('name twice', [open('/replay.html', 'Replay'), { type: 'waitForElement', target: 'main', selectors: [['#name']], count: 2, operator: '==', timeout: 400 }]);
    expect(twice).toMatch(/✗ 2\. wait for #name.* — failed: 1 visible element matches #name, wanted == 2/);
    const hidden = await replay('status hidden', [open('/replay.html', 'Replay'), { type: 'waitForElement', target: 'main', selectors: [['#status']], visible: false, timeout: 400 }]);
    expect(hidden).toMatch(/✗ 2\. wait for #status.*hidden.* — failed: /);
    const wrongValue = await replay('wrong value', [open('/replay.html', 'Replay'), { type: 'waitForElement', target: 'main', selectors: [['#name']], properties: { value: 'Grace' }, timeout: 400 }]);
    expect(wrongValue).toMatch(/✗ 2\. wait for #name.* — failed: .*value is "Ada", wanted "Grace"/);
    // A selector that does not parse fails at once, rather than waiting for a match that cannot come.
    const broken = await replay('broken selector', [open('/replay.html', 'Replay'), { type: 'waitForElement', target: 'main', selectors: [['#panel[']], visible: false, timeout: 5000 }]);
    expect(broken).toMatch(/✗ 2\. wait for #panel\[ to be hidden — failed: "#panel\[" is not a valid selector/);
    expect(broken).toMatch(/FAILED — .*\(0\.\d s\)/);
  });

  it('change sets dates, times, colours, ranges, checkboxes and radios as a user would, and the app sees it', async () => {
    const change = (id: string, value: string) => ({ type: 'change', target: 'main', selectors: [[`#${id}`], [`xpath///*[@id="${id}"]`]], value });
    const values: [string, string][] = [
      ['day', '2024-02-29'],
      ['month', '2024-02'],
      ['week', '2024-W09'],
      ['time', '14:30'],
      ['starts', '2024-02-29T14:30'],
      ['colour', '#ff8800'],
      ['volume', '70'],
      ['newsletter', 'true'],
      ['large', 'large'],
    ];
    const run = await replay('booking', [
      viewport,
      open('/replay-inputs.html', 'Inputs'),
      ...values.map(([id, value]) => change(id, value)),
      ...values.map(([id, value]) => ({ type: 'customStep', name: 'legible.expect', parameters: { type: 'text', text: `${id}=${id === 'newsletter' || id === 'large' ? 'true' : value}` } })),
    ]);
    expect(run, run).toContain('PASSED');
    expect(run).not.toContain('does not take text');

    // A value the field cannot hold, and a field that puts its value back: the step fails and says why.
    const impossible = await replay('impossible date', [open('/replay-inputs.html', 'Inputs'), change('day', '2024-02-30')]);
    expect(impossible).toMatch(/✗ 2\. change #day to "2024-02-30" — failed: .*date field.*"2024-02-30".*yyyy-mm-dd/);
    const between = await replay('between steps', [open('/replay-inputs.html', 'Inputs'), change('volume', '55')]);
    expect(between).toMatch(/✗ 2\. change #volume to "55" — failed: .*steps of 10.*60/);
    const stubborn = await replay('stubborn', [open('/replay-inputs.html', 'Inputs'), change('stubborn', '2024-02-29')]);
    expect(stubborn).toMatch(/✗ 2\. change #stubborn to "2024-02-29" — failed: .*did not keep.*"2024-02-29"/);
  });

  it('type sets a date field to the date typed, and ticks a checkbox, through MCP', async () => {
    const page = await e2e.openAndSnapshot('/replay-inputs.html');
    const typed = await e2e.call('type', { ref: refOf(page, 'textbox', 'Day'), text: '2024-02-29' });
    expect(typed).not.toContain('40229');
    expect(typed).toContain('day=2024-02-29');
    const ticked = await e2e.call('type', { ref: refOf(page, 'checkbox', 'Newsletter'), text: 'true' });
    expect(ticked).toContain('newsletter=true');
    const colour = await e2e.call('type', { ref: groupOfLine(page, 'Colour'), text: '#00ff00' });
    expect(colour).toContain('colour=#00ff00');
    const wrong = await e2e.legible.call('type', { ref: refOf(page, 'textbox', 'Day'), text: '29/02/2024' });
    expect(wrong.isError).toBe(true);
    expect(wrong.text).toMatch(/yyyy-mm-dd/);
  });

  it('scroll with selectors scrolls that element, not the window', async () => {
    const run = await replay('scroll', [
      open('/replay.html', 'Replay'),
      { type: 'scroll', target: 'main', selectors: [['#scroller']], x: 0, y: 500 },
      { type: 'waitForExpression', target: 'main', expression: "document.getElementById('scroller').scrollTop === 500 && window.scrollY === 0", timeout: 1000 },
      { type: 'scroll', target: 'main', x: 0, y: 300 },
      { type: 'waitForExpression', target: 'main', expression: "window.scrollY === 300 && document.getElementById('scroller').scrollTop === 500", timeout: 1000 },
    ]);
    expect(run, run).toContain('PASSED');
  });

  it('click sends the back and forward mouse buttons', async () => {
    const click = (button: string) => ({ type: 'click', target: 'main', selectors: [['#mouse']], offsetX: 4, offsetY: 4, button });
    const back = await replay('back button', [open('/replay.html', 'Replay'), click('back'), { type: 'waitForElement', target: 'main', selectors: [['text/mouse: back']], timeout: 1000 }]);
    expect(back, back).toContain('PASSED');
    const forward = await replay('forward button', [open('/replay.html', 'Replay'), click('forward'), { type: 'waitForElement', target: 'main', selectors: [['text/mouse: forward']], timeout: 1000 }]);
    expect(forward, forward).toContain('PASSED');
  });

  it('runs steps in a popup found by its URL, honours close, and runs steps in an out-of-process iframe', async () => {
    const popupUrl = `${e2e.fixtures.url}/replay-popup.html`;
    const frameUrl = `${e2e.fixtures.url.replace('127.0.0.1', 'localhost')}/replay-frame.html`;
    const before = await e2e.call('pages', { action: 'list' });
    const run = await replay('popup and frame', [
      viewport,
      open('/replay.html', 'Replay'),
      { type: 'click', target: 'main', selectors: [['aria/Open popup'], ['#open-popup']], offsetX: 5, offsetY: 5 },
      { type: 'click', target: popupUrl, selectors: [['aria/Confirm'], ['button']], offsetX: 5, offsetY: 5 },
      { type: 'close', target: popupUrl },
      { type: 'waitForElement', target: 'main', selectors: [['text/Confirmed in the popup']] },
      { type: 'click', target: frameUrl, selectors: [['aria/Frame action'], ['button']], offsetX: 5, offsetY: 5 },
      { type: 'waitForElement', target: frameUrl, selectors: [['#said']], properties: { textContent: 'Frame clicked' } },
    ]);
    expect(run, run).toContain('PASSED');
    expect(run).toMatch(/✓ 4\. click aria\/Confirm \(in .*replay-popup\.html\)/);
    expect(run).toMatch(/✓ 5\. close .*replay-popup\.html/);
    // The popup was closed by the journey, and no tab of the run is left behind.
    expect(await e2e.call('pages', { action: 'list' })).toBe(before);

    const missing = await replay('no such tab', [open('/replay.html', 'Replay'), { type: 'click', target: `${e2e.fixtures.url}/nowhere.html`, selectors: [['button']], offsetX: 1, offsetY: 1, timeout: 500 }]);
    expect(missing).toMatch(/\? 2\. click button .* — not found: no tab or frame has the URL \S+\/nowhere\.html/);
  });

  it('emulates network conditions: no bandwidth at all takes the tab offline', async () => {
    const run = await replay('offline', [
      open('/replay.html', 'Replay'),
      { type: 'emulateNetworkConditions', target: 'main', download: 0, upload: 0, latency: 0 },
      { type: 'waitForExpression', target: 'main', expression: 'navigator.onLine === false', timeout: 1000 },
    ]);
    expect(run, run).toContain('PASSED');
    expect(run).toMatch(/✓ 2\. take the network offline/);
  });

  it('checks assertedEvents: the URL and title a navigation must reach', async () => {
    const link = (title: string) => ({
      type: 'click',
      target: 'main',
      selectors: [['aria/Go to the form'], ['a']],
      offsetX: 5,
      offsetY: 5,
      assertedEvents: [{ type: 'navigation', url: `${e2e.fixtures.url}/form.html`, title }],
    });
    const right = await replay('to the form', [open('/replay.html', 'Replay'), link('Form')]);
    expect(right, right).toContain('PASSED');
    const wrong = await replay('wrong title', [open('/replay.html', 'Replay'), { ...link('Sign up now'), timeout: 800 }]);
    expect(wrong).toMatch(/✗ 2\. click .* — failed: .*title "Form".*wanted .*title "Sign up now"/);
    const wrongUrl = await replay('wrong url', [{ ...open('/replay.html', 'Replay'), assertedEvents: [{ type: 'navigation', url: `${e2e.fixtures.url}/elsewhere.html` }], timeout: 800 }]);
    expect(wrongUrl).toMatch(/✗ 1\. navigate .* — failed: .*elsewhere\.html/);
  });

  it('says what it did not check or run, and then the verdict is INCOMPLETE, never PASSED', async () => {
    const run = await replay('partly understood', [
      open('/replay.html', 'Replay'),
      { type: 'customStep', target: 'main', name: 'lighthouse', parameters: {} },
      { type: 'click', target: 'main', selectors: [['#mouse']], offsetX: 4, offsetY: 4, deviceType: 'touch' },
      // An asserted event of a kind Recorder may write one day (today's parser refuses it).
      { type: 'click', target: 'main', selectors: [['#mouse']], offsetX: 4, offsetY: 4, assertedEvents: [{ type: 'download' }] },
      // A field no Recorder version writes today.
      { type: 'hover', target: 'main', selectors: [['#mouse']], pressure: 0.5 },
    ], { recorderValid: false });
    expect(run).toMatch(/INCOMPLETE/);
    expect(run).not.toMatch(/PASSED/);
    expect(run).toMatch(/2\. custom step lighthouse — not run: /);
    expect(run).toMatch(/3\. click #mouse — not checked: deviceType "touch"/);
    expect(run).toMatch(/4\. click #mouse — not checked: assertedEvents type "download"/);
    expect(run).toMatch(/5\. hover #mouse — not checked: field "pressure"/);
    expect(run).not.toMatch(/✓ [2-5]\./);
  });

  it('does not pass a journey that checked nothing, and counts run, skipped and failed steps apart', async () => {
    const empty = await replay('empty', []);
    expect(empty).toMatch(/INCOMPLETE — nothing was checked/);
    const unknown = await replay('all unknown', [{ type: 'customStep', target: 'main', name: 'a', parameters: {} }, { type: 'customStep', target: 'main', name: 'b', parameters: {} }]);
    expect(unknown).toMatch(/INCOMPLETE — nothing was checked: 2 steps not run/);
    const failed = await replay('fails early', [
      open('/replay.html', 'Replay'),
      { type: 'waitForElement', target: 'main', selectors: [['#nothing']], timeout: 300 },
      { type: 'click', target: 'main', selectors: [['#mouse']], offsetX: 4, offsetY: 4 },
      { type: 'click', target: 'main', selectors: [['#mouse']], offsetX: 4, offsetY: 4 },
    ]);
    expect(failed).toMatch(/FAILED — 1 step passed, 1 failed, 2 skipped/);
    expect(failed).toMatch(/3\. click #mouse — skipped: step 2 failed/);
  });

  it('exits 2 from the command line for a run that checked nothing or left things unchecked, unless --allow-unchecked', async () => {
    const empty = await cli([flowFile('empty', [])]);
    expect(empty.code, empty.stdout).toBe(2);
    expect(empty.stdout).toContain('INCOMPLETE');
    const partial = flowFile('partial', [open('/replay.html', 'Replay'), { type: 'customStep', target: 'main', name: 'lighthouse', parameters: {} }]);
    const strict = await cli([partial]);
    expect(strict.code, strict.stdout).toBe(2);
    const allowed = await cli([partial, '--allow-unchecked']);
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(allowed.stdout).toMatch(/passes with --allow-unchecked; not checked:\n {2}- step 2 \(customStep lighthouse\): not run: /);
    // Nothing checked at all never passes, even when unchecked things are allowed.
    expect((await cli([flowFile('empty again', []), '--allow-unchecked'])).code).toBe(2);
  });

  it('exits 2, with expectations not checked, when the journey never reaches its first page', async () => {
    const port = await closedPort();
    const file = flowFile('app down', [
      { type: 'navigate', url: `http://127.0.0.1:${port}/`, assertedEvents: [{ type: 'navigation', url: `http://127.0.0.1:${port}/`, title: '' }] },
      { type: 'click', target: 'main', selectors: [['#go']], offsetX: 1, offsetY: 1 },
      { type: 'customStep', name: 'legible.expect', parameters: { type: 'noConsoleErrors' } },
      { type: 'customStep', name: 'legible.expect', parameters: { type: 'noFailedRequests' } },
      { type: 'customStep', name: 'legible.expect', parameters: { type: 'text', text: 'Welcome' } },
    ]);
    const result = await cli([file, '--allow-unchecked']);
    expect(result.code, result.stdout).toBe(2);
    expect(result.stdout).toMatch(/ERROR — the journey never reached its first page: Nothing is listening/);
    expect(result.stdout).toMatch(/- no console errors — not checked/);
    expect(result.stdout).toMatch(/- no failed requests — not checked/);
    expect(result.stdout).not.toMatch(/✓/);
  });

  it('journey_save checks js expressions, selectors and /regex/ patterns, and its hint example works', async () => {
    await e2e.open('/replay.html');
    await e2e.call('click', { ref: refOf(await e2e.snapshot(), 'button', 'Mouse target') });
    const bad: [string, RegExp][] = [
      ['js:document.title ===', /js expression .* does not parse/],
      ['element:div[', /not a valid selector/],
      ['!element:xpath///div[', /not a valid selector/],
      ['noFailedRequests:/api[/', /not a valid regular expression/],
    ];
    for (const [expectation, message] of bad) {
      const saved = await e2e.legible.call('journey', { action: 'save', name: 'checked', expect: [expectation] });
      expect(saved.isError, `${expectation}: ${saved.text}`).toBe(true);
      expect(saved.text).toMatch(message);
    }
    const noName = await e2e.legible.call('journey', { action: 'save' });
    expect(noName.isError).toBe(true);
    const example = JSON.parse(/journey (\{.*\})/.exec(noName.text)![1]!);
    const withExample = await e2e.legible.call('journey', example);
    expect(withExample.isError, withExample.text).toBe(false);
  });

  it('labels a run and compares two runs from the command line', async () => {
    const flow = flowFile('compare', [
      open('/replay.html', 'Replay'),
      { type: 'click', target: 'main', selectors: [['#mouse']], offsetX: 4, offsetY: 4 },
      { type: 'customStep', name: 'legible.expect', parameters: { type: 'text', text: 'mouse: left' } },
    ]);
    const broken = flowFile('compare', [
      open('/replay.html', 'Replay'),
      { type: 'customStep', name: 'legible.expect', parameters: { type: 'text', text: 'mouse: left' } },
    ]);
    const beforeDir = join(e2e.outputDir, 'before-report');
    const before = await cli([broken, '--label', 'before', '--report', beforeDir]);
    expect(before.code, before.stdout).toBe(1);
    expect(existsSync(join(beforeDir, 'before-run.json'))).toBe(true);
    const compareDir = join(e2e.outputDir, 'compare-report');
    const after = await cli([flow, '--label', 'after', '--compare-with', beforeDir, '--report', compareDir]);
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(after.stdout).toContain('Changes: 1 fixed, 0 still failing, 0 newly failing.');
    expect(readdirSync(compareDir)).toEqual(expect.arrayContaining(['before.har', 'after.har', 'before-run.json', 'after-run.json', 'report.html']));
    expect(readFileSync(join(compareDir, 'report.html'), 'utf8')).toContain('What changed');
    // A run record from the runs folder works as well as a report folder.
    const records = readdirSync(join(e2e.outputDir, 'runs')).filter((name) => name.endsWith('.json'));
    expect(records.length).toBeGreaterThan(0);
    const again = await cli([flow, '--label', 'again', '--compare-with', join(e2e.outputDir, 'runs', records[0]!), '--report', join(e2e.outputDir, 'compare-2')]);
    expect(again.code, again.stdout).toBe(0);
    const nothing = await cli([flow, '--compare-with', join(e2e.outputDir, 'no-such-run.json'), '--report', join(e2e.outputDir, 'compare-3')]);
    expect(nothing.code).toBe(2);
    expect(nothing.stdout).toMatch(/no run record at .*no-such-run\.json/i);
  });
});

/** The ref of the line that names `label` (any role). */
function groupOfLine(text: string, label: string): string {
  const match = new RegExp(`"${label}"[^\\n]*\\[ref=(e\\d+)\\]`).exec(text);
  if (!match) throw new Error(`no ${label} in:\n${text}`);
  return match[1]!;
}
