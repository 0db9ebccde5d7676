import { beforeAll, describe, expect, it } from 'vitest';
import { browserChildren, isAlive, killBrowser, refOf, useLegible } from '../helpers/e2e.js';

// A navigation timeout above the page timeout: a slow load must not be mistaken for a stuck script.
const e2e = useLegible({ args: ['--page-timeout', '3000', '--navigation-timeout', '4000'] });
const { openAndSnapshot } = e2e;
let serverPid: number;

beforeAll(() => {
  serverPid = e2e.legible.pid()!;
  expect(serverPid).toBeGreaterThan(0);
});

describe('a page stuck in an endless loop', () => {
  it('fails the click within the page timeout, and the page answers again afterwards', { timeout: 30_000 }, async () => {
    const page = await openAndSnapshot('/loop.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'button', 'Spin forever') });
    expect(click.isError, click.text).toBe(true);
    expect(click.text).toContain('did not finish within 3000 ms, and the page\'s JavaScript did not answer for 1000 ms more: it is busy (an endless loop or a very long task).');

    const after = await e2e.legible.call('snapshot');
    expect(after.isError, after.text).toBe(false);
    expect(after.text).toContain('Still here');
    const evaluate = await e2e.legible.call('evaluate', { function: '() => 6 * 7' });
    expect(evaluate.text).toBe('42');

    const nav = await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/shop.html` });
    expect(nav.isError, nav.text).toBe(false);
    expect(nav.text).toContain('"Tiny Shop"');
  });

  it('stops an endless loop in evaluate too', { timeout: 30_000 }, async () => {
    await openAndSnapshot('/shop.html');
    const stuck = await e2e.legible.call('evaluate', { function: '() => { while (true) {} }' });
    expect(stuck.isError, stuck.text).toBe(true);
    expect(stuck.text).toContain('did not finish within 3000 ms');
    expect(stuck.text).toContain('it is busy (an endless loop or a very long task)');
    const after = await e2e.legible.call('evaluate', { function: '() => document.title' });
    expect(after.isError, after.text).toBe(false);
    expect(after.text).toBe('"Tiny Shop"');
  });

  it('says a promise that never settles is waiting, not an endless loop', { timeout: 30_000 }, async () => {
    await openAndSnapshot('/shop.html');
    const waiting = await e2e.legible.call('evaluate', { function: '() => new Promise(() => {})' });
    expect(waiting.isError, waiting.text).toBe(true);
    expect(waiting.text).toContain("The evaluated function did not finish within 3000 ms, though the page's JavaScript is not busy (it answered at once when asked). Its result (a promise) never settled.");
    expect(waiting.text).not.toContain('endless loop');
    expect(waiting.text).toContain('Promise.race');
  });
});

// A task that outlasts the page timeout (3000 ms) but ends before the page is asked for long
// (1000 ms more): the question waits behind it, and the answer must not read as "not busy, waiting".
describe('a task that finishes only after the page timeout', () => {
  it('says an evaluate that ran long was slow, not waiting for a promise', { timeout: 30_000 }, async () => {
    await openAndSnapshot('/shop.html');
    const slow = await e2e.legible.call('evaluate', { function: '() => { const end = Date.now() + 3200; while (Date.now() < end) {} return 1; }' });
    expect(slow.isError, slow.text).toBe(true);
    expect(slow.text).toMatch(/^Error: The evaluated function did not finish within 3000 ms: the page was busy with it, and it finished only after 3,\d{3} ms \(not an endless loop: a slow or very long task\)\.\nNext: It ran to its end, late/);
    expect(slow.text).not.toContain('never settled');
  });

  it('says a click whose handler ran long was slow, and that it took effect', { timeout: 30_000 }, async () => {
    const page = await openAndSnapshot('/loop.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'button', 'Spin 3.2 s') });
    expect(click.isError, click.text).toBe(true);
    expect(click.text).toMatch(/did not finish within 3000 ms: the page was busy with it, and it finished only after 3,\d{3} ms/);
    expect(click.text).not.toContain('did not complete the input');
    expect(await e2e.snapshot()).toContain('Done slowly');
  });
});

describe('slow loads', () => {
  it('reports a load that outlasts the page timeout as a load timeout, not a stuck script', { timeout: 30_000 }, async () => {
    await openAndSnapshot('/form.html');
    const nav = await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/never` });
    expect(nav.isError).toBe(true);
    expect(nav.text).toContain('did not finish loading within 4000 ms');
    expect(nav.text).not.toContain('endless loop');
    const after = await e2e.legible.call('snapshot');
    expect(after.isError, after.text).toBe(false);
    expect(after.text).toContain('heading "Sign up"');
  });

  it('lists a tab whose first page never came as having no document of its URL, not as a plain blank tab', { timeout: 30_000 }, async () => {
    const never = `${e2e.fixtures.url}/never?tab`;
    const opened = await e2e.legible.call('pages', { action: 'new', url: never });
    expect(opened.isError).toBe(true);
    expect(opened.text).toContain('did not finish loading within 4000 ms');
    const pages = await e2e.legible.call('pages', { action: 'list' });
    const id = /^\* (p\d+) about:blank/m.exec(pages.text)?.[1];
    expect(pages.text).toContain(`* ${id} about:blank (no document of ${never}: its load timed out before its server answered, and was stopped)`);
    // A later page clears it.
    await e2e.call('navigate', { url: `${e2e.fixtures.url}/form.html` });
    const later = (await e2e.legible.call('pages', { action: 'list' })).text;
    expect(later, later).not.toContain('no document of');
    await e2e.call('pages', { action: 'close', id: id! });
  });
});

describe('bad arguments', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['click', {}, /ref/],
    ['click', { ref: 5 }, /ref/],
    ['type', { ref: 'e1' }, /text/],
    ['type', { ref: 'e1', text: 'x', submit: 'yes' }, /submit/],
    ['select_option', { ref: 'e1', values: 'Large' }, /values/],
    ['select_option', { ref: 'e1', values: [] }, /values/],
    ['navigate', { go: 'sideways' }, /go/],
    ['navigate', { url: 42 }, /url/],
    ['wait_for', { text: 'x', timeout: 'soon' }, /timeout/],
    ['wait_for', { text: 'x', timeout: 999_999 }, /timeout/],
    ['snapshot', { offset: -1 }, /offset/],
    ['dialog', {}, /accept/],
    ['pages', {}, /action/],
    ['pages', { action: 'explode' }, /action/],
    ['console', { level: 'fatal' }, /level/],
    ['evaluate', { function: '' }, /function/],
    ['press_key', { key: '' }, /key/],
  ];

  it.each(cases)('%s %j is an error result naming the argument', async (tool, args, names) => {
    const result = await e2e.legible.call(tool, args);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(names);
  });

  it('leaves the server working after bad arguments', async () => {
    const page = await openAndSnapshot('/shop.html');
    expect(page).toContain('heading "Tiny Shop"');
  });
});

describe('a browser crash', () => {
  it('relaunches the browser on the next call and says so', { timeout: 60_000 }, async () => {
    await openAndSnapshot('/shop.html');
    const children = await killBrowser(serverPid);
    expect(children.length, 'the server should have launched a browser').toBeGreaterThan(0);

    const nav = await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/form.html` });
    expect(nav.isError, nav.text).toBe(false);
    expect(nav.text).toMatch(/^Notice: .*browser.*(crashed|closed).*launched a new one/m);
    expect(nav.text).toContain(`Loaded ${e2e.fixtures.url}/form.html "Form" (HTTP 200).`);

    const snap = await e2e.legible.call('snapshot');
    expect(snap.isError, snap.text).toBe(false);
    expect(snap.text).toContain('heading "Sign up"');
    expect(snap.text).not.toContain('Notice:');

    const relaunched = browserChildren(serverPid);
    expect(relaunched.length).toBeGreaterThan(0);
    expect(relaunched.some((pid) => children.includes(pid))).toBe(false);

    // Everything still works on the new browser.
    const page = await e2e.legible.call('pages', { action: 'list' });
    expect(page.text).toMatch(/^\* p\d+ .*\/form\.html "Form"$/m);
    const typed = await e2e.legible.call('type', { ref: refOf(snap.text, 'textbox', 'Your name'), text: 'Back again', submit: true });
    expect(typed.isError, typed.text).toBe(false);
    expect(typed.text).toContain('Submitted: Back again');
  });

  it('keeps the server process alive through all of the above', async () => {
    expect(isAlive(serverPid)).toBe(true);
    expect(e2e.legible.pid()).toBe(serverPid);
    const list = await e2e.legible.client.listTools();
    expect(list.tools.length).toBeGreaterThanOrEqual(14);
  });
});
