import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseUserFlow } from '@puppeteer/replay';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupOf, useLegible } from '../helpers/e2e.js';
import { basket } from '../helpers/fixtureServer.js';
import { SERVER_ENTRY } from '../helpers/mcpClient.js';

const run = promisify(execFile);

describe('repro journeys', () => {
  beforeAll(() => {
    basket.fixed = false;
  });
  afterAll(() => {
    basket.fixed = false;
  });
  const e2e = useLegible({ outputDir: 'journeys' });
  let journeyPath: string;

  it('saves the steps an agent took to reproduce a bug as a Recorder user flow with expectations', async () => {
    await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/cart.html` });
    const snapshot = await e2e.legible.call('snapshot');
    await e2e.legible.call('type', { ref: groupOf(snapshot.text, /spinbutton "Quantity" \[ref=(e\d+)\]/), text: '2' });
    const click = await e2e.legible.call('click', { ref: groupOf(snapshot.text, /button "Add to basket" \[ref=(e\d+)\]/) });
    expect(click.text).toContain('POST /api/basket → 500');
    const saved = await e2e.legible.call('journey', { action: 'save',
      name: 'basket-500',
      expect: ['text:Added to basket', 'noFailedRequests:/api/', 'noConsoleErrors'],
    });
    expect(saved.isError, saved.text).toBe(false);
    journeyPath = groupOf(saved.text, /to (\S+\.json):/);
    const flow = JSON.parse(readFileSync(journeyPath, 'utf8'));
    // @puppeteer/replay's own parser accepts it: Chrome DevTools' Recorder can import it.
    const parsed = parseUserFlow(flow);
    expect(parsed.title).toBe('basket-500');
    expect(parsed.steps.map((step) => step.type)).toEqual(['setViewport', 'navigate', 'change', 'click', 'customStep', 'customStep', 'customStep']);
    const click0 = flow.steps[3];
    expect(click0.selectors[0]).toEqual(['aria/Add to basket[role="button"]']);
    expect(JSON.stringify(flow)).not.toMatch(/\[ref=|"e\d+"/);
    expect(flow.steps[4]).toEqual({ type: 'customStep', name: 'legible.expect', parameters: { type: 'text', text: 'Added to basket' } });
  });

  it('fails the expectations when replayed against the still-broken app, and passes once fixed', async () => {
    const before = await e2e.legible.call('journey', { action: 'run', journey: 'basket-500', record: 'before' });
    expect(before.isError, before.text).toBe(false);
    expect(before.text).toContain('Journey "basket-500": FAILED');
    expect(before.text).toMatch(/✓ 4\. click button "Add to basket"/);
    expect(before.text).toContain('console: Basket request failed with HTTP 500');
    expect(before.text).toMatch(/✗ text "Added to basket" is visible/);
    expect(before.text).toMatch(/✗ no failed requests matching "\/api\/" — POST \S+\/api\/basket → 500/);
    expect(before.images).toHaveLength(1);
    // The filmstrip: its first tile is the page (not the blank tab the run starts on), and the
    // tile where the error line appears is cut to what changed, so the line is big enough to read:
    // many red pixels (about 600; a whole frame shrunk to a tile made about 30).
    const strip = await sharp(before.images[0]!.data).raw().toBuffer({ resolveWithObject: true });
    // Tiles of 320×180 with a 40 px caption, 6 px apart, in rows.
    const columns = (strip.info.width + 6) / 326;
    const rows = (strip.info.height + 6) / 226;
    expect([columns, rows].every(Number.isInteger), `tiles in a grid: ${strip.info.width}×${strip.info.height}`).toBe(true);
    const tiles = columns * rows;
    const count = (tile: number, test: (r: number, g: number, b: number) => boolean) => {
      let n = 0;
      const left = (tile % columns) * 326;
      const top = Math.floor(tile / columns) * 226;
      for (let y = top; y < top + 180; y++) {
        for (let x = left; x < left + 320; x++) {
          const i = (y * strip.info.width + x) * strip.info.channels;
          if (test(strip.data[i]!, strip.data[i + 1]!, strip.data[i + 2]!)) n++;
        }
      }
      return n;
    };
    // Dark pixels: the page's text at a quarter of its size makes about 100; a blank page none.
    expect(count(0, (r, g, b) => r + g + b < 300), 'dark pixels in the first tile').toBeGreaterThan(25);
    const red = Array.from({ length: tiles }, (_, tile) => count(tile, (r, g, b) => r - g > 50 && r - b > 40));
    expect(Math.max(...red), `red pixels per tile: ${red.join(', ')}`).toBeGreaterThan(250);

    basket.fixed = true;
    const after = await e2e.legible.call('journey', { action: 'run', journey: 'basket-500', record: 'after' });
    expect(after.text).toContain('Journey "basket-500": PASSED');
    expect(after.text).toMatch(/✓ text "Added to basket" is visible/);
  });

  it('bundles the pair into a report whose HTML renders in Chromium and whose HAR parses', async () => {
    const report = await e2e.legible.call('report', { compare: 'after', name: 'basket-report' });
    expect(report.isError, report.text).toBe(false);
    expect(report.text).toContain('Changes: 3 fixed, 0 still failing, 0 newly failing.');
    const html = groupOf(report.text, /Report: (\S+report\.html)/);
    const dir = join(html, '..');
    for (const file of ['journey.json', 'before.mp4', 'after.mp4', 'side-by-side.mp4', 'before.har', 'after.har', 'before-console.log']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const har = JSON.parse(readFileSync(join(dir, 'before.har'), 'utf8'));
    expect(har.log.version).toBe('1.2');
    const post = har.log.entries.find((entry: { request: { method: string; url: string } }) => entry.request.method === 'POST');
    expect(post.request.url).toContain('/api/basket');
    expect(post.response.status).toBe(500);
    // The failed request's body is kept: the error message the server sent.
    expect(post.response.content.text).toBe('{"error":"basket service down"}');
    const afterHar = JSON.parse(readFileSync(join(dir, 'after.har'), 'utf8'));
    expect(afterHar.log.entries.find((entry: { request: { method: string } }) => entry.request.method === 'POST').response.status).toBe(200);

    const source = readFileSync(html, 'utf8');
    // Zero of something bad is not shown in red; the failed request's body is shown.
    expect(source).toContain('<span class="muted">0 still failing</span>');
    expect(source).toContain('<span class="muted">0 newly failing</span>');
    expect(source).toContain('<span class="ok">3 fixed</span>');
    expect(source).toContain('<pre>{&#34;error&#34;:&#34;basket service down&#34;}</pre>');
    // The videos start at the page's first paint, not on the blank tab the run opens, and say so.
    expect(source).toMatch(/The video starts at the page's first paint, \d+\.\d s after the run began/);
    for (const video of ['before.mp4', 'after.mp4']) {
      const first = execFileSync('ffmpeg', ['-v', 'error', '-i', join(dir, video), '-frames:v', '1', '-vf', 'format=gray', '-f', 'rawvideo', '-']);
      // Dark pixels: the page's heading and text, not one flat colour.
      expect(first.filter((v) => v < 100).length, `${video}'s first frame is blank`).toBeGreaterThan(500);
    }

    // Open the report in real Chromium, through Legible itself.
    await e2e.legible.call('navigate', { url: `file://${html}` });
    const outline = await e2e.legible.call('snapshot', { search: 'fixed' });
    expect(outline.text).toMatch(/cell "fixed"/);
    const page = await e2e.legible.call('snapshot');
    expect(page.text).toMatch(/heading "What changed"/);
    expect(page.text).toMatch(/heading "basket-500"/);
    expect(page.text).toMatch(/heading "before FAILED"/);
    expect(page.text).toMatch(/heading "after PASSED"/);
    const shot = await e2e.legible.call('screenshot');
    const { data, info } = await sharp(shot.images[0]!.data).greyscale().raw().toBuffer({ resolveWithObject: true });
    // Not a blank page: plenty of dark (text) pixels.
    expect(data.filter((v) => v < 100).length / (info.width * info.height)).toBeGreaterThan(0.005);

    // Each video shows a still (its last frame: the page where the run ended) before it plays: in a
    // screenshot of the whole report, a video without one is a black box.
    const boxes = JSON.parse(
      (
        await e2e.call('evaluate', {
          function: '() => ({ width: document.documentElement.scrollWidth, videos: [...document.querySelectorAll("video")].map((v) => { const r = v.getBoundingClientRect(); return { poster: v.getAttribute("poster"), x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; }) })',
        })
      ).split('\n')[0]!,
    ) as { width: number; videos: { poster: string | null; x: number; y: number; width: number; height: number }[] };
    expect(boxes.videos.map((video) => video.poster)).toEqual(['side-by-side-poster.webp', 'before-poster.webp', 'after-poster.webp']);
    for (const { poster } of boxes.videos) expect(existsSync(join(dir, poster!)), poster!).toBe(true);
    await e2e.call('screenshot', { fullPage: true, path: 'report-full.png' });
    const full = sharp(join(e2e.outputDir, 'report-full.png'));
    const scale = (await full.metadata()).width! / boxes.width;
    for (const [i, box] of boxes.videos.entries()) {
      // The middle of the video's box (its controls sit at the bottom).
      const region = { left: Math.round((box.x + box.width * 0.1) * scale), top: Math.round((box.y + box.height * 0.1) * scale), width: Math.round(box.width * 0.8 * scale), height: Math.round(box.height * 0.6 * scale) };
      const pixels = await full.clone().extract(region).greyscale().raw().toBuffer();
      const mean = pixels.reduce((sum, v) => sum + v, 0) / pixels.length;
      expect(mean, `mean brightness of video ${i} (${box.poster}) in the whole report: a black box is near 0, the page's still far above`).toBeGreaterThan(100);
    }
  });

  it('explains a malformed expectation', async () => {
    const bad = await e2e.legible.call('journey', { action: 'save', name: 'bad-expectation', expect: ['text'] });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain('needs something after "text:"');
    const unknown = await e2e.legible.call('journey', { action: 'run', journey: 'basket-500', expect: ['colour:red'] });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('Unknown expectation "colour:red"');
  });

  it('refuses to overwrite a saved journey, and to save with nothing recorded', async () => {
    const again = await e2e.legible.call('journey', { action: 'save', name: 'basket-500' });
    expect(again.isError).toBe(true);
    expect(again.text).toContain('already exists');
    const marked = await e2e.legible.call('journey', { action: 'save', mark: true });
    expect(marked.text).toContain('Marked');
    const empty = await e2e.legible.call('journey', { action: 'save', name: 'empty' });
    expect(empty.isError).toBe(true);
    expect(empty.text).toContain('since the mark');
  });

  it('replays a journey written by hand in Recorder format, reporting unsupported steps not run (or failed, as asked)', async () => {
    const flow = {
      title: 'hand written',
      steps: [
        { type: 'navigate', url: `${e2e.fixtures.url}/shop.html` },
        { type: 'emulateCpuThrottling', rate: 4 },
        { type: 'click', selectors: [['#q']], offsetX: 5, offsetY: 5 },
        { type: 'change', selectors: [['#q']], value: 'hat' },
        { type: 'keyDown', key: 'Enter' },
        { type: 'keyUp', key: 'Enter' },
        { type: 'waitForElement', selectors: [['text/1 results for hat']] },
        { type: 'click', selectors: [['xpath///button[contains(., "Buy Green hat")]']], offsetX: 2, offsetY: 2 },
      ],
    };
    const file = join(e2e.outputDir, 'hand.json');
    writeFileSync(file, JSON.stringify(flow));
    // Every other step ran and passed, but one was not run: the run is incomplete, not passed.
    const skipped = await e2e.legible.call('journey', { action: 'run', journey: file });
    expect(skipped.text, skipped.text).toContain('INCOMPLETE — 7 steps passed, 1 not run');
    expect(skipped.text).toMatch(/- 2\. emulateCpuThrottling \(not supported by Legible\) — not run: Legible does not run "emulateCpuThrottling" steps/);
    const failed = await e2e.legible.call('journey', { action: 'run', journey: file, unsupported: 'fail' });
    expect(failed.text).toContain('FAILED');
    expect(failed.text).toMatch(/✗ 2\. emulateCpuThrottling .* — failed: Legible does not run "emulateCpuThrottling" steps/);
    expect(failed.text).toMatch(/· 3\. click #q — skipped: step 2 failed/);
  });

  it('gives expectations about the page a moment to come true, and keeps their order', async () => {
    // "Prepare report" adds its text a second after the click, long after the click has settled.
    const flow = {
      title: 'slow report',
      steps: [
        { type: 'navigate', url: `${e2e.fixtures.url}/dynamic.html` },
        { type: 'click', selectors: [['aria/Prepare report[role="button"]']], offsetX: 5, offsetY: 5 },
        { type: 'customStep', name: 'legible.expect', parameters: { type: 'noConsoleErrors' } },
        { type: 'customStep', name: 'legible.expect', parameters: { type: 'text', text: 'Report is ready' } },
      ],
    };
    const file = join(e2e.outputDir, 'slow-report.json');
    writeFileSync(file, JSON.stringify(flow));
    const run = await e2e.legible.call('journey', { action: 'run', journey: file, expect: ['!text:Report failed'] });
    expect(run.text, run.text).toContain('PASSED');
    const lines = run.text.split('\n');
    const at = (what: string) => lines.findIndex((line) => line.includes(what));
    expect(at('no console errors')).toBeGreaterThan(-1);
    expect(at('no console errors')).toBeLessThan(at('"Report is ready" is visible'));
    expect(at('"Report is ready" is visible')).toBeLessThan(at('"Report failed" is not visible'));
  });

  it('records and replays steps inside an iframe with the frame they happened in', async () => {
    const page = await e2e.openAndSnapshot('/frames.html');
    // Both frames have a "Frame button"; the one in the second frame is clicked.
    const second = page.slice(page.indexOf('iframe "Second frame"'));
    const ref = groupOf(second, /button "Frame button" \[ref=(f\d+e\d+)\]/);
    const click = await e2e.call('click', { ref });
    expect(click).toContain('Clicked in second');
    expect((await e2e.legible.call('wait_for', { ref })).isError).toBe(false);
    const saved = await e2e.call('journey', { action: 'save', name: 'framed', expect: ['text:Clicked in second', '!text:Clicked in first'] });
    const flow = JSON.parse(readFileSync(groupOf(saved, /to (\S+\.json):/), 'utf8'));
    expect(parseUserFlow(flow).steps.map((step) => step.type)).toEqual(['setViewport', 'navigate', 'click', 'waitForElement', 'customStep', 'customStep']);
    const [, , clickStep, waitStep] = flow.steps;
    expect(clickStep.frame).toEqual([1]);
    expect(waitStep.frame).toEqual([1]);
    expect(clickStep.selectors[0]).toEqual(['aria/Frame button[role="button"]']);
    // The CSS selector holds in the frame's own document.
    expect(clickStep.selectors[1]).toEqual(['body > button']);

    const run = await e2e.call('journey', { action: 'run', journey: 'framed' });
    expect(run, run).toContain('PASSED');
    expect(run).toMatch(/✓ text "Clicked in second" is visible\n  ✓ text "Clicked in first" is not visible/);

    // Waiting for an element in a frame that goes away while waiting: it is gone, not an error.
    await e2e.call('click', { ref: groupOf(page, /button "Remove second frame" \[ref=(e\d+)\]/) });
    const gone = await e2e.legible.call('wait_for', { ref, gone: true });
    expect(gone.isError, gone.text).toBe(false);
    expect(gone.text).toContain(`The element ${ref} is gone.`);
    const stale = await e2e.legible.call('wait_for', { ref });
    expect(stale.isError).toBe(true);
    expect(stale.text).toContain('Take a new snapshot');

    // A frame the page does not have: the step says so.
    const file = join(e2e.outputDir, 'no-frame.json');
    writeFileSync(file, JSON.stringify({ title: 'no frame', steps: [flow.steps[1], { ...clickStep, frame: [5], timeout: 300 }] }));
    const missing = await e2e.call('journey', { action: 'run', journey: file });
    expect(missing).toMatch(/2\. click .* — not found: no element matches .*: there is no frame \[5\]/);
  });

  it('explains bad journey files and missing targets with the step number', async () => {
    const bad = join(e2e.outputDir, 'bad.json');
    writeFileSync(bad, '{"title": "x", "steps": [');
    const notJson = await e2e.legible.call('journey', { action: 'run', journey: bad });
    expect(notJson.isError).toBe(true);
    expect(notJson.text).toContain('is not valid JSON');
    writeFileSync(bad, JSON.stringify({ name: 'x' }));
    expect((await e2e.legible.call('journey', { action: 'run', journey: bad })).text).toContain('has no "steps" array');
    writeFileSync(bad, JSON.stringify({ title: 'x', steps: [{ type: 'navigate', url: `${e2e.fixtures.url}/shop.html` }, { type: 'click', offsetX: 1, offsetY: 1 }] }));
    expect((await e2e.legible.call('journey', { action: 'run', journey: bad })).text).toMatch(/Step 2 \(click\) of \S+ is malformed: selectors/);
    writeFileSync(bad, JSON.stringify({ title: 'gone', steps: [{ type: 'navigate', url: `${e2e.fixtures.url}/shop.html` }, { type: 'click', selectors: [['#no-such-button']], offsetX: 1, offsetY: 1, timeout: 500 }] }));
    const missing = await e2e.legible.call('journey', { action: 'run', journey: bad });
    expect(missing.text).toMatch(/\? 2\. click #no-such-button — not found: no element matches #no-such-button/);
    const unknown = await e2e.legible.call('journey', { action: 'run', journey: 'no-such-journey' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain('There is no saved journey "no-such-journey"');
    expect(unknown.text).toMatch(/^Next: Saved journeys: .*basket-500/m);
    const noFile = await e2e.legible.call('journey', { action: 'run', journey: join(e2e.outputDir, 'missing.json') });
    expect(noFile.text).toMatch(/There is no journey file at .*missing\.json/);
  });

  it('re-runs a journey from the command line, exiting non-zero while the bug is there', async () => {
    basket.fixed = false;
    const reportDir = join(e2e.outputDir, 'cli-report');
    const broken = await run(process.execPath, [SERVER_ENTRY, 'run', journeyPath, '--output-dir', e2e.outputDir, '--report', reportDir]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('FAILED');
    expect(existsSync(join(reportDir, 'report.html'))).toBe(true);
    basket.fixed = true;
    const fixed = await run(process.execPath, [SERVER_ENTRY, 'run', journeyPath, '--output-dir', e2e.outputDir]);
    expect(fixed.stdout).toContain('PASSED');
  });

  it('says when the run record could not be written (the runs folder is a file)', async () => {
    const out = join(e2e.outputDir, 'unwritable');
    mkdirSync(out);
    writeFileSync(join(out, 'runs'), 'a file where the runs folder should be');
    const flow = join(out, 'one-step.json');
    writeFileSync(flow, JSON.stringify({ title: 'one step', steps: [{ type: 'navigate', url: `${e2e.fixtures.url}/shop.html` }] }));
    const result = await run(process.execPath, [SERVER_ENTRY, 'run', flow, '--output-dir', out]);
    expect(result.stdout).toContain('PASSED');
    expect(result.stdout).toMatch(/^Warning: the run record could not be written to the runs folder \(.*(EEXIST|ENOTDIR).*\); it is kept in memory only while it is among the 20 newest runs\./m);
  });
});
