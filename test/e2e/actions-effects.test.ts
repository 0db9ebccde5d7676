import { describe, expect, it } from 'vitest';
import { refOf, useLegible } from '../helpers/e2e.js';

const e2e = useLegible();
const { openAndSnapshot } = e2e;

describe('effects reported by actions', () => {
  it('a search click reports the results, the status change and the request, without a snapshot', async () => {
    const page = await openAndSnapshot('/shop.html');
    const typed = await e2e.legible.call('type', { ref: refOf(page, 'searchbox', 'Search products'), text: 'shoes' });
    expect(typed.isError, typed.text).toBe(false);
    expect(typed.text).toContain('Typed "shoes" into searchbox "Search products"');
    expect(typed.text).toContain('[value="shoes"]');

    const click = await e2e.legible.call('click', { ref: refOf(page, 'button', 'Search') });
    expect(click.isError, click.text).toBe(false);
    expect(click.text).toContain('Clicked button "Search"');
    expect(click.text).toMatch(/\+ .*heading "Red shoes"/);
    expect(click.text).toMatch(/\+ .*heading "Blue shoes"/);
    expect(click.text).toContain('button "Buy Red shoes"');
    expect(click.text).not.toContain('Green hat');
    expect(click.text).toMatch(/~ - status \[ref=e\d+\]: 2 results for shoes/);
    expect(click.text).toMatch(/r\d+ GET \/api\/search\?q=shoes → 200/);
    expect(click.text).not.toContain('✗');
  });

  it('a failing request and its console error show up in the click result', async () => {
    const page = await openAndSnapshot('/shop.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'button', 'Add to cart') });
    expect(click.isError, click.text).toBe(false);
    expect(click.text).toMatch(/✗ r\d+ POST \/api\/cart → 500/);
    expect(click.text).toContain('1 failed');
    expect(click.text).toMatch(/error: Cart failed with status 500 \(\/shop\.html:\d+:\d+\)/);
    // The app never reads the 500's body, so the request never "finishes": that must not hold the
    // report until the network limit (it would then list the request as still loading).
    expect(click.text).not.toContain('Still loading');
  });

  it('an uncaught exception shows up in the click result', async () => {
    const page = await openAndSnapshot('/shop.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'button', 'Explode') });
    expect(click.isError, click.text).toBe(false);
    expect(click.text).toMatch(/exception: Uncaught TypeError: Cannot read properties of undefined \(reading 'items'\) \(\/shop\.html:\d+:\d+\)/);
    expect(click.text).toContain('Changes: none in the outline.');
  });

  it('a click that changes nothing says so', async () => {
    const page = await openAndSnapshot('/hover.html');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'heading', 'Hover menu') });
    expect(click.isError, click.text).toBe(false);
    expect(click.text).toContain('Changes: none in the outline.');
    expect(click.text).not.toContain('Console:');
  });

  it('a click on a link reports the new page', async () => {
    const page = await openAndSnapshot('/table?rows=3');
    const click = await e2e.legible.call('click', { ref: refOf(page, 'link', 'Details 2') });
    expect(click.isError, click.text).toBe(false);
    expect(click.text).toContain(`Page: ${e2e.fixtures.url}/item/2`);
    expect(click.text).toContain(`(was ${e2e.fixtures.url}/table?rows=3)`);
  });
});

describe('keyboard, mouse and selects', () => {
  it('press_key Enter submits the form after typing', async () => {
    const page = await openAndSnapshot('/form.html');
    await e2e.legible.call('type', { ref: refOf(page, 'textbox', 'Your name'), text: 'Ada' });
    const press = await e2e.legible.call('type', { key: 'Enter' });
    expect(press.isError, press.text).toBe(false);
    expect(press.text).toContain('Pressed Enter.');
    expect(press.text).toMatch(/~ - status \[ref=e\d+\]: Submitted: Ada/);
  });

  it('type with submit presses Enter itself', async () => {
    const page = await openAndSnapshot('/form.html');
    const typed = await e2e.legible.call('type', { ref: refOf(page, 'textbox', 'Your name'), text: 'Lin', submit: true });
    expect(typed.isError, typed.text).toBe(false);
    expect(typed.text).toContain('and pressed Enter');
    expect(typed.text).toContain('Submitted: Lin');
  });

  it('type replaces the field by default and appends with clear:false', async () => {
    const page = await openAndSnapshot('/form.html');
    const ref = refOf(page, 'textbox', 'Your name');
    await e2e.legible.call('type', { ref, text: 'first' });
    const replaced = await e2e.legible.call('type', { ref, text: 'second' });
    expect(replaced.text).toContain('[value="second"]');
    const appended = await e2e.legible.call('type', { ref, text: '+more', clear: false });
    expect(appended.text).toContain('[value="second+more"]');
  });

  it('type refuses an element that takes no text', async () => {
    const page = await openAndSnapshot('/form.html');
    const result = await e2e.legible.call('type', { ref: refOf(page, 'button', 'Sign up'), text: 'x' });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('does not take text');
  });

  it('press_key handles combos and rejects unknown keys', async () => {
    const page = await openAndSnapshot('/form.html');
    const ref = refOf(page, 'textbox', 'Your name');
    await e2e.legible.call('type', { ref, text: 'abc' });
    const selectAll = await e2e.legible.call('type', { key: 'Control+A' });
    expect(selectAll.isError, selectAll.text).toBe(false);
    await e2e.legible.call('type', { key: 'Backspace' });
    const after = await e2e.legible.call('snapshot');
    expect(after.text).toContain(`textbox "Your name" [ref=${ref}]`);
    expect(after.text).not.toContain('[value="abc"]');

    const bad = await e2e.legible.call('type', { key: 'NoSuchKey' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain('NoSuchKey');
  });

  it('hover opens a :hover menu and a mouseenter tooltip', async () => {
    const page = await openAndSnapshot('/hover.html');
    expect(page).not.toContain('Export as PDF');
    expect(page).not.toContain('Shortcut');
    const menu = await e2e.legible.call('click', { hover: true, ref: refOf(page, 'button', 'File menu') });
    expect(menu.isError, menu.text).toBe(false);
    expect(menu.text).toContain('Hovered button "File menu"');
    expect(menu.text).toMatch(/\+ .*link "Export as PDF" \[ref=e\d+\] \[url=\/hover\.html#export\]/);

    const tip = await e2e.legible.call('click', { hover: true, ref: refOf(page, 'button', 'Help icon') });
    expect(tip.isError, tip.text).toBe(false);
    expect(tip.text).toMatch(/\+ - tooltip "Shortcut: Ctrl\+H"/);
    // The menu closed when the mouse left it.
    expect(tip.text).toMatch(/- - link "Export as PDF"/);
  });

  it('select_option picks by visible label and by value', async () => {
    const page = await openAndSnapshot('/form.html');
    const ref = refOf(page, 'combobox', 'Favourite colour');
    expect(page).toContain('[value="Choose…"]');

    const byLabel = await e2e.legible.call('select_option', { ref, values: ['Green'] });
    expect(byLabel.isError, byLabel.text).toBe(false);
    expect(byLabel.text).toContain(`combobox "Favourite colour" [ref=${ref}] [value="Green"]`);
    expect(byLabel.text).toContain('Picked g');

    const byValue = await e2e.legible.call('select_option', { ref, values: ['b'] });
    expect(byValue.isError, byValue.text).toBe(false);
    expect(byValue.text).toContain(`combobox "Favourite colour" [ref=${ref}] [value="Blue"]`);
    expect(byValue.text).toContain('Picked b');
  });

  it('select_option with an unknown option lists the options', async () => {
    const page = await openAndSnapshot('/form.html');
    const result = await e2e.legible.call('select_option', { ref: refOf(page, 'combobox', 'Favourite colour'), values: ['Purple'] });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('No option matches "Purple"');
    expect(result.text).toContain('"Red", "Green", "Blue"');
    expect((await e2e.legible.call('snapshot')).text).toContain('[value="Choose…"]');
  });

  it('select_option refuses an element that is not a select', async () => {
    const page = await openAndSnapshot('/form.html');
    const result = await e2e.legible.call('select_option', { ref: refOf(page, 'textbox', 'Your name'), values: ['x'] });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('<select>');
  });
});

describe('wait_for', () => {
  it('waits for text that a timer adds', async () => {
    const page = await openAndSnapshot('/dynamic.html');
    await e2e.legible.call('click', { ref: refOf(page, 'button', 'Prepare report') });
    const wait = await e2e.legible.call('wait_for', { text: 'Report is ready' });
    expect(wait.isError, wait.text).toBe(false);
    expect(wait.text).toContain('The text "Report is ready" is there.');
    expect((await e2e.legible.call('snapshot')).text).toMatch(/- paragraph \[ref=e\d+\]: Report is ready/);
  });

  it('waits for text to go away', async () => {
    const page = await openAndSnapshot('/dynamic.html');
    expect(page).toContain('Loading spinner');
    await e2e.legible.call('click', { ref: refOf(page, 'button', 'Stop spinner') });
    const wait = await e2e.legible.call('wait_for', { text: 'Loading spinner', gone: true });
    expect(wait.isError, wait.text).toBe(false);
    expect(wait.text).toContain('The text "Loading spinner" is gone.');
    expect((await e2e.legible.call('snapshot')).text).not.toContain('Loading spinner');
  });

  it('waits for an element by ref to go away', async () => {
    const page = await openAndSnapshot('/dynamic.html');
    const spinner = /paragraph \[ref=(e\d+)\]: Loading spinner/.exec(page)![1]!;
    await e2e.legible.call('click', { ref: refOf(page, 'button', 'Stop spinner') });
    const wait = await e2e.legible.call('wait_for', { ref: spinner, gone: true });
    expect(wait.isError, wait.text).toBe(false);
    expect(wait.text).toContain(`The element ${spinner} is gone.`);
  });

  it('fails with a clear error when the timeout passes', async () => {
    await openAndSnapshot('/dynamic.html');
    const wait = await e2e.legible.call('wait_for', { text: 'Never appears', timeout: 500 });
    expect(wait.isError).toBe(true);
    expect(wait.text).toContain('The text "Never appears" was still not there after 500 ms.');
  });

  it('needs exactly one of text or ref', async () => {
    const wait = await e2e.legible.call('wait_for', {});
    expect(wait.isError).toBe(true);
    expect(wait.text).toContain('Give exactly one of "text" or "ref"');
  });
});
