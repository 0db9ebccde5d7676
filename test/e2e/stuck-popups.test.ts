import { afterEach, describe, expect, it } from 'vitest';
import { groupOf, refOf, useLegible } from '../helpers/e2e.js';
import { unanswered } from '../helpers/fixtureServer.js';

// Popups whose server (the fixture's /never) takes the connection and never answers: puppeteer
// never hands such a tab over, so only the browser's own target list knows it.
const e2e = useLegible();

/** The waiting tabs `pages` lists now: id -> what it says it loads. */
async function waitingTabs(): Promise<Map<string, string>> {
  const pages = await e2e.call('pages', { action: 'list' });
  return new Map([...pages.matchAll(/^ {2}(p\d+) loading (\S+?),? /gm)].map((match) => [match[1]!, match[2]!]));
}

// Each test closes the tabs it left waiting: they hold connections to the fixture server, and
// the browser opens at most six to one host.
afterEach(async () => {
  for (const id of (await waitingTabs()).keys()) await e2e.call('pages', { action: 'close', id });
});

describe('a popup that never gets its first page', () => {
  for (const [what, name, role] of [
    ['window.open', 'Open a stuck popup', 'button'],
    ['window.open with noopener', 'Open a stuck popup without opener', 'button'],
    ['a target=_blank rel=noopener link', 'Open a stuck link', 'link'],
  ] as const) {
    it(`opened by ${what} leaves its opener usable`, { timeout: 60_000 }, async () => {
      const page = await e2e.openAndSnapshot(`/stuck-popups.html?tag=${encodeURIComponent(what.replace(/\W+/g, '-'))}`);
      await e2e.call('click', { ref: refOf(page, role, name) });
      // The popup took the front; the opener is brought back before the next call acts on it.
      expect(await e2e.call('click', { ref: refOf(page, 'button', 'Count') })).toMatch(/~ - status \[ref=e\d+\]: Clicked 1$/m);
      expect(await e2e.call('type', { ref: refOf(page, 'textbox', 'Note'), text: 'still here' })).not.toMatch(/did not complete/);
      expect(await e2e.call('evaluate', { function: '() => document.getElementById("note").value' })).toBe('"still here"');
    });
  }
});

describe('a journey whose step opens a popup that never gets its first page', () => {
  const runs = useLegible({ outputDir: 'stuck-journey' });

  it('runs its next step on the opener', { timeout: 90_000 }, async () => {
    const page = await runs.openAndSnapshot('/stuck-popups.html?tag=journey');
    await runs.call('click', { ref: refOf(page, 'button', 'Open a stuck popup') });
    await runs.call('click', { ref: refOf(page, 'button', 'Count') });
    await runs.call('journey', { action: 'save', name: 'stuck-then-count', expect: ['text:Clicked 1'] });
    const run = await runs.call('journey', { action: 'run', journey: 'stuck-then-count' });
    expect(run).toMatch(/^Journey "stuck-then-count": PASSED/);
    expect(run).toMatch(/✓ 4\. click button "Count"/);
  });
});

describe('the URL a waiting popup is listed with', () => {
  /** The /never requests of this test (by its tag) the fixture server holds open, sorted. */
  const held = (tag: string) => unanswered.filter((path) => path.endsWith(`-${tag}`)).sort();

  /** Closes the tab listed as loading `url` and checks, by the server's own count, that the request it closed was that one. */
  async function closeListed(tag: string, url: string): Promise<void> {
    const waiting = await waitingTabs();
    const id = [...waiting].find(([, listed]) => listed === url)?.[0];
    expect(id, `no tab listed as loading ${url}: ${JSON.stringify([...waiting])}`).toBeDefined();
    const left = held(tag).filter((path) => `${e2e.fixtures.url}${path}` !== url);
    await e2e.call('pages', { action: 'close', id: id! });
    await expect.poll(() => held(tag), { timeout: 10_000 }).toEqual(left);
  }

  it('names each popup by its own URL, three opened at once and two more after', { timeout: 60_000 }, async () => {
    const page = await e2e.openAndSnapshot('/stuck-popups.html?tag=five');
    await e2e.call('click', { ref: refOf(page, 'button', 'Open three stuck popups') });
    await e2e.call('click', { ref: refOf(page, 'button', 'Open a numbered stuck popup') });
    await e2e.call('click', { ref: refOf(page, 'button', 'Open a numbered stuck popup') });
    // Five: the browser opens at most six connections to one host.
    const paths = ['a', 'b', 'c', '1', '2'].map((name) => `/never?${name}-five`).sort();
    await expect.poll(() => held('five'), { timeout: 10_000 }).toEqual(paths);
    // The browser lists its tabs in no particular order: each must still show what it loads.
    expect([...(await waitingTabs()).values()].sort()).toEqual(paths.map((path) => `${e2e.fixtures.url}${path}`));
    for (const path of paths) await closeListed('five', `${e2e.fixtures.url}${path}`);
  });

  it('forgets the URL of a popup that closed', { timeout: 60_000 }, async () => {
    const page = await e2e.openAndSnapshot('/stuck-popups.html?tag=closed');
    const open = async () => e2e.call('click', { ref: refOf(page, 'button', 'Open a numbered stuck popup') });
    const url = (n: number) => `${e2e.fixtures.url}/never?${n}-closed`;
    await open();
    await open();
    await expect.poll(() => held('closed'), { timeout: 10_000 }).toEqual(['/never?1-closed', '/never?2-closed']);
    // The newer one closes: the one left loads the first URL, and says so.
    await closeListed('closed', url(2));
    expect([...(await waitingTabs()).values()]).toEqual([url(1)]);
    // Another opens: each is listed with its own URL.
    await open();
    expect([...(await waitingTabs()).values()].sort()).toEqual([url(1), url(3)]);
    await closeListed('closed', url(3));
    await closeListed('closed', url(1));
  });
});

describe('a tab that lost the front without a new tab opening', () => {
  // A short page timeout: the input that finds its tab not rendering fails in 3 s, not 10.
  const short = useLegible({ args: ['--page-timeout', '3000'] });

  /** Opens front-taker.html and its popup, then has the page bring the popup to the front (window.focus): no tab is created, so Legible cannot know. Returns the page's snapshot and its id. */
  async function loseTheFront(): Promise<{ page: string; id: string }> {
    const page = await short.openAndSnapshot('/front-taker.html');
    const id = groupOf(await short.call('pages', { action: 'list' }), /^\* (p\d+) \S+\/front-taker\.html/m);
    expect(await short.call('click', { ref: refOf(page, 'button', 'Open the form') })).toMatch(/Opened 1 new tab:\n {2}p\d+ \S+\/form\.html/);
    expect(await short.call('click', { ref: refOf(page, 'button', 'Show the form') })).toMatch(/status \[ref=e\d+\]: Showed the form$/m);
    return { page, id };
  }

  afterEach(async () => {
    const pages = await short.call('pages', { action: 'list' });
    for (const [, id] of pages.matchAll(/^ {2}(p\d+) \S+\/form\.html/gm)) await short.call('pages', { action: 'close', id: id! });
  });

  it('is brought back by pages select', { timeout: 60_000 }, async () => {
    const { page, id } = await loseTheFront();
    expect(await short.call('pages', { action: 'select', id })).toContain(`Selected ${id}.`);
    expect(await short.call('click', { ref: refOf(page, 'button', 'Count') })).toMatch(/status \[ref=e\d+\]: Clicked 1$/m);
  });

  it('fails the input saying what happened, and the next call brings the tab back', { timeout: 60_000 }, async () => {
    const { page, id } = await loseTheFront();
    const lost = await short.legible.call('click', { ref: refOf(page, 'button', 'Count') });
    expect(lost.isError, lost.text).toBe(true);
    expect(lost.text).toContain(`The browser did not complete the input: ${id} is not rendering, as happens when another tab or window took the front`);
    expect(lost.text).toContain(`Legible brings ${id} back to the front at the next call (pages {"action":"select","id":"${id}"} does it now`);
    // As the advice says: the next call shows the tab, and the page as it is (the click did not land).
    expect(await short.call('snapshot')).toMatch(/status \[ref=e\d+\]: Showed the form$/m);
    expect(await short.call('click', { ref: refOf(page, 'button', 'Count') })).toMatch(/status \[ref=e\d+\]: Clicked 1$/m);
  });
});
