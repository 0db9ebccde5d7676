import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChrome } from '../../src/cdp/findChrome.js';
import { closedPort, isAlive, tempDir, useLegible, waitForExit } from '../helpers/e2e.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';
import { startLegible } from '../helpers/mcpClient.js';

/** A browser of "the user's", with remote debugging on and one tab open on `url`. */
async function startUsersBrowser(url: string): Promise<{ child: ChildProcess; endpoint: string; httpUrl: string; profile: string }> {
  const profile = await tempDir('users-browser');
  const child = spawn(
    findChrome(),
    ['--headless', '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', url],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no DevTools endpoint in:\n${seen}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  const httpUrl = `http://${new URL(endpoint).host}`;
  // DevTools listens before the tab has committed its first page: wait until the tab shows it, as
  // a user's browser would have long before anyone attaches.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const targets = (await fetch(`${httpUrl}/json/list`).then((response) => response.json())) as { type: string; url: string }[];
    if (targets.some((target) => target.type === 'page' && target.url === url)) break;
    if (Date.now() > deadline) throw new Error(`the browser's tab never showed ${url}: ${JSON.stringify(targets)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, endpoint, httpUrl, profile };
}

describe('attaching to a running browser', () => {
  let fixtures: FixtureServer;
  let users: Awaited<ReturnType<typeof startUsersBrowser>>;
  beforeAll(async () => {
    fixtures = await startFixtureServer();
    users = await startUsersBrowser(`${fixtures.url}/form.html`);
  });
  afterAll(async () => {
    // Only the browser this test started, by its process group.
    if (users?.child.pid && isAlive(users.child.pid)) {
      process.kill(-users.child.pid, 'SIGKILL');
      await waitForExit(users.child.pid);
    }
    if (users) await rm(users.profile, { recursive: true, force: true });
    await fixtures?.close();
  });

  /** The URLs of the user's browser's tabs, sorted. */
  const tabs = async () =>
    ((await fetch(`${users.httpUrl}/json/list`).then((response) => response.json())) as { type: string; url: string }[])
      .filter((target) => target.type === 'page')
      .map((target) => target.url)
      .sort();

  it('works in a tab of its own, says which, leaves the open tab and the browser alone, and closes its tabs on exit', { timeout: 60_000 }, async () => {
    const legible = await startLegible(['--browser-url', users.httpUrl]);
    try {
      const nav = await legible.call('navigate', { url: `${fixtures.url}/shop.html` });
      expect(nav.isError, nav.text).toBe(false);
      expect(nav.text).toMatch(
        new RegExp(`Legible attached to the browser at ${users.httpUrl.replace(/[.]/g, '\\.')} and opened a tab of its own, (p\\d+), for its work; the tabs that were open \\((p\\d+) ${fixtures.url.replace(/[.]/g, '\\.')}/form\\.html\\) are left as they were`),
      );
      const pages = await legible.call('pages', { action: 'list' });
      expect(pages.text).toMatch(/^\* p\d+ \S+\/shop\.html "Tiny Shop"$/m);
      expect(pages.text).toMatch(/^ {2}p\d+ \S+\/form\.html "Form"$/m);
      // A second tab of Legible's, and a popup its page opens.
      expect((await legible.call('pages', { action: 'new' })).isError).toBe(false);
      await legible.call('navigate', { url: `${fixtures.url}/shop.html` });
      await legible.call('evaluate', { function: `() => { window.open('${fixtures.url}/form.html?popup'); return 1; }` });
      // The popup is Legible's to close once it knows of it (pages lists it).
      const deadline = Date.now() + 5_000;
      while (!/form\.html\?popup/.test((await legible.call('pages', { action: 'list' })).text) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await tabs()).toHaveLength(4);
      // And a popup whose server never answers: no page yet, listed as waiting, still Legible's.
      await legible.call('evaluate', { function: `() => { window.open('${fixtures.url}/never'); return 1; }` });
      await expect.poll(async () => (await legible.call('pages', { action: 'list' })).text, { timeout: 5_000 }).toMatch(/no document yet/);
      expect(await tabs()).toHaveLength(5);
    } finally {
      await legible.close();
    }
    expect(isAlive(users.child.pid!)).toBe(true);
    // Only the user's tab is left, as it was.
    const deadline = Date.now() + 5_000;
    while ((await tabs()).length > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await tabs()).toEqual([`${fixtures.url}/form.html`]);
  });

  it('works in the open tab with --reuse-tab, and says so', { timeout: 60_000 }, async () => {
    const legible = await startLegible(['--browser-url', users.httpUrl, '--reuse-tab']);
    try {
      const snapshot = await legible.call('snapshot');
      expect(snapshot.isError, snapshot.text).toBe(false);
      // The tabs Legible opened in the test before were closed when it exited: the user's is the one left.
      const [, id, url] = /works in its open tab (p\d+) \((\S+)\), as --reuse-tab asks/.exec(snapshot.text) ?? [];
      expect(url, snapshot.text).toBe(`${fixtures.url}/form.html`);
      expect(snapshot.text).toContain(`Page: ${url} `);
      const pages = await legible.call('pages', { action: 'list' });
      expect(pages.text).toMatch(new RegExp(`^\\* ${id} `, 'm'));
      expect(pages.text.match(/^[ *] p\d+ /gm)).toHaveLength(1);
    } finally {
      await legible.close();
    }
    // Working in the user's tab, Legible leaves it open when it exits.
    expect(await tabs()).toEqual([`${fixtures.url}/form.html`]);
  });
});

describe('attaching fails clearly', () => {
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
  });

  it('names what went wrong when nothing listens at the WebSocket address', { timeout: 30_000 }, async () => {
    const legible = await startLegible(['--ws-endpoint', `ws://127.0.0.1:${port}/devtools/browser/x`]);
    try {
      const nav = await legible.call('navigate', { url: 'http://127.0.0.1:1/' });
      expect(nav.isError).toBe(true);
      expect(nav.text).toContain(`Could not attach to the browser at ws://127.0.0.1:${port}/devtools/browser/x: nothing is listening there (`);
      expect(nav.text).not.toContain('[object Object]');
    } finally {
      await legible.close();
    }
  });
});

describe('--headed without a display', () => {
  const headed = useLegible({ args: ['--headed'], env: { DISPLAY: '', WAYLAND_DISPLAY: '' } });

  it('says that --headed needs a display, and how to do without', { timeout: 30_000 }, async () => {
    const nav = await headed.legible.call('navigate', { url: `${headed.fixtures.url}/form.html` });
    expect(nav.isError).toBe(true);
    expect(nav.text).toContain('--headed needs a display to show the browser window, and there is none here');
    expect(nav.text).toContain('xvfb-run legible-mcp --headed');
    expect(nav.text).not.toContain('Puppeteer script');
  });
});
