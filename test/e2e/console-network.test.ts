import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { refOf, useLegible } from '../helpers/e2e.js';

const e2e = useLegible({ outputDir: 'console-network' });
const { open, call } = e2e;

/** The id of the newest listed request whose line contains `what`. */
function lastId(list: string, what: string): string {
  const ids = list.split('\n').filter((line) => line.includes(what)).map((line) => /(r\d+) /.exec(line)?.[1]);
  const id = ids[ids.length - 1];
  if (!id) throw new Error(`No ${what} in:\n${list}`);
  return id;
}

describe('console', () => {
  it('lists every level, uncaught exceptions and unhandled rejections with their location', async () => {
    const nav = await open('/console.html');
    // The load's own report already names the errors and warnings.
    expect(nav).toContain('warning: load warn message');
    expect(nav).toContain('Uncaught RangeError: thrown on load');

    const text = await call('console', { all: true });
    expect(text).toMatch(/^log: load log message \(\/console\.html:\d+:\d+\)$/m);
    expect(text).toMatch(/^info: load info message \(\/console\.html:\d+:\d+\)$/m);
    expect(text).toMatch(/^warning: load warn message \(\/console\.html:\d+:\d+\)$/m);
    expect(text).toMatch(/^debug: load debug message \(\/console\.html:\d+:\d+\)$/m);
    expect(text).toMatch(/^error: load error message \(\/console\.html:11:\d+\)$/m);
    expect(text).toMatch(/^exception: Uncaught RangeError: thrown on load \(\/console\.html:13:\d+\)$/m);
    expect(text).toMatch(/^ {4}at thrower \(http:\/\/127\.0\.0\.1:\d+\/console\.html:13:\d+\)$/m);
    expect(text).toMatch(/^exception: Uncaught \(in promise\) Error: rejected on load \(\/console\.html:14:\d+\)$/m);
  });

  it('folds repeated messages into one line with a count', async () => {
    // A new tab, since each tab's log counts everything since the tab opened.
    const opened = await call('pages', { action: 'new', url: `${e2e.fixtures.url}/console.html` });
    const id = /Opened (p\d+)/.exec(opened)![1]!;
    try {
      const text = await call('console', { all: true, text: 'repeated' });
      expect(text).toMatch(/^log: repeated message \(\/console\.html:12:\d+\) ×5$/m);
      expect(text.match(/repeated message/g)).toHaveLength(1);
      // Loading the page again adds five more to the same line.
      await call('navigate', { go: 'reload' });
      expect(await call('console', { all: true, text: 'repeated' })).toMatch(/repeated message \(\/console\.html:12:\d+\) ×10$/m);
    } finally {
      await call('pages', { action: 'close', id });
    }
  });

  it('filters by level (and more severe) and by text', async () => {
    await open('/console.html');
    const warnings = await call('console', { all: true, level: 'warning' });
    expect(warnings).toContain('load warn message');
    expect(warnings).toContain('load error message');
    expect(warnings).toContain('Uncaught RangeError');
    expect(warnings).not.toContain('load log message');
    expect(warnings).not.toContain('load info message');
    expect(warnings).not.toContain('load debug message');

    const errors = await call('console', { all: true, level: 'error' });
    expect(errors).toContain('load error message');
    expect(errors).not.toContain('load warn message');

    const byText = await call('console', { all: true, text: 'INFO MESSAGE' });
    expect(byText).toContain('1 console message');
    expect(byText).toContain('info: load info message');
    expect(byText).not.toContain('load log message');

    const none = await call('console', { all: true, text: 'no such text anywhere' });
    expect(none).toMatch(/No console messages since the page opened match the filter \(\d+ messages without it\)/);
  });

  it('by default returns only what is new since the last console call', async () => {
    await open('/console.html');
    const first = await call('console');
    expect(first).toContain('new since the last console call');
    expect(first).toContain('load log message');

    const second = await call('console');
    expect(second).toBe('No console messages new since the last console call.');

    const page = await call('snapshot');
    await call('click', { ref: refOf(page, 'button', 'Log more') });
    const third = await call('console');
    expect(third).toContain('1 console message new since the last console call');
    expect(third).toMatch(/^log: clicked more \(\/console\.html:\d+:\d+\)$/m);
    expect(third).not.toContain('load log message');

    const all = await call('console', { all: true });
    expect(all).toContain('clicked more');
    expect(all).toContain('load log message');
  });

  it('shows console.log in the console tool but keeps it out of action reports', async () => {
    await open('/console.html');
    const page = await call('snapshot');
    const click = await call('click', { ref: refOf(page, 'button', 'Log more') });
    expect(click).not.toContain('clicked more');
    expect(await call('console', { level: 'log' })).toContain('clicked more');
  });
});

describe('network', () => {
  it('lists requests with their status; failures are marked with ✗', async () => {
    await call('network'); // older requests of this tab are now read
    await open('/network.html');
    const text = await call('network');
    expect(text).toMatch(/^3 requests new since the last network call, 1 failed:$/m);
    const lines = text.split('\n');
    const data = lines.find((line) => line.includes('/api/data'));
    const missing = lines.find((line) => line.includes('/api/missing'));
    const page = lines.find((line) => line.includes('/network.html'));
    expect(data).toMatch(/^ {2}r\d+ GET \/api\/data → 200 OK \(fetch, /);
    expect(missing).toMatch(/^✗ r\d+ GET \/api\/missing → 404 Not Found \(fetch, /);
    expect(page).toMatch(/^ {2}r\d+ GET \/network\.html → 200 OK \(document, /);

    const failed = await call('network', { all: true, failed: true });
    expect(failed).toContain('/api/missing');
    expect(failed).not.toContain('/api/data');
    expect(failed.split('\n').filter((line) => / r\d+ GET /.test(line)).every((line) => line.startsWith('✗'))).toBe(true);

    const filtered = await call('network', { all: true, filter: 'api/data' });
    expect(filtered).toMatch(/\d+ requests? since the page opened/);
    expect(filtered).toContain('/api/data');
    expect(filtered).not.toContain('/api/missing');
  });

  it('by default lists only requests new since the last network call', async () => {
    await open('/network.html');
    await call('network');
    expect(await call('network')).toBe('No requests new since the last network call.');
    const page = await call('snapshot');
    await call('click', { ref: refOf(page, 'button', 'Fetch data') });
    const text = await call('network');
    expect(text).toContain('2 requests new since the last network call, 1 failed');
    expect(text).not.toContain('/network.html');
  });

  it('shows one request in detail, with secrets redacted and the response body', async () => {
    await open('/network.html');
    const list = await call('network', { all: true, filter: 'api/data' });
    const id = lastId(list, 'GET /api/data');
    const text = await call('network', { id });
    expect(text).toContain(`URL: ${e2e.fixtures.url}/api/data`);
    expect(text).toMatch(/authorization: \[redacted\]$/im);
    expect(text).toContain('Credentials are shown as [redacted]: pass showSecrets to see them.');
    expect(text).toMatch(/^ {2}cookie: \[redacted/im);
    expect(text).toMatch(/set-cookie: \[redacted/i);
    expect(text).not.toContain('header-secret-value');
    expect(text).not.toContain('cookie-secret-value');
    expect(text).not.toContain('set-cookie-secret');
    expect(text).toContain('x-trace: trace-visible-value');
    expect(text).toMatch(/Response body \(\d+ B, application\/json\):/);
    expect(text).toContain('"marker":"body-marker-42"');

    const secrets = await call('network', { id, showSecrets: true });
    expect(secrets).toContain('authorization: Bearer header-secret-value');
    expect(secrets).toMatch(/cookie: token=cookie-secret-value/i);
    expect(secrets).toContain('server-session=set-cookie-secret');
  });

  it('shows a POST request body and redacts the failed response cookie', async () => {
    await open('/shop.html');
    const page = await call('snapshot');
    const click = await call('click', { ref: refOf(page, 'button', 'Add to cart') });
    const id = /✗ (r\d+) POST \/api\/cart/.exec(click)![1]!;
    const text = await call('network', { id });
    expect(text).toMatch(/^✗ r\d+ POST .*\/api\/cart → 500 Internal Server Error/);
    expect(text).toMatch(/Request body \(\d+ B\):\n\{"id":1\}/);
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('abc123');
    expect(text).toContain('cart service down');
  });

  it('saves a response body to a file in the output folder', async () => {
    await open('/network.html');
    const list = await call('network', { all: true, filter: 'api/data' });
    const id = lastId(list, 'GET /api/data');
    const result = await e2e.legible.call('network', { id, saveBody: true });
    expect(result.isError, result.text).toBe(false);
    const saved = /Saved the whole body to (\S+)/.exec(result.text)![1]!;
    expect(relative(e2e.outputDir, saved).startsWith('..')).toBe(false);
    expect(saved.endsWith('.json')).toBe(true);
    const body = JSON.parse(await readFile(saved, 'utf8')) as { items: string[]; marker: string };
    expect(body).toEqual({ items: ['alpha', 'beta', 'gamma'], marker: 'body-marker-42' });
    expect(result.links).toHaveLength(1);
    expect(fileURLToPath(result.links[0]!.uri)).toBe(saved);
  });

  it('says so for an unknown request id, and saveBody without an id', async () => {
    await open('/network.html');
    const unknown = await e2e.legible.call('network', { id: 'r9999' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('There is no request r9999');
    const noId = await e2e.legible.call('network', { saveBody: true });
    expect(noId.isError).toBe(true);
    expect(noId.text).toContain('saveBody needs the id');
    const badId = await e2e.legible.call('network', { id: '12' });
    expect(badId.isError).toBe(true);
    expect(badId.text).toContain('request ids look like r12');
  });
});
