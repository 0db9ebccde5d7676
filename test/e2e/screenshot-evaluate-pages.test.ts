import { access, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { refOf, useLegible } from '../helpers/e2e.js';

const e2e = useLegible({ outputDir: 'screens' });
const { open, call } = e2e;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('screenshot', () => {
  it('returns a decodable image of the viewport, at most 1280 px wide', async () => {
    await open('/shop.html');
    const result = await e2e.legible.call('screenshot');
    expect(result.isError, result.text).toBe(false);
    expect(result.images).toHaveLength(1);
    const image = result.images[0]!;
    expect(image.mimeType).toBe('image/webp');
    const meta = await sharp(image.data).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.width).toBeLessThanOrEqual(1280);
    expect(meta.width).toBeGreaterThan(600);
    expect(result.text).toContain(`Screenshot of the viewport: ${meta.width}×${meta.height}`);
    // Not a blank frame: the page's text makes dark pixels on the white page.
    const stats = await sharp(image.data).stats();
    expect(Math.min(...stats.channels.map((channel) => channel.min))).toBeLessThan(100);
  });

  it('captures the full page of a long table, taller than the viewport', async () => {
    await open('/table?rows=200');
    const viewport = await sharp((await e2e.legible.call('screenshot')).images[0]!.data).metadata();
    expect(viewport.width!).toBeGreaterThan(viewport.height!);
    const result = await e2e.legible.call('screenshot', { fullPage: true });
    expect(result.isError, result.text).toBe(false);
    expect(result.text).toContain('Screenshot of the full page');
    const meta = await sharp(result.images[0]!.data).metadata();
    expect(meta.height!).toBeGreaterThan(meta.width!);
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1280);
  });

  it('captures one element by ref', async () => {
    await open('/shop.html');
    const page = await call('snapshot');
    const result = await e2e.legible.call('screenshot', { ref: refOf(page, 'button', 'Search') });
    expect(result.isError, result.text).toBe(false);
    expect(result.text).toContain('Screenshot of the element');
    const meta = await sharp(result.images[0]!.data).metadata();
    expect(meta.width).toBeLessThan(200);
    expect(meta.height).toBeLessThan(100);
  });

  it('refuses ref and fullPage together, and a stale ref', async () => {
    await open('/shop.html');
    const page = await call('snapshot');
    const both = await e2e.legible.call('screenshot', { ref: refOf(page, 'button', 'Search'), fullPage: true });
    expect(both.isError).toBe(true);
    expect(both.text).toContain('Give ref or fullPage, not both');
    const stale = await e2e.legible.call('screenshot', { ref: 'e999999' });
    expect(stale.isError).toBe(true);
    expect(stale.text).toContain('Take a new snapshot');
  });

  it('saves a file inside the output folder when given a path', async () => {
    await open('/shop.html');
    const result = await e2e.legible.call('screenshot', { path: 'shots/shop.png' });
    expect(result.isError, result.text).toBe(false);
    const file = join(e2e.outputDir, 'shots', 'shop.png');
    expect(result.text).toContain(`to ${file}`);
    const meta = await sharp(await readFile(file)).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(1280);
    expect(result.links.map((link) => fileURLToPath(link.uri))).toEqual([file]);
    expect(result.links[0]!.mimeType).toBe('image/png');
  });

  it('refuses a path that leads outside the output folder', async () => {
    await open('/shop.html');
    const escape = join('..', `${relative(dirname(e2e.outputDir), e2e.outputDir)}-escaped.png`);
    const result = await e2e.legible.call('screenshot', { path: escape });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('leads outside the output folder');
    expect(await exists(join(dirname(e2e.outputDir), `${relative(dirname(e2e.outputDir), e2e.outputDir)}-escaped.png`))).toBe(false);

    const absolute = await e2e.legible.call('screenshot', { path: '/tmp/legible-absolute-escape.png' });
    expect(absolute.isError).toBe(true);
    expect(absolute.text).toContain('leads outside the output folder');
    expect(await exists('/tmp/legible-absolute-escape.png')).toBe(false);
  });
});

describe('evaluate', () => {
  it('returns the function result as JSON', async () => {
    await open('/shop.html');
    const text = await call('evaluate', { function: '() => ({ title: document.title, buttons: document.querySelectorAll("button").length, nothing: null })' });
    expect(JSON.parse(text)).toEqual({ title: 'Tiny Shop', buttons: 5, nothing: null });
  });

  it('awaits a promise', async () => {
    await open('/shop.html');
    const text = await call('evaluate', { function: 'async () => (await fetch("/api/search?q=hat")).json()' });
    expect(JSON.parse(text)).toEqual([{ name: 'Green hat', price: '$30' }]);
  });

  it('passes the element of a ref as the first argument', async () => {
    await open('/shop.html');
    const page = await call('snapshot');
    const text = await call('evaluate', { function: '(el) => ({ tag: el.tagName, id: el.id, text: el.textContent })', ref: refOf(page, 'button', 'Explode') });
    expect(JSON.parse(text)).toEqual({ tag: 'BUTTON', id: 'explode', text: 'Explode' });
    const element = await call('evaluate', { function: '(el) => el', ref: refOf(page, 'searchbox', 'Search products') });
    expect(JSON.parse(element)).toBe('<input#q>');
  });

  it('reports a throwing function as an error', async () => {
    await open('/shop.html');
    const result = await e2e.legible.call('evaluate', { function: '() => { throw new Error("kaboom 42") }' });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('The function threw: kaboom 42');
    expect(result.text).toMatch(/\nNext: Fix the function and call again: .*snapshot shows the page.* console/);
  });

  it('explains a syntax error and a non-function', async () => {
    await open('/shop.html');
    const syntax = await e2e.legible.call('evaluate', { function: '() => {' });
    expect(syntax.isError).toBe(true);
    expect(syntax.text).toMatch(/The function is not valid JavaScript: Unexpected/);
    const prose = await e2e.legible.call('evaluate', { function: 'this is not js' });
    expect(prose.text).toContain("The function is not valid JavaScript: Unexpected identifier 'is'");
    // A SyntaxError the function throws while running is still something it threw.
    const thrown = await e2e.legible.call('evaluate', { function: '() => JSON.parse("{")' });
    expect(thrown.text).toMatch(/The function threw: .*JSON/);
    expect(syntax.text).toContain('Pass a function expression such as () => document.title');

    const notFunction = await e2e.legible.call('evaluate', { function: '42' });
    expect(notFunction.isError).toBe(true);
    expect(notFunction.text).toContain('evaluate expects a function');
  });
});

describe('pages', () => {
  it('opens, lists, selects and closes tabs, and runs tools on a named tab', async () => {
    await open('/shop.html');
    const before = await call('pages', { action: 'list' });
    const first = /^\* (p\d+) .*shop\.html "Tiny Shop"$/m.exec(before)![1]!;

    const opened = await call('pages', { action: 'new', url: `${e2e.fixtures.url}/form.html` });
    const second = /Opened (p\d+) at .*\/form\.html \(HTTP 200\)/.exec(opened)![1]!;
    expect(second).not.toBe(first);
    expect(opened).toMatch(new RegExp(`^  ${first} .*/shop\\.html "Tiny Shop"$`, 'm'));
    expect(opened).toMatch(new RegExp(`^\\* ${second} .*/form\\.html "Form"$`, 'm'));

    // Tools act on the selected tab unless given a page.
    expect(await call('snapshot')).toContain('heading "Sign up"');
    const other = await call('snapshot', { page: first });
    expect(other).toContain('heading "Tiny Shop"');
    expect(other).not.toContain('Sign up');
    const clicked = await call('click', { ref: refOf(other, 'checkbox', 'I agree'), page: first });
    expect(clicked).toContain('[checked]');
    expect(await call('evaluate', { function: '() => document.title', page: first })).toBe('"Tiny Shop"');
    expect(await call('evaluate', { function: '() => document.title' })).toBe('"Form"');

    const selected = await call('pages', { action: 'select', id: first });
    expect(selected).toContain(`Selected ${first}.`);
    expect(selected).toMatch(new RegExp(`^\\* ${first} `, 'm'));
    expect(selected).toMatch(new RegExp(`^  ${second} `, 'm'));
    expect(await call('snapshot')).toContain('heading "Tiny Shop"');

    const closed = await call('pages', { action: 'close', id: second });
    expect(closed).toContain(`Closed ${second}.`);
    expect(closed).not.toMatch(new RegExp(`${second} `, 'm'));
    expect(closed).toMatch(new RegExp(`^\\* ${first} `, 'm'));
  });

  it('opens an empty tab without a url', async () => {
    const opened = await call('pages', { action: 'new' });
    const id = /Opened (p\d+)\./.exec(opened)![1]!;
    expect(opened).toMatch(new RegExp(`^\\* ${id} about:blank`, 'm'));
    await call('pages', { action: 'close', id });
  });

  it('refuses an unknown page id, and select or close without an id', async () => {
    const unknown = await e2e.legible.call('snapshot', { page: 'p999' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('There is no page "p999"');
    expect(unknown.text).toMatch(/Open pages: p\d+/);

    const select = await e2e.legible.call('pages', { action: 'select', id: 'p999' });
    expect(select.isError).toBe(true);
    expect(select.text).toContain('There is no page "p999"');

    const close = await e2e.legible.call('pages', { action: 'close' });
    expect(close.isError).toBe(true);
    expect(close.text).toContain('pages close needs an id');
  });
});
