import { describe, expect, it } from 'vitest';
import { closedPort, refOf, refOfRole, useLegible } from '../helpers/e2e.js';
import { startLegible } from '../helpers/mcpClient.js';

const e2e = useLegible();
const { open, snapshot } = e2e;

describe('navigate', () => {
  it('reports the URL, title and HTTP status of the loaded page', async () => {
    const text = await open('/shop.html');
    expect(text).toContain(`Loaded ${e2e.fixtures.url}/shop.html "Tiny Shop" (HTTP 200).`);
  });

  it('reports a 404 page as 404', async () => {
    const result = await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/status/404` });
    expect(result.isError).toBe(false);
    expect(result.text).toContain('"Not found" (HTTP 404)');
    expect(result.text).toContain('the server answered 404');
  });

  it('goes back, forward and reloads', async () => {
    await open('/shop.html');
    await open('/form.html');
    const back = await e2e.legible.call('navigate', { go: 'back' });
    expect(back.isError, back.text).toBe(false);
    expect(back.text).toContain(`Loaded ${e2e.fixtures.url}/shop.html "Tiny Shop"`);
    expect(await snapshot()).toContain('heading "Tiny Shop"');

    const forward = await e2e.legible.call('navigate', { go: 'forward' });
    expect(forward.isError, forward.text).toBe(false);
    expect(forward.text).toContain(`Loaded ${e2e.fixtures.url}/form.html "Form"`);
    const beyond = await e2e.legible.call('navigate', { go: 'forward' });
    expect(beyond.isError).toBe(true);
    expect(beyond.text).toContain("There is no page to go forward to in this tab's history.");
    expect(beyond.text).toContain('Next: Open the page by its URL instead: navigate {"url":"…"}.');

    // A reload makes a new document: the typed value is gone afterwards.
    const before = await snapshot();
    await e2e.legible.call('type', { ref: refOf(before, 'textbox', 'Your name'), text: 'Grace' });
    expect(await snapshot()).toContain('[value="Grace"]');
    const reload = await e2e.legible.call('navigate', { go: 'reload' });
    expect(reload.isError, reload.text).toBe(false);
    expect(reload.text).toContain(`Loaded ${e2e.fixtures.url}/form.html "Form" (HTTP 200).`);
    const after = await snapshot();
    expect(after).toContain('textbox "Your name"');
    expect(after).not.toContain('[value="Grace"]');
  });

  it('does not report old console errors as new when going back', async () => {
    const shop = await open('/shop.html');
    expect(shop).not.toContain('TypeError');
    const explode = await e2e.legible.call('click', { ref: refOf(await snapshot(), 'button', 'Explode') });
    expect(explode.text).toContain('Uncaught TypeError');
    await open('/form.html');
    const back = await e2e.legible.call('navigate', { go: 'back' });
    expect(back.isError, back.text).toBe(false);
    expect(back.text).toContain('shop.html');
    expect(back.text).not.toContain('TypeError');
  });

  it('says nothing is listening when the connection is refused', async () => {
    const port = await closedPort();
    const result = await e2e.legible.call('navigate', { url: `http://127.0.0.1:${port}/` });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('Nothing is listening');
    expect(result.text).toContain(`127.0.0.1:${port}`);
  });

  it("explains a port Chromium refuses to load", async () => {
    const result = await e2e.legible.call('navigate', { url: 'http://127.0.0.1:6000/' });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('unsafe ports');
    expect(result.text).toMatch(/^Next: Serve the app on another port/m);
  });

  it('explains a DNS failure', async () => {
    const result = await e2e.legible.call('navigate', { url: 'http://nonexistent.invalid/' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/could not be resolved/);
    expect(result.text).toContain('nonexistent.invalid');
  });

  it('gives up on a page that never finishes loading, with a clear error, and stays usable', { timeout: 30_000 }, async () => {
    // Its own server: a 2 s navigation timeout would be too tight for the DNS test above.
    const quick = await startLegible(['--navigation-timeout', '2000']);
    try {
      const form = await quick.call('navigate', { url: `${e2e.fixtures.url}/form.html` });
      expect(form.isError, form.text).toBe(false);
      const result = await quick.call('navigate', { url: `${e2e.fixtures.url}/never` });
      expect(result.isError).toBe(true);
      expect(result.text).toContain(`${e2e.fixtures.url}/never did not finish loading within 2000 ms`);
      // The tab still answers afterwards.
      const text = await quick.call('snapshot');
      expect(text.isError, text.text).toBe(false);
      expect(text.text).toContain('heading "Sign up"');
      const shop = await quick.call('navigate', { url: `${e2e.fixtures.url}/shop.html` });
      expect(shop.isError, shop.text).toBe(false);
      expect(shop.text).toContain('"Tiny Shop"');
    } finally {
      await quick.close();
    }
  });

  it('refuses javascript: URLs', async () => {
    const result = await e2e.legible.call('navigate', { url: 'javascript:document.title="pwned"' });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('javascript: URLs');
    const title = await e2e.legible.call('evaluate', { function: '() => document.title' });
    expect(title.text).not.toContain('pwned');
  });

  it('refuses url and go together, and neither', async () => {
    const both = await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/shop.html`, go: 'back' });
    expect(both.isError).toBe(true);
    expect(both.text).toContain('Give exactly one of "url" or "go"');
    const neither = await e2e.legible.call('navigate', {});
    expect(neither.isError).toBe(true);
    expect(neither.text).toContain('Give exactly one of "url" or "go"');
    // A usage error, not a failed action (the command line exits 2 for it, not 1).
    for (const result of [both, neither]) expect((result.raw as { _meta?: Record<string, unknown> })._meta?.['legible/failure']).toBe('usage');
  });
});

describe('snapshot', () => {
  it('shows one `- role "name" [ref=eN]` line per element, with heading levels and link URLs', async () => {
    await open('/shop.html');
    const text = await snapshot();
    expect(text).toContain(`Page: ${e2e.fixtures.url}/shop.html "Tiny Shop"`);
    expect(text).toMatch(/^- banner \[ref=e\d+\]$/m);
    expect(text).toMatch(/^ {2}- heading "Tiny Shop" \[ref=e\d+\] \[level=1\]$/m);
    expect(text).toMatch(/- heading "Danger zone" \[ref=e\d+\] \[level=2\]/);
    expect(text).toMatch(/- link "About" \[ref=e\d+\] \[url=\/about\.html\]/);
    expect(text).toMatch(/- button "Search" \[ref=e\d+\]/);
    expect(text).toMatch(/- searchbox "Search products" \[ref=e\d+\]/);
    expect(text).toMatch(/- status \[ref=e\d+\]: No search yet\./);
    expect(text).toMatch(/- checkbox "I agree" \[ref=e\d+\]$/m);
    // Scripts, styles and the document title are not content.
    expect(text).not.toContain('runSearch');
    expect(text).not.toContain('border:1px');
  });

  it('keeps refs the same across snapshots', async () => {
    await open('/shop.html');
    const first = await snapshot();
    const second = await snapshot();
    expect(second).toBe(first);
    // And across actions: an element keeps its ref after other parts of the page change.
    const search = refOf(first, 'button', 'Search');
    await e2e.legible.call('type', { ref: refOf(first, 'searchbox', 'Search products'), text: 'hat' });
    await e2e.legible.call('click', { ref: search });
    const third = await snapshot();
    expect(refOf(third, 'button', 'Search')).toBe(search);
    expect(refOf(third, 'heading', 'Tiny Shop')).toBe(refOf(first, 'heading', 'Tiny Shop'));
    expect(third).toContain('heading "Green hat"');
  });

  it('shows a checkbox as checked after clicking it', async () => {
    await open('/shop.html');
    const ref = refOf(await snapshot(), 'checkbox', 'I agree');
    const click = await e2e.legible.call('click', { ref });
    expect(click.text).toContain(`checkbox "I agree" [ref=${ref}] [checked]`);
    expect(await snapshot()).toContain(`checkbox "I agree" [ref=${ref}] [checked]`);
    await e2e.legible.call('click', { ref });
    const unchecked = await snapshot();
    expect(unchecked).toContain(`checkbox "I agree" [ref=${ref}]`);
    expect(unchecked).not.toContain('[checked]');
  });

  it('shows what was typed into an input and the selected option', async () => {
    await open('/shop.html');
    const text = await snapshot();
    expect(text).toContain(`combobox "Size" [ref=${refOf(text, 'combobox', 'Size')}] [value="Small"]`);
    await e2e.legible.call('type', { ref: refOf(text, 'searchbox', 'Search products'), text: 'boots' });
    await e2e.legible.call('select_option', { ref: refOf(text, 'combobox', 'Size'), values: ['Large'] });
    const after = await snapshot();
    expect(after).toMatch(/searchbox "Search products" \[ref=e\d+\] \[value="boots"\]/);
    expect(after).toMatch(/combobox "Size" \[ref=e\d+\] \[value="Large"\]/);
  });

  it('collapses a 1000-row table and finds, clicks and reports a row by search', async () => {
    await open('/table?rows=1000');
    const text = await snapshot();
    expect(text.length).toBeLessThan(10_000);
    expect(text).toContain('button "Open 1"');
    expect(text).toMatch(/… 99\d more row/);
    expect(text).not.toContain('Open 777');

    const found = await e2e.legible.call('snapshot', { search: 'Open 777' });
    expect(found.isError, found.text).toBe(false);
    expect(found.text).toContain('1 match for "Open 777"');
    expect(found.text).not.toContain('Open 776');
    const ref = refOf(found.text, 'button', 'Open 777');

    const click = await e2e.legible.call('click', { ref });
    expect(click.isError, click.text).toBe(false);
    expect(click.text).toContain(`button "Opened 777" [ref=${ref}]`);
  });

  it('says when a search matches nothing', async () => {
    await open('/table?rows=20');
    const result = await e2e.legible.call('snapshot', { search: 'Open 9999' });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('Nothing on the page');
  });

  it('pages through a scoped snapshot of the table with offset', async () => {
    await open('/table?rows=1000');
    const table = refOfRole(await snapshot(), 'table');
    const first = await e2e.legible.call('snapshot', { ref: table });
    expect(first.isError, first.text).toBe(false);
    expect(first.text).toContain(`table [ref=${table}]`);
    // Scoped snapshots are not collapsed: row 10 is listed.
    expect(first.text).toContain('button "Open 10"');
    const next = new RegExp(`next: snapshot \\{"ref":"${table}","offset":(\\d+)\\}`).exec(first.text);
    expect(next, first.text.slice(-300)).not.toBeNull();
    const numbers = (text: string) => [...text.matchAll(/button "Open (\d+)"/g)].map((m) => Number(m[1]));
    const firstRows = numbers(first.text);

    const second = await e2e.legible.call('snapshot', { ref: table, offset: Number(next![1]) });
    expect(second.isError, second.text).toBe(false);
    const secondRows = numbers(second.text);
    expect(secondRows.length).toBeGreaterThan(5);
    expect(Math.min(...secondRows)).toBeGreaterThan(Math.max(...firstRows));
    expect(second.text).not.toContain(`table [ref=${table}]`);
    expect(second.text).toMatch(/\[showing lines \d+-\d+ of \d+; next:/);
  });

  it('shows a same-origin iframe with f-prefixed refs that can be clicked', async () => {
    await open('/iframe.html');
    const text = await snapshot();
    const iframe = refOf(text, 'iframe', 'Inner frame');
    expect(iframe).toMatch(/^e\d+$/);
    const inner = refOf(text, 'button', 'Frame button');
    expect(inner).toMatch(/^f\d+e\d+$/);
    expect(text).toMatch(/^ {2}- heading "Inside the frame" \[ref=f\d+e\d+\] \[level=2\]$/m);

    const click = await e2e.legible.call('click', { ref: inner });
    expect(click.isError, click.text).toBe(false);
    expect(click.text).toContain(`button "Frame clicked" [ref=${inner}]`);
    expect(await snapshot()).toContain(`button "Frame clicked" [ref=${inner}]`);
  });

  it('refuses a ref whose element the page removed, asking for a new snapshot', async () => {
    await open('/dynamic.html');
    const ref = refOf(await snapshot(), 'button', 'Remove me');
    const first = await e2e.legible.call('click', { ref });
    expect(first.isError, first.text).toBe(false);
    expect(first.text).toContain(`- button "Remove me" [ref=${ref}]`); // shown as removed
    const again = await e2e.legible.call('click', { ref });
    expect(again.isError).toBe(true);
    expect(again.text).toContain(`Ref "${ref}" belonged to an element the page has removed since that snapshot.`);
    expect(again.text).toContain('Take a new snapshot and use a ref from it.');
  });

  it('says that no snapshot was taken when a ref is used straight after navigate', async () => {
    await open('/cart.html');
    const result = await e2e.legible.call('type', { ref: 'e3', text: '2' });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('Ref "e3" means nothing on this page yet: refs come from a snapshot, and none has been taken of the page since it loaded.');
    expect(result.text).not.toContain('since that snapshot');
  });

  it('refuses refs from before a reload, in the page and in its iframe', async () => {
    await open('/iframe.html');
    const text = await snapshot();
    const outer = refOf(text, 'button', 'Outer button');
    const inner = refOf(text, 'button', 'Frame button');
    await e2e.legible.call('navigate', { go: 'reload' });
    for (const ref of [outer, inner]) {
      const result = await e2e.legible.call('click', { ref });
      expect(result.isError, ref).toBe(true);
      expect(result.text).toMatch(/none has been taken of the page since it loaded|belongs to a frame that is not on the page now/);
      expect(result.text).toMatch(/Take a (new )?snapshot and use a ref from it/);
    }
    const fresh = await snapshot();
    expect(refOf(fresh, 'button', 'Outer button')).not.toBe(outer);
  });

  it('rejects something that is not a ref', async () => {
    const result = await e2e.legible.call('click', { ref: 'button' });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('"button" is not an element ref');
  });

  it('leaves out hidden elements', async () => {
    await open('/dynamic.html');
    const text = await snapshot();
    expect(text).toContain('Visible paragraph');
    expect(text).not.toContain('Secret display none');
    expect(text).not.toContain('Secret aria hidden');
    expect(text).not.toContain('Secret visibility hidden');
  });

  it('names an element by the text it shows: hidden parts left out, image alt and child labels in', async () => {
    await open('/dynamic.html');
    const text = await snapshot();
    expect(text).toMatch(/button "Save" \[ref=e\d+\]/);
    expect(text).not.toContain('stale');
    // Visually hidden (screen-reader-only) text is part of the name; an aria-hidden icon is not.
    expect(text).toMatch(/button "Delete row 3" \[ref=e\d+\]/);
    expect(text).not.toContain('trash-icon');
    expect(text).toMatch(/link "Home" \[ref=e\d+\] \[url=\/home\]/);
    expect(text).toMatch(/button "Close" \[ref=e\d+\]/);
    expect(text).toMatch(/button "Settings" \[ref=e\d+\]/);
  });
});
