import { describe, expect, it } from 'vitest';
import { refOf, useLegible } from '../helpers/e2e.js';

const e2e = useLegible();
const { openAndSnapshot } = e2e;

// The per-test timeouts are well under the browser's 60 s protocol timeout: a call that waits on
// the blocked page instead of reporting the dialog fails the test rather than just being slow.
describe('dialogs', () => {
  it('reports a confirm opened by a click, refuses other page tools, and reports what the answer did', { timeout: 20_000 }, async () => {
    const page = await openAndSnapshot('/shop.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'button', 'Delete') });
    expect(click.isError, click.text).toBe(false);
    expect(click.text).toContain('Clicked button "Delete"');
    expect(click.text).toContain('Dialog: a confirm opened: "Really delete?"');
    expect(click.text).toContain('dialog {"accept":true} or {"accept":false}');

    for (const [tool, args] of [
      ['snapshot', {}],
      ['click', { ref: refOf(page, 'button', 'Explode') }],
      ['evaluate', { function: '() => 1' }],
      ['screenshot', {}],
    ] as const) {
      const refused = await e2e.legible.call(tool, args);
      expect(refused.isError, tool).toBe(true);
      expect(refused.text, tool).toContain('A confirm dialog is open');
      expect(refused.text, tool).toContain('"Really delete?"');
      expect(refused.text, tool).toContain('dialog {"accept":true}');
    }

    // Reading the logs still works while the dialog is open.
    const console = await e2e.legible.call('console', { all: true });
    expect(console.isError, console.text).toBe(false);

    const pages = await e2e.legible.call('pages', { action: 'list' });
    expect(pages.text).toContain('[confirm dialog open]');

    const answer = await e2e.legible.call('dialog', { accept: false });
    expect(answer.isError, answer.text).toBe(false);
    expect(answer.text).toContain('Dismissed the confirm "Really delete?".');
    expect(answer.text).toMatch(/~ - status \[ref=e\d+\]: Kept/);

    const snapshot = await e2e.legible.call('snapshot');
    expect(snapshot.isError).toBe(false);
    expect(snapshot.text).toContain(': Kept');
  });

  it('accepting a confirm lets the page go the other way', { timeout: 20_000 }, async () => {
    const page = await openAndSnapshot('/shop.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'button', 'Delete') });
    expect(click.text).toContain('a confirm opened');
    const answer = await e2e.legible.call('dialog', { accept: true });
    expect(answer.isError, answer.text).toBe(false);
    expect(answer.text).toContain('Accepted the confirm');
    expect(answer.text).toMatch(/~ - status \[ref=e\d+\]: Deleted/);
  });

  it('answers a prompt with text', { timeout: 20_000 }, async () => {
    const page = await openAndSnapshot('/dialogs.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'button', 'Ask name') });
    expect(click.text).toContain('Dialog: a prompt opened: "What is your name?" (default "Bob")');
    const answer = await e2e.legible.call('dialog', { accept: true, text: 'Zed' });
    expect(answer.isError, answer.text).toBe(false);
    expect(answer.text).toContain('Hello Zed');
  });

  it('reports an alert and what closing it set off', { timeout: 20_000 }, async () => {
    const page = await openAndSnapshot('/dialogs.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'button', 'Warn me') });
    expect(click.text).toContain('"Careful now"');
    expect(click.text).toMatch(/an? alert opened/);
    const answer = await e2e.legible.call('dialog', { accept: true });
    expect(answer.isError, answer.text).toBe(false);
    expect(answer.text).toContain('Alert closed');
  });

  it('says so when there is no dialog to answer', async () => {
    await openAndSnapshot('/dialogs.html');
    const answer = await e2e.legible.call('dialog', { accept: true });
    expect(answer.isError).toBe(true);
    expect(answer.text).toContain('No dialog is open');
  });

  it('does not hang navigate on an alert during page load; answering it lets the load finish', { timeout: 20_000 }, async () => {
    const nav = await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/alert-on-load.html` });
    expect(nav.isError, nav.text).toBe(false);
    expect(nav.text).toContain(`${e2e.fixtures.url}/alert-on-load.html`);
    expect(nav.text).toContain('"Welcome to the alert page"');

    const refused = await e2e.legible.call('snapshot');
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('dialog is open');

    const answer = await e2e.legible.call('dialog', { accept: true });
    expect(answer.isError, answer.text).toBe(false);
    expect(answer.text).toContain('Accepted the alert "Welcome to the alert page".');

    const snapshot = await e2e.legible.call('snapshot');
    expect(snapshot.isError, snapshot.text).toBe(false);
    expect(snapshot.text).toContain('"Alert on load"');
    expect(snapshot.text).toContain('After the alert');
  });

  it('reports an alert that opens while the page a click went to is still loading, without waiting for an answer', { timeout: 20_000 }, async () => {
    const page = await openAndSnapshot('/alert-while-loading.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'link', 'Open the slow version') });
    expect(click.isError, click.text).toBe(false);
    expect(click.text).toContain('Dialog: an alert opened: "Still loading"');
    const answer = await e2e.legible.call('dialog', { accept: true });
    expect(answer.isError, answer.text).toBe(false);
    expect(answer.text).toContain('Accepted the alert "Still loading".');
  });

  it('navigating away from an open dialog dismisses it', { timeout: 20_000 }, async () => {
    const page = await openAndSnapshot('/shop.html');
    await e2e.legible.call('click', { ref: refOf(page, 'button', 'Delete') });
    const nav = await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/form.html` });
    expect(nav.isError, nav.text).toBe(false);
    expect(nav.text).toContain('"Form"');
    const snapshot = await e2e.legible.call('snapshot');
    expect(snapshot.isError, snapshot.text).toBe(false);
    expect(snapshot.text).toContain('heading "Sign up"');
  });
});

describe('a navigation cut short by a dialog', () => {
  // A short navigation timeout, so the leftover timer of the first navigation would fire during the second.
  const short = useLegible({ args: ['--navigation-timeout', '3000'] });

  it('leaves no timer behind that stops a later, healthy load', { timeout: 30_000 }, async () => {
    const nav = await short.legible.call('navigate', { url: `${short.fixtures.url}/alert-then-stall.html` });
    expect(nav.isError, nav.text).toBe(false);
    expect(nav.text).toContain('Dialog: an alert opened: "Still loading"');
    await short.call('dialog', { accept: true });
    const page = await short.snapshot();
    // The slow page answers after 4 s: the first navigation's 3 s timer would have stopped it.
    const click = await short.call('click', { ref: refOf(page, 'link', 'Open the slow page') });
    expect(click).toContain(`Page: ${short.fixtures.url}/slow?ms=4000 "Slow page"`);
    expect(click).not.toContain('ERR_ABORTED');
  });
});
