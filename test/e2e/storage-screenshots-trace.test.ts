import { readFileSync, statSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { groupOf, refOf, useLegible } from '../helpers/e2e.js';

const SESSION = 'sessionSECRET7f3e2a';

describe('storage', () => {
  const e2e = useLegible({ outputDir: 'storage' });

  it('sets a cookie and storage items, and lists them with the values redacted unless asked', async () => {
    await e2e.open('/account.html');
    const set = await e2e.call('storage', { set: [`session=${SESSION}; Path=/; HttpOnly`, 'localStorage:theme=dark', 'localStorage:authToken=tokSECRET99'] });
    expect(set).toContain('Set 1 cookie and 2 storage items');
    const listed = await e2e.call('storage');
    expect(listed).toMatch(/session=\[redacted\] \(127\.0\.0\.1\/; HttpOnly/);
    expect(listed).toContain('theme = dark');
    expect(listed).toContain('authToken = [redacted]');
    expect(listed).not.toContain(SESSION);
    expect(listed).not.toContain('tokSECRET99');
    const shown = await e2e.call('storage', { showSecrets: true });
    expect(shown).toContain(`session=${SESSION}`);
    await e2e.call('navigate', { go: 'reload' });
    expect(await e2e.snapshot()).toMatch(/Signed in as ann \(19 chars\)[\s\S]*Theme: dark/);
  });

  it('saves the state redacted by default, and whole with showSecrets; loading the whole one signs in again', async () => {
    const redacted = await e2e.call('storage', { save: 'shared.json' });
    expect(redacted).toContain('2 values were written as [redacted]');
    const sharedFile = groupOf(redacted, /to (\S+shared\.json)\./);
    expect(readFileSync(sharedFile, 'utf8')).not.toContain(SESSION);
    const full = await e2e.call('storage', { save: 'auth.json', showSecrets: true });
    const authFile = groupOf(full, /to (\S+auth\.json)\./);
    expect(readFileSync(authFile, 'utf8')).toContain(SESSION);
    expect(statSync(authFile).mode & 0o077).toBe(0);

    await e2e.call('storage', { clear: true });
    await e2e.call('navigate', { go: 'reload' });
    expect(await e2e.snapshot()).toMatch(/Signed out[\s\S]*Theme: default/);

    const partial = await e2e.call('storage', { load: 'shared.json' });
    expect(partial).toContain('skipped 2 redacted values');
    const loaded = await e2e.call('storage', { load: 'auth.json' });
    expect(loaded).toContain('Loaded 1 cookie and 2 storage items');
    await e2e.call('navigate', { go: 'reload' });
    expect(await e2e.snapshot()).toMatch(/Signed in as ann[\s\S]*Theme: dark/);
  });

  it('lets a journey start logged in: the load is a step of it', async () => {
    await e2e.call('storage', { clear: true });
    await e2e.call('journey', { action: 'save', mark: true });
    await e2e.call('storage', { load: 'auth.json' });
    await e2e.open('/account.html');
    const saved = await e2e.call('journey', { action: 'save', name: 'logged-in', expect: ['text:Signed in as ann'] });
    expect(saved).toMatch(/load browser state from \S+auth\.json/);
    await e2e.call('storage', { clear: true });
    const run = await e2e.call('journey', { action: 'run', journey: 'logged-in' });
    expect(run).toContain('Journey "logged-in": PASSED');
    const journey = readFileSync(groupOf(saved, /to (\S+\.json):/), 'utf8');
    expect(journey).not.toContain(SESSION);
  });

  it('explains a cookie it cannot set and a file that is not a state', async () => {
    const bad = await e2e.legible.call('storage', { set: ['no equals sign'] });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain('is neither a cookie nor a storage item');
    const attr = await e2e.legible.call('storage', { set: ['a=1; Colour=blue'] });
    expect(attr.text).toContain('Unknown cookie attribute "Colour"');
    const missing = await e2e.legible.call('storage', { load: 'nowhere.json' });
    expect(missing.text).toContain('Could not read the state file');
  });
});

describe('annotated screenshots, pixel diffs and PDF', () => {
  const e2e = useLegible({ outputDir: 'shots' });

  it('numbers the interactive elements and maps the numbers to refs', async () => {
    const snapshot = await e2e.openAndSnapshot('/form.html');
    const result = await e2e.legible.call('screenshot', { annotate: true });
    expect(result.isError, result.text).toBe(false);
    expect(result.text).toContain('3 interactive elements numbered');
    expect(result.text).toContain(`1 ${refOf(snapshot, 'textbox', 'Your name')} textbox "Your name"`);
    expect(result.text).toContain(`3 ${refOf(snapshot, 'button', 'Sign up')} button "Sign up"`);
    expect(result.text).not.toContain('[ref=');
    const image = result.images[0]!;
    expect(image.mimeType).toBe('image/webp');
    // The boxes are drawn: the annotated image differs from a plain capture in colour.
    const { channels } = await sharp(image.data).stats();
    expect(channels[0]!.max - channels[2]!.min).toBeGreaterThan(100);
  });

  it('diffs the page against an earlier screenshot: the changed fraction and where', async () => {
    const snapshot = await e2e.snapshot();
    await e2e.call('screenshot', { path: 'before.png' });
    const same = await e2e.call('screenshot', { diff: ['before.png'] });
    expect(same).toContain('no pixel changed');
    await e2e.call('type', { ref: refOf(snapshot, 'textbox', 'Your name'), text: 'Somebody with a long name' });
    const result = await e2e.legible.call('screenshot', { diff: ['before.png'] });
    expect(result.text).toMatch(/Pixel diff of before\.png → the page now: 0\.\d\d% of the pixels changed \(\d+\)/);
    expect(result.text).toMatch(/Changed regions \(biggest first, boxed in magenta\): \d+×\d+ at \d+,\d+/);
    expect(result.images).toHaveLength(1);
    await e2e.call('screenshot', { path: 'after.png' });
    expect(await e2e.call('screenshot', { diff: ['before.png', 'after.png'] })).toContain('Pixel diff of before.png → after.png');
    const wrong = await e2e.legible.call('screenshot', { diff: ['nothing-here.png'] });
    expect(wrong.text).toContain('is neither an image file nor a recording');
  });

  it('diffs two recordings at the moments they share, and single frames of them', async () => {
    for (const [label, name] of [
      ['left', 'Ann'],
      ['right', 'Bartholomew the Second'],
    ]) {
      const snapshot = await e2e.openAndSnapshot('/form.html');
      await e2e.call('record', { action: 'start', label });
      await e2e.call('type', { ref: refOf(snapshot, 'textbox', 'Your name'), text: name! });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      await e2e.call('record', { action: 'stop' });
    }
    const moments = await e2e.legible.call('screenshot', { diff: ['left', 'right'] });
    expect(moments.isError, moments.text).toBe(false);
    expect(moments.text).toMatch(/Pixel diff of recording left → right, at 2 matching moments:\n {2}after Typing "Ann" into textbox "Your name": [\d.<]+% of the pixels changed/);
    expect(moments.images).toHaveLength(1);
    const frames = await e2e.call('screenshot', { diff: ['left@0.2', 'left@0.2'] });
    expect(frames).toContain('Pixel diff of left@0.2 → left@0.2: no pixel changed');
  });

  it('saves the page as PDF', async () => {
    const result = await e2e.call('screenshot', { path: 'form.pdf' });
    const file = groupOf(result, /to (\S+\.pdf)/);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('performance traces', () => {
  const e2e = useLegible({ outputDir: 'trace' });

  it('summarises a page load: vitals, the long task and its script, the layout shift, render-blocking requests', async () => {
    await e2e.open('/perf.html?token=traceSECRET42');
    expect(await e2e.call('record', { action: 'start', trace: true, label: 'load' })).toContain('Tracing "load"');
    await e2e.call('navigate', { go: 'reload' });
    // The banner comes 400 ms after load; the click is a slow interaction.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const page = await e2e.snapshot();
    await e2e.call('click', { ref: refOf(page, 'button', 'Heavy work') });
    const result = await e2e.call('record', { action: 'stop' });
    expect(result).toMatch(/LCP \d[\d,]* ms \((good|needs improvement|poor); text h1#hero; TTFB \d+ ms, then \d[\d,]* ms to paint\)/);
    expect(result).toMatch(/FCP \d[\d,]* ms/);
    expect(result).toMatch(/CLS 0\.\d{3} /);
    expect(result).not.toContain('CLS 0.000');
    expect(result).toMatch(/INP \d+ ms \((needs improvement|poor); click at/);
    expect(result).toMatch(/Long tasks \(\d+, longest first\):\n {2}at [\d.]+ s: \d+ ms — click handler \d+ ms; script \/perf-work\.js:\d+ \(onHeavy\)/);
    expect(result).toMatch(/Layout shifts \(\d+, biggest first; x,y w×h in CSS px\):\n {2}at [\d.]+ s: 0\.\d{3} — \S+ \d+,\d+ \d+×\d+ → \d+,\d+ \d+×\d+/);
    expect(result).toMatch(/Render-blocking requests \(\d+\):\n {2}\/slow\.css\?ms=300 \d+ ms, held back the first paint/);
    expect(result.length).toBeLessThan(2_500);
    const file = groupOf(result, /Full trace \([^)]*\): (\S+\.json)/);
    const text = readFileSync(file, 'utf8');
    expect((JSON.parse(text) as { traceEvents: unknown[] }).traceEvents.length).toBeGreaterThan(100);
    expect(text).not.toContain('traceSECRET42');
    // The trace holds response headers (name/value lists): /api/data's Set-Cookie is redacted there.
    expect(text).toContain('/api/data');
    expect(text).not.toContain('set-cookie-secret');
    expect(result).not.toContain('traceSECRET42');
  });

  it('refuses a second recording on the page while tracing, and video options with a trace', async () => {
    await e2e.call('record', { action: 'start', trace: true });
    const again = await e2e.legible.call('record', { action: 'start' });
    expect(again.isError).toBe(true);
    expect(again.text).toContain('is already recording ("trace")');
    const summary = await e2e.call('record', { action: 'stop' });
    expect(summary).toContain('No page load in the trace');
    const options = await e2e.legible.call('record', { action: 'start', trace: true, fps: 10 });
    expect(options.text).toContain('A trace has no video options');
  });
});
