/**
 * Requests and documents around a navigation: a request the left page had in flight stops
 * counting when the tab commits the new document (Chrome may never end it), and a new page's
 * own polling is told from its one-time loads as soon as it has loaded.
 */
import { describe, expect, it } from 'vitest';
import { refOf, useLegible } from '../helpers/e2e.js';

describe('navigation and the requests around it', () => {
  const e2e = useLegible();

  it('does not wait for a request of the page it left, and says it was left pending', async () => {
    const page = await e2e.openAndSnapshot('/leave.html');
    const report = await e2e.call('click', { ref: refOf(page, 'button', 'Save and leave') });
    expect(report).toMatch(/^Page: \S+\/shop\.html "Tiny Shop" \(was \S+\/leave\.html\)$/m);
    expect(report).toMatch(/^ {4}r\d+ GET \/never\?left-behind → pending when its page was left \(fetch\)$/m);
    expect(report).not.toContain('Still loading');
    expect(report).not.toContain('Note:');
  });

  it('waits for a new page’s one-time load, not for the polling it started while loading', async () => {
    await e2e.open('/shop.html');
    const report = await e2e.open('/polling-start.html');
    expect(report).toMatch(/^ {4}r\d+ GET \/slow\?ms=400&once → 200 OK \(fetch, /m);
    expect(report).not.toContain('Still loading');
    expect(await e2e.call('evaluate', { function: '() => document.getElementById("status").textContent' })).toBe('"Loaded once"');
  });
});
