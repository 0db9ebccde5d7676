/**
 * Page- and file-controlled text cannot make an answer large: a 2 MB URL, thousands of pending
 * requests, a journey of thousands of unsupported steps with a huge title. Each surface keeps
 * its own budget, so the response builder's overall cap ("[Answer cut …]") never has to act.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLegible } from '../helpers/e2e.js';

const e2e = useLegible({ outputDir: 'bounded' });

function expectSmall(text: string, limit: number) {
  expect(text.length, text.slice(0, 500)).toBeLessThan(limit);
  expect(text).not.toContain('[Answer cut');
}

describe('a page whose URL is 2 MB long', () => {
  it('keeps navigate, snapshot and pages answers short, over several such tabs', { timeout: 180_000 }, async () => {
    for (let tab = 0; tab < 4; tab++) {
      if (tab) await e2e.call('pages', { action: 'new' });
      const navigate = await e2e.open('/long-url.html');
      expectSmall(navigate, 2_000);
      // The replaced URL shows up once the page ran its script.
      const snapshot = await e2e.snapshot();
      expectSmall(snapshot, 2_000);
      expect(snapshot).toMatch(/^Page: http:\/\/127\.0\.0\.1:\d+\/long-url\.html\?q=u+… \[\d+ more characters\] "Long URL"/);
    }
    const pages = await e2e.call('pages', { action: 'list' });
    expectSmall(pages, 3_000);
    expect(pages.match(/long-url\.html\?q=u+… \[\d+ more characters\]/g)).toHaveLength(4);
  });
});

describe('a click that starts 2,000 requests that never finish', () => {
  it('lists a few of the requests still loading and counts the rest', { timeout: 60_000 }, async () => {
    const page = await e2e.openAndSnapshot('/pending.html?count=2000');
    const ref = /button "Start the requests" \[ref=(e\d+)\]/.exec(page)![1]!;
    const click = await e2e.call('click', { ref });
    expectSmall(click, 4_000);
    const loading = click.split('\n').find((line) => line.startsWith('Still loading'))!;
    expect(loading).toMatch(/^Still loading when the report was made: (r\d+ GET \/never\?request=\d+, ){5}… \d+ more: see the network tool$/);
    // Leaving the page cancels its requests, which hold every connection the browser keeps to the fixture server.
    await e2e.call('navigate', { url: 'about:blank' });
  });
});

describe('journeys that are long or oddly titled', () => {
  const steps = (count: number) => Array.from({ length: count }, (_, i) => ({ type: `frobnicate${i % 3}` }));

  it('answers a run of 2,000 unsupported steps with a 1 MB title in a few lines', { timeout: 120_000 }, async () => {
    const file = join(e2e.outputDir, 'long.json');
    await writeFile(file, JSON.stringify({ title: `T${'i'.repeat(1_000_000)}`, steps: [{ type: 'navigate', url: `${e2e.fixtures.url}/shop.html` }, ...steps(1_999)] }));
    const result = await e2e.legible.call('journey', { action: 'run', journey: file });
    expect(result.isError, result.text).toBe(false);
    expectSmall(result.text, 8_000);
    expect(result.text.slice(0, 1_000)).toMatch(/^Journey "Ti{198}…": INCOMPLETE — 1 step passed, 1999 not run/);
    expect(result.text).toContain('  … 1,970 steps not run (21–1990)\n');
    expect(result.text).toMatch(/\n {2}… and 1979 more \(all of them are in the run record\)/);
  });

  it('refuses a journey of 100,000 steps with a clear error', async () => {
    const file = join(e2e.outputDir, 'huge.json');
    await writeFile(file, JSON.stringify({ title: 'huge', steps: steps(100_000) }));
    const result = await e2e.legible.call('journey', { action: 'run', journey: file });
    expect(result.isError).toBe(true);
    expect(result.text).toBe(`Error: ${file} has 100,000 steps; a journey has at most 2,000.\nNext: Split it into shorter journeys.`);
  });

  it('refuses a journey file over 5 MB before reading it (a 20 MB title)', async () => {
    const file = join(e2e.outputDir, 'title.json');
    await writeFile(file, JSON.stringify({ title: 'T'.repeat(20_000_000), steps: [] }));
    const result = await e2e.legible.call('journey', { action: 'run', journey: file });
    expect(result.isError).toBe(true);
    expectSmall(result.text, 500);
    expect(result.text).toMatch(/is 19\.1 MB; journeys are at most 5 MB/);
  });
});
