import { readFileSync } from 'node:fs';
import { parse as parseUserFlow } from '@puppeteer/replay';
import { describe, expect, it } from 'vitest';
import { groupOf, refOf, useLegible } from '../helpers/e2e.js';

describe('emulate', () => {
  const e2e = useLegible({ outputDir: 'emulate' });

  it('shows that nothing is emulated at first', async () => {
    await e2e.open('/env.html');
    expect(await e2e.call('emulate')).toContain('nothing emulated');
  });

  it('emulates a phone, dark mode, reduced motion, a locale, a timezone and a user agent, and reports what the page showed', async () => {
    const result = await e2e.call('emulate', { viewport: 'iPhone 15', colorScheme: 'dark', reducedMotion: true, locale: 'de-DE', timezone: 'Europe/Berlin' });
    expect(result).toMatch(/^Emulating: viewport 393×659 @3× mobile touch \(iPhone 15\), dark colour scheme, reduced motion, locale de-DE, timezone Europe\/Berlin, user agent "Mozilla\/5\.0 \(iPhone/);
    // The page shows it (puppeteer reloads it to switch to a mobile viewport, so this is the new page's outline).
    await e2e.call('navigate', { go: 'reload' });
    const page = await e2e.snapshot();
    expect(page).toContain('Viewport: 393x659 @3');
    expect(page).toContain('Scheme: dark');
    expect(page).toContain('Motion: reduce');
    expect(page).toContain('Locale: de-DE 1.234,5');
    expect(page).toContain('Timezone: Europe/Berlin');
    expect(page).toContain('Touch: yes');
    expect(page).toContain('Agent: Mozilla/5.0 (iPhone');
  });

  it('holds the settings across navigations, and a tab the page opens starts with them', async () => {
    await e2e.open('/env.html?again');
    const page = await e2e.snapshot();
    expect(page).toContain('Scheme: dark');
    const opened = await e2e.call('click', { ref: refOf(page, 'link', 'Open another tab') });
    const tab = groupOf(opened, /^ {2}(p\d+) /m);
    const popup = await e2e.call('snapshot', { page: tab });
    expect(popup).toContain('Locale: de-DE');
    expect(popup).toContain('Timezone: Europe/Berlin');
    expect(popup).toContain('Scheme: dark');
    expect(popup).toContain('Viewport: 393x');
    expect(await e2e.call('emulate', { page: tab })).toContain('iPhone 15');
    await e2e.call('pages', { action: 'close', id: tab });
  });

  it('takes the page offline and back, as the page sees it (navigator.onLine and its events)', async () => {
    const offline = await e2e.call('emulate', { network: 'offline' });
    expect(offline).toContain('offline');
    expect(offline).toContain('Online: no');
    const online = await e2e.call('emulate', { network: 'online' });
    expect(online).toContain('Online: yes');
  });

  it('grants and sets a geolocation', async () => {
    await e2e.call('emulate', { geolocation: '48.86,2.35' });
    const page = await e2e.snapshot();
    const located = await e2e.call('click', { ref: refOf(page, 'button', 'Locate me') });
    expect(located).toContain('Position: 48.86,2.35');
    expect(located).not.toContain('Note:');
  });

  it('waits for a location request the click made, and names it when no answer comes', async () => {
    // Permission granted, no position set: with no location service on this machine the request
    // is never answered, so waiting stops at its bound and the report says what it waited for.
    await e2e.call('emulate', { geolocation: '' });
    const page = await e2e.openAndSnapshot('/env.html?unanswered');
    const pending = await e2e.call('click', { ref: refOf(page, 'button', 'Locate me') });
    expect(pending).toContain('Note: the page was still busy when waiting stopped (location requests)');
    expect(pending).toContain('Changes: none in the outline.');
    // A watch the click stopped before any answer: nothing left to wait for, nor to name.
    const stopped = await e2e.call('click', { ref: refOf(page, 'button', 'Watch and stop') });
    expect(stopped).toMatch(/~ - paragraph \[ref=e\d+\]: Position: stopped watching/);
    expect(stopped).not.toContain('Note:');
  });

  it('installs its tracker in a page that froze what it wraps (its scripts ran first), and still waits for location requests and chains', async () => {
    try {
      const page = await e2e.openAndSnapshot('/frozen.html');
      // Location as the test before left it: granted, no position, so never answered.
      const pending = await e2e.call('click', { ref: refOf(page, 'button', 'Locate me') });
      expect(pending).toContain('Note: the page was still busy when waiting stopped (location requests)');
      const load = await e2e.call('click', { ref: refOf(page, 'button', 'Load after a fetch') });
      expect(load).toMatch(/~ - status \[ref=e\d+\]: Loaded 3 items/);
    } finally {
      // The tests after this one reload the environment page.
      await e2e.open('/env.html');
    }
  });

  it('explains wrong values', async () => {
    const device = await e2e.legible.call('emulate', { viewport: 'iPhone 99' });
    expect(device.isError).toBe(true);
    expect(device.text).toMatch(/No device preset is called "iPhone 99"\.\nNext: Near it: iPhone/);
    const zone = await e2e.legible.call('emulate', { timezone: 'Mars/Olympus' });
    expect(zone.text).toContain('is not a time zone');
    const cpu = await e2e.legible.call('emulate', { cpu: 50 });
    expect(cpu.text).toMatch(/Invalid arguments for emulate: "cpu"/);
    const place = await e2e.legible.call('emulate', { geolocation: 'north' });
    expect(place.text).toContain('Give "latitude,longitude"');
  });

  it('slows the CPU, sets a user agent of its own, and clears one setting with ""', async () => {
    const set = await e2e.call('emulate', { cpu: 4, userAgent: 'LegibleTestAgent/1.0' });
    expect(set).toContain('user agent "LegibleTestAgent/1.0"');
    expect(set).toContain('CPU 4× slower');
    await e2e.call('navigate', { go: 'reload' });
    expect(await e2e.snapshot()).toContain('Agent: LegibleTestAgent/1.0');
    const cleared = await e2e.call('emulate', { userAgent: '', cpu: 1 });
    expect(cleared).not.toContain('LegibleTestAgent');
    expect(cleared).not.toContain('CPU');
    // The device's user agent was replaced by the custom one: cleared, the browser's own is back.
    await e2e.call('navigate', { go: 'reload' });
    expect(await e2e.snapshot()).toMatch(/Agent: Mozilla\/5\.0 \((X11|Linux)/);
  });

  it('resets everything', async () => {
    const reset = await e2e.call('emulate', { reset: true });
    expect(reset).toContain('nothing emulated');
    await e2e.call('navigate', { go: 'reload' });
    const page = await e2e.snapshot();
    expect(page).toContain('Viewport: 1280x720 @1');
    expect(page).toContain('Scheme: light');
    expect(page).toContain('Locale: en-US');
  });
});

describe('network mocks', () => {
  const e2e = useLegible({ outputDir: 'mocks' });

  it('turns a request into a 500 and names the mock in the effects report', async () => {
    const page = await e2e.openAndSnapshot('/env.html');
    const set = await e2e.call('network', { mock: { url: '**/api/stock', status: 500, body: '{"error":"stock service down"}' } });
    expect(set).toContain('Mock m1 set');
    expect(set).toMatch(/m1 \*\*\/api\/stock → 500/);
    const click = await e2e.call('click', { ref: refOf(page, 'button', 'Check stock') });
    expect(click).toContain('Stock error 500: {"error":"stock service down"}');
    expect(click).toMatch(/✗ r\d+ GET \/api\/stock → 500 .*mock m1/);
  });

  it('fails requests as the network would, newest mock first, and lists and removes mocks', async () => {
    const page = await e2e.snapshot();
    await e2e.call('network', { mock: { url: '/\\/api\\/st/', fail: 'refused' } });
    const refused = await e2e.call('click', { ref: refOf(page, 'button', 'Check stock') });
    expect(refused).toContain('Stock failed: Failed to fetch');
    expect(refused).toMatch(/net::ERR_CONNECTION_REFUSED .*mock m2/);
    const listed = await e2e.call('network');
    expect(listed).toMatch(/Mocks \(newest first.*\):\n {2}m2 .*fails \(refused\)\n {2}m1 /);
    expect(await e2e.call('network', { unmock: 'm2' })).toContain('Removed m2.');
    expect(await e2e.call('network', { unmock: 'all' })).toContain('Removed m1.');
    const real = await e2e.call('click', { ref: refOf(page, 'button', 'Check stock') });
    expect(real).toMatch(/Stock: 3 in \d+ ms/);
  });

  it('delays a request', async () => {
    const page = await e2e.snapshot();
    await e2e.call('network', { mock: { url: '**/api/stock', delay: 600 } });
    const late = await e2e.call('click', { ref: refOf(page, 'button', 'Check stock') });
    const ms = Number(groupOf(late, /Stock: 3 in (\d+) ms/));
    expect(ms).toBeGreaterThanOrEqual(550);
    await e2e.call('network', { unmock: 'all' });
  });

  it('answers with the headers a mock gives, and times a request out as the network would', async () => {
    const page = await e2e.snapshot();
    const set = await e2e.call('network', { mock: { url: '**/api/stock', status: 200, headers: { 'x-stock-source': 'mock-cache' }, body: '{"stock":7}' } });
    const mock = groupOf(set, /Mock (m\d+) set/);
    const answered = await e2e.call('click', { ref: refOf(page, 'button', 'Check stock') });
    // The page's own code read the header the mock sent.
    expect(answered).toMatch(/Stock: 7 in \d+ ms \(source: mock-cache\)/);
    const request = groupOf(answered, new RegExp(`(r\\d+) GET /api/stock → 200 .*mock ${mock}`));
    expect(await e2e.call('network', { id: request })).toMatch(/Response headers:\n(.*\n)*? {2}x-stock-source: mock-cache\n/);

    const timeout = groupOf(await e2e.call('network', { mock: { url: '**/api/stock', fail: 'timeout' } }), /Mock (m\d+) set/);
    expect(timeout).toBe(mock); // the same URL pattern: the mock is replaced, not stacked
    const timedOut = await e2e.call('click', { ref: refOf(page, 'button', 'Check stock') });
    expect(timedOut).toContain('Stock failed: Failed to fetch');
    expect(timedOut).toMatch(new RegExp(`✗ r\\d+ GET /api/stock → net::ERR_TIMED_OUT \\(fetch, \\d+ ms, mock ${mock}\\)`));
    const failed = groupOf(timedOut, /✗ (r\d+) GET \/api\/stock → net::ERR_TIMED_OUT/);
    expect(await e2e.call('network', { id: failed })).toContain('net::ERR_TIMED_OUT');
    await e2e.call('network', { unmock: 'all' });
  });

  it('explains a malformed mock', async () => {
    const pattern = await e2e.legible.call('network', { mock: { url: '/(/' } });
    expect(pattern.isError).toBe(true);
    expect(pattern.text).toContain('is not a valid regular expression');
    const both = await e2e.legible.call('network', { mock: { url: '**/x', fail: 'timeout', status: 200 } });
    expect(both.text).toContain('either fails the request or answers it');
    const field = await e2e.legible.call('network', { mock: { url: '**/x', code: 500 } });
    expect(field.text).toMatch(/^Error: Invalid arguments for network: a mock takes url, status, body, headers, delay and fail, not "code"/);
    const unknown = await e2e.legible.call('network', { unmock: 'm9' });
    expect(unknown.text).toContain('There is no mock "m9"');
  });
});

describe('a journey saved with a viewport, a throttled network and a mock', () => {
  const e2e = useLegible({ outputDir: 'env-journey' });

  it('replays in the same conditions', async () => {
    await e2e.open('/env.html');
    await e2e.call('emulate', { viewport: '500x400', network: 'Fast 3G' });
    await e2e.call('network', { mock: { url: '**/api/stock', status: 500, body: 'out of stock' } });
    await e2e.call('journey', { action: 'save', mark: true });
    await e2e.call('navigate', { go: 'reload' });
    const page = await e2e.snapshot();
    const click = await e2e.call('click', { ref: refOf(page, 'button', 'Check stock') });
    expect(click).toContain('Stock error 500: out of stock');
    // Throttled, the document's response takes at least the preset's latency (562.5 ms); unthrottled, a few ms.
    const slow = 'js:performance.getEntriesByType("navigation")[0].responseEnd > 500';
    const saved = await e2e.call('journey', { action: 'save', name: 'slow-stock', expect: ['text:Viewport: 500x400', 'text:Stock error 500', slow] });
    const flow = JSON.parse(readFileSync(groupOf(saved, /to (\S+\.json):/), 'utf8'));
    // Saved from the mark, the journey starts with the conditions set up before it.
    expect(flow.steps.slice(0, 3)).toEqual([
      { type: 'setViewport', width: 500, height: 400, deviceScaleFactor: 1, isMobile: false, hasTouch: false, isLandscape: true },
      { type: 'emulateNetworkConditions', download: 180000, upload: 84375, latency: 562.5 },
      { type: 'customStep', name: 'legible.mock', parameters: { url: '**/api/stock', status: 500, body: 'out of stock' } },
    ]);
    expect(parseUserFlow(flow).steps.length).toBe(flow.steps.length);

    // A fresh server: nothing emulated, nothing mocked; the journey brings all three.
    const { startLegible } = await import('../helpers/mcpClient.js');
    const fresh = await startLegible(['--output-dir', e2e.outputDir]);
    try {
      const run = await fresh.call('journey', { action: 'run', journey: 'slow-stock' });
      expect(run.text).toContain('Journey "slow-stock": PASSED');
      expect(run.text).toMatch(/✓ 1\. set viewport 500×400/);
      expect(run.text).toMatch(/✓ 2\. throttle the network \(180000 B\/s down, 84375 B\/s up, 562\.5 ms\)/);
      expect(run.text).toMatch(/✓ 3\. mock \*\*\/api\/stock \(500\)/);
      expect(run.text).toMatch(/✓ text "Viewport: 500x400" is visible/);
      expect(run.text).toMatch(/✓ text "Stock error 500" is visible/);
      expect(run.text).toMatch(/✓ .*responseEnd > 500/);
    } finally {
      await fresh.close();
    }
  });
});
