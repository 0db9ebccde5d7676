/**
 * Pages and browsers in bad shape get errors that say what happened and what helps: a hung
 * renderer (chrome://hang), a page too tall to capture, a page too large to outline in time, a
 * browser killed during a navigation. A killed browser leaves nothing in the temp folder, and
 * no write follows a symbolic link out of the output folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLegible } from '../helpers/mcpClient.js';
import { browserChildren, killBrowser, tempDir, useLegible, waitForExit } from '../helpers/e2e.js';

const e2e = useLegible({ outputDir: 'broken', args: ['--page-timeout', '1500'] });

describe('a hung renderer (chrome://hang)', () => {
  it('is named as such, and navigate brings the tab back', { timeout: 90_000 }, async () => {
    await e2e.open('/shop.html');
    await e2e.legible.call('navigate', { url: 'chrome://hang' });
    const snapshot = await e2e.legible.call('snapshot', {});
    expect(snapshot.isError).toBe(true);
    expect(snapshot.text).toMatch(/does not answer even after Legible stopped its script: its renderer is hung\.\nNext: navigate \(to a URL, or \{"go":"reload"\}\) restarts the tab's renderer/);
    const reload = await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/shop.html` });
    expect(reload.isError, reload.text).toBe(false);
    expect(reload.text).toContain("Note: the tab's renderer was hung");
    expect(await e2e.snapshot()).toContain('heading "Tiny Shop"');
  });
});

describe('very large pages', () => {
  it('captures the top of a 400,000 px page and says so, instead of "Page is too large"', { timeout: 60_000 }, async () => {
    await e2e.open('/huge-page.html');
    const shot = await e2e.legible.call('screenshot', { fullPage: true });
    expect(shot.isError, shot.text).toBe(false);
    expect(shot.text).toMatch(/Note: the page is 1,280×400,\d{3} px; this shows its top-left 16,000 px at most\./);
    expect(shot.images).toHaveLength(1);
  });
});

describe('a page too large to outline in time', () => {
  // Its own server with a short call limit, so the walk over 150,000 elements (1.1 to 1.4 s on this
  // 2-core machine, and not under a tenth of that anywhere) always outlasts it. The walk then ends
  // either while the page is asked whether it is busy (the question waits behind it) or after, when
  // it is stopped: both must blame the walker.
  const large = useLegible({ args: ['--page-timeout', '300'] });
  it("blames Legible's walker, not the page, when an idle page is too large to outline in time", { timeout: 120_000 }, async () => {
    await large.open('/many-buttons.html?count=150000');
    const snapshot = await large.legible.call('snapshot', {});
    expect(snapshot.isError).toBe(true);
    expect(snapshot.text).toMatch(/^Error: Reading the page outline did not finish within 300 ms: the page has 150,\d{3} elements, more than Legible's outline walker gets through in that time/);
    expect(snapshot.text).not.toMatch(/endless loop/);
    await large.call('navigate', { url: 'about:blank' });
  });
});

describe('file names and links in the output folder', () => {
  it('refuses a 300-character screenshot name before capturing', async () => {
    await e2e.open('/shop.html');
    const shot = await e2e.legible.call('screenshot', { path: `${'n'.repeat(300)}.png` });
    expect(shot.isError).toBe(true);
    expect(shot.text).toMatch(/^Error: The file name "n{59}…" \(304 characters\) is 304 bytes long; file names are at most 255 bytes\.\nNext: Give a shorter name/);
  });

  it('does not write a screenshot through a symbolic link out of the output folder', async () => {
    const outside = await tempDir('broken-outside');
    await symlink(outside, join(e2e.outputDir, 'shots'));
    await symlink(join(outside, 'new.png'), join(e2e.outputDir, 'dangling.png'));
    for (const path of ['shots/cart.png', 'dangling.png']) {
      const shot = await e2e.legible.call('screenshot', { path });
      expect(shot.isError, shot.text).toBe(true);
      expect(shot.text).toContain('leads outside the output folder');
      expect(shot.text).toContain('through a symbolic link');
    }
    expect(await readdir(outside)).toEqual([]);
    // A real folder inside is fine.
    await mkdir(join(e2e.outputDir, 'inside'));
    expect((await e2e.legible.call('screenshot', { path: 'inside/cart.png' })).isError).toBe(false);
    expect(existsSync(join(e2e.outputDir, 'inside', 'cart.png'))).toBe(true);
  });
});

describe('a browser killed', () => {
  it('during a navigation: says the browser went away, not "detached Frame"', { timeout: 60_000 }, async () => {
    await e2e.open('/shop.html');
    const pid = e2e.legible.pid()!;
    const navigating = e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/never` });
    await new Promise((resolve) => setTimeout(resolve, 700));
    await killBrowser(pid);
    const result = await navigating;
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/^Error: The browser or the tab went away during the call/);
    expect(result.text).toContain('Next: Call again');
    expect((await e2e.legible.call('snapshot', {})).text).toMatch(/^Notice: The browser had closed or crashed; Legible launched a new one/);
  });

  it('leaves no scratch folder behind: removed on relaunch and on exit', { timeout: 90_000 }, async () => {
    const output = await tempDir('broken-scratch');
    const legible = await startLegible(['--output-dir', output]);
    const scratchOf = (browserPid: number) => /(?:^|\0)TMPDIR=([^\0]+)/.exec(readFileSync(`/proc/${browserPid}/environ`, 'utf8'))![1]!;
    try {
      await legible.call('navigate', { url: `${e2e.fixtures.url}/shop.html` });
      const [first] = browserChildren(legible.pid()!);
      const firstScratch = scratchOf(first!);
      expect(firstScratch).toMatch(/\/legible-chromium-[^/]+$/);
      // Chromium keeps its own temp files there, where a kill leaves them.
      expect((await readdir(firstScratch)).some((name) => name.startsWith('org.chromium.Chromium.'))).toBe(true);
      await killBrowser(legible.pid()!);
      await legible.call('navigate', { url: `${e2e.fixtures.url}/shop.html` });
      expect(existsSync(firstScratch)).toBe(false);
      const [second] = browserChildren(legible.pid()!);
      const secondScratch = scratchOf(second!);
      expect(secondScratch).not.toBe(firstScratch);
      expect(existsSync(secondScratch)).toBe(true);
      const serverPid = legible.pid()!;
      await legible.close();
      await waitForExit(serverPid);
      expect(existsSync(secondScratch)).toBe(false);
    } finally {
      await legible.close().catch(() => undefined);
    }
  });
});
