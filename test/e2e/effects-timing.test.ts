import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { groupOf, refOf, useLegible } from '../helpers/e2e.js';

const e2e = useLegible({ outputDir: 'effects' });

/** Polls the page through evaluate (which neither shows nor remembers an outline) until `expression` is true. */
async function waitInPage(expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // A page that is navigating cannot answer: ask again.
    const result = await e2e.legible.call('evaluate', { function: `() => ${expression}` });
    if (!result.isError && result.text === 'true') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${expression} did not become true within ${timeoutMs} ms`);
}

describe('what a click set off is reported by that click', () => {
  it('updates from timers of 100, 300 and 600 ms, one kept by the page before Legible could wrap it, a chain and an interval', async () => {
    const page = await e2e.openAndSnapshot('/timers.html');
    for (const [button, change] of [
      ['After 100 ms', 'Done after 100 ms'],
      ['After 300 ms', 'Done after 300 ms'],
      ['After 600 ms', 'Done after 600 ms'],
      ['Saved timer', 'Saved timer fired'],
      ['Interval', 'Tick 1'],
    ]) {
      const click = await e2e.call('click', { ref: refOf(page, 'button', button!) });
      expect(click, button).toMatch(new RegExp(`Changes:\\n~ - status \\[ref=e\\d+\\]: ${change}$`, 'm'));
      expect(click, button).not.toContain('Changed since the last call');
      expect(click, button).not.toContain('Note:');
    }
    const chain = await e2e.call('click', { ref: refOf(page, 'button', 'Timer chain') });
    expect(chain).toMatch(/\+ - listitem \[ref=e\d+\]: Chain step 1\n\+ - listitem \[ref=e\d+\]: Chain step 2/);
  });

  it('an animation-frame chain and a CSS transition', async () => {
    const page = await e2e.openAndSnapshot('/timers.html');
    const frames = await e2e.call('click', { ref: refOf(page, 'button', 'Animation frames') });
    expect(frames).toMatch(/~ - status \[ref=e\d+\]: Animated 20 frames/);
    const fade = await e2e.call('click', { ref: refOf(page, 'button', 'Fade in') });
    expect(fade).toMatch(/\+ - paragraph \[ref=e\d+\]: Panel/);
    // Set when the 400 ms transition ended (transitionend).
    expect(fade).toMatch(/~ - status \[ref=e\d+\]: Faded in/);
  });

  it('does not wait for the page’s own loops, and stops waiting for an endless one the click started, saying so', async () => {
    const page = await e2e.openAndSnapshot('/timers.html');
    // The page polls every 50 ms from its start: not this click's doing.
    const now = await e2e.call('click', { ref: refOf(page, 'button', 'Right away') });
    expect(now).toMatch(/\+ - listitem \[ref=e\d+\]: Clicked right away/);
    expect(now).not.toContain('Note:');
    const spin = await e2e.call('click', { ref: refOf(page, 'button', 'Spin forever') });
    expect(spin).toContain('Note: the page was still busy when waiting stopped (animation frames');
  });

  it('does not take the page’s loops that reschedule themselves after an await for the click’s, and still waits for the click’s own async chains', async () => {
    // Timers the tracker counts for an action (the page's own are not listed): none may belong to the click.
    const actionTimers = '() => window[Symbol.for("legible.activity")].timers.size';
    for (const loops of ['micro', 'fetch', 'unread', 'slow']) {
      const page = await e2e.openAndSnapshot(`/async-loops.html?loops=${loops}`);
      await waitInPage('window.turns > 6');
      for (let i = 0; i < 2; i++) {
        const now = await e2e.call('click', { ref: refOf(page, 'button', 'Right away') });
        expect(now, loops).toMatch(new RegExp(`~ - status \\[ref=e\\d+\\]: Clicked right away \\(${i + 1}\\)`));
        expect(now, loops).not.toContain('Note:');
        // The page's own requests are not the click's to wait for (nor to call still loading).
        expect(now, loops).not.toContain('Still loading');
        expect(await e2e.call('evaluate', { function: actionTimers }), loops).toBe('0');
      }
      const load = await e2e.call('click', { ref: refOf(page, 'button', 'Load after a fetch') });
      expect(load, loops).toMatch(/~ - status \[ref=e\d+\]: Loaded 3 items/);
      const poll = await e2e.call('click', { ref: refOf(page, 'button', 'Poll three times') });
      expect(poll, loops).toMatch(/~ - status \[ref=e\d+\]: Polled three times/);
      // A URL the page's own loop asks too, asked by the click after another request.
      const twice = await e2e.call('click', { ref: refOf(page, 'button', 'Fetch twice') });
      expect(twice, loops).toMatch(/~ - status \[ref=e\d+\]: Fetched twice: fine/);
    }
  });

  it('a change that comes after the report is shown by the next call apart from its own changes', async () => {
    const page = await e2e.openAndSnapshot('/timers.html');
    const late = await e2e.call('click', { ref: refOf(page, 'button', 'After 1.5 s') });
    expect(late).toContain('Changes: none in the outline.');
    await waitInPage(`document.getElementById('status').textContent === 'Late update'`);
    const next = await e2e.call('click', { ref: refOf(page, 'button', 'Right away') });
    const [before, own] = next.split('Changes:');
    expect(before).toMatch(/Changed since the last call, before this action:\n~ - status \[ref=e\d+\]: Late update/);
    expect(own).toMatch(/\+ - listitem \[ref=e\d+\]: Clicked right away/);
    expect(own).not.toContain('Late update');
    // Shown once: the call after that has nothing from before it.
    const again = await e2e.call('click', { ref: refOf(page, 'button', 'Right away') });
    expect(again).not.toContain('Changed since the last call');
  });

  it('a page that loads another after the report says so in the next report, not as that action’s doing', async () => {
    const page = await e2e.openAndSnapshot('/timers.html');
    const leave = await e2e.call('click', { ref: refOf(page, 'button', 'Leave after 1.5 s') });
    expect(leave).toContain('Changes: none in the outline.');
    await waitInPage(`location.pathname === '/form.html' && document.readyState === 'complete'`);
    const press = await e2e.call('type', { key: 'Tab' });
    expect(press).toContain(`Changed since the last call, before this action: the page loaded ${e2e.fixtures.url}/form.html.`);
    expect(press).not.toContain('Page:');
  });

  it('a change made after a snapshot is not blamed on the next click', async () => {
    const page = await e2e.openAndSnapshot('/timers.html');
    await e2e.call('evaluate', { function: `() => { document.getElementById('status').textContent = 'Changed by a script'; }` });
    const click = await e2e.call('click', { ref: refOf(page, 'button', 'Right away') });
    expect(click).toMatch(/Changed since the last call, before this action:\n~ - status \[ref=e\d+\]: Changed by a script\nChanges:\n\+ - listitem/);
  });

  it('timers of a click inside an iframe', async () => {
    const page = await e2e.openAndSnapshot('/timers-frame.html');
    const click = await e2e.call('click', { ref: refOf(page, 'button', 'After 300 ms') });
    expect(click).toMatch(/~ - status \[ref=f\d+e\d+\]: Done after 300 ms/);
  });
});

describe('new tabs', () => {
  it('a target=_blank link and window.open each name the new tab, and the selected tab stays', async () => {
    const page = await e2e.openAndSnapshot('/popups.html');
    const link = await e2e.call('click', { ref: refOf(page, 'link', 'Open the form in a new tab') });
    const linkTab = /Opened 1 new tab:\n {2}(p\d+) (\S+) "Form"\n/.exec(link);
    expect(linkTab?.[2], link).toBe(`${e2e.fixtures.url}/form.html`);
    expect(link).toContain(`The selected tab did not change. To act there: pages {"action":"select","id":"${linkTab![1]}"}`);

    const button = await e2e.call('click', { ref: refOf(page, 'button', 'Open the shop') });
    expect(button).toMatch(/~ - status \[ref=e\d+\]: Opened the shop/);
    const shopTab = /Opened 1 new tab:\n {2}(p\d+) (\S+) "Tiny Shop"\n/.exec(button);
    expect(shopTab?.[2], button).toBe(`${e2e.fixtures.url}/shop.html`);

    const two = await e2e.call('click', { ref: refOf(page, 'button', 'Open two tabs') });
    expect(two).toMatch(/Opened 2 new tabs:\n {2}p\d+ \S+\/form\.html "Form"\n {2}p\d+ \S+\/hover\.html "Hover menu"\n/);

    const pages = await e2e.call('pages', { action: 'list' });
    expect(pages).toMatch(/^\* p\d+ \S+\/popups\.html "Popups"$/m);
    expect(pages).toContain(`  ${shopTab![1]} ${e2e.fixtures.url}/shop.html "Tiny Shop"`);
    // The tab that opened them still takes clicks (it was brought back to the front).
    const again = await e2e.call('click', { ref: refOf(page, 'button', 'Open the shop') });
    expect(again).toContain('Opened 1 new tab');
    for (const id of pages.match(/^ {2}(p\d+)/gm) ?? []) await e2e.call('pages', { action: 'close', id: id.trim() });
  });

  it('a window.open to a server that never answers names the tab by its URL, still loading, and says what was seen', async () => {
    // Takes the connection and never answers: the new tab's first page never arrives.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const stuck = `http://127.0.0.1:${(silent.address() as { port: number }).port}/never`;
    try {
      const page = await e2e.openAndSnapshot(`/popups.html?stuck=${encodeURIComponent(stuck)}`);
      const click = await e2e.call('click', { ref: refOf(page, 'button', 'Open the page that never answers') });
      expect(click).toMatch(/~ - status \[ref=e\d+\]: Opened the slow page/);
      expect(click).toContain(`Opened 1 new tab:\n  ${stuck} (still loading: its server has not answered yet, so no tool can act there)\n`);
      expect(click).toContain('pages {"action":"list"} lists a tab still loading with its id, to close it or use it once its page arrives.');
      expect(click).not.toMatch(/endless loop|did not finish/i);
      // The opener is still the selected tab, and answers; the waiting tab is listed with an id, its URL and its state.
      const pages = await e2e.call('pages', { action: 'list' });
      const opener = groupOf(pages, /^\* (p\d+) \S+\/popups\.html/m);
      const waiting = groupOf(pages, /^ {2}(p\d+) loading /m);
      expect(pages).toContain(`  ${waiting} loading ${stuck}, no document yet (its server has not answered); opened by ${opener}. Close it: pages {"action":"close","id":"${waiting}"}`);
      // Tools cannot act there yet, and say why.
      const snapshot = await e2e.legible.call('snapshot', { page: waiting });
      expect(snapshot.isError).toBe(true);
      expect(snapshot.text).toContain(`Page "${waiting}" has no document yet: it is still waiting for its first page`);
      // A journey run that opens such a tab closes it with the run's other tabs.
      await e2e.call('journey', { action: 'save', name: 'stuck-popup' });
      expect(await e2e.call('journey', { action: 'run', journey: 'stuck-popup' })).toMatch(/^Journey "stuck-popup": PASSED/);
      const afterRun = await e2e.call('pages', { action: 'list' });
      expect(afterRun.match(/ loading /g), afterRun).toHaveLength(1);
      expect(afterRun).toContain(`  ${waiting} loading ${stuck}`);
      expect(await e2e.call('pages', { action: 'close', id: waiting })).toContain(`Closed ${waiting} (it never got its first page).`);
      const after = await e2e.call('pages', { action: 'list' });
      expect(after).not.toContain(waiting);
      expect(after).not.toContain(stuck);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((closed) => silent.close(closed));
    }
  });
});
