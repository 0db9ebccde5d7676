import { describe, expect, it } from 'vitest';
import { refOf, useLegible } from '../helpers/e2e.js';

// What an action caused, on pages whose own loops keep running: settling leaves the loops' work
// out (activity.ts, "The page's own requests") and still waits for what the action set off,
// whichever code sends it.
const e2e = useLegible({ outputDir: 'page-loops' });

/** Waits (bounded) until `expression` is true in the page, through evaluate (no outline shown or kept). */
async function pageSays(expression: string): Promise<void> {
  await expect.poll(async () => (await e2e.legible.call('evaluate', { function: `() => ${expression}` })).text, { timeout: 10_000, interval: 100 }).toBe('true');
}

/** The timers the tracker counts for actions (the page's own are not listed). */
const actionTimers = () => e2e.call('evaluate', { function: '() => window[Symbol.for("legible.activity")].timers.size' });

describe('a request the action caused, sent by a loop of the page', () => {
  it('waits for what the click queued and the page’s game loop or flush timer sends, click after click, and names the polling it left out', async () => {
    for (const flush of ['frames', 'interval']) {
      const page = await e2e.openAndSnapshot(`/outbox.html?flush=${flush}`);
      await pageSays('window.turns > 3');
      const now = await e2e.call('click', { ref: refOf(page, 'button', 'Right away') });
      expect(now, flush).toMatch(/~ - status \[ref=e\d+\]: Clicked right away \(1\)/);
      expect(now, flush).not.toContain('Still loading');
      for (const saved of [1, 2]) {
        const save = await e2e.call('click', { ref: refOf(page, 'button', 'Save') });
        expect(save, `${flush} ${saved}`).toMatch(new RegExp(`~ - status \\[ref=e\\d+\\]: Saved ${saved}$`, 'm'));
        expect(save, `${flush} ${saved}`).toMatch(/POST \/slow\?ms=500&outbox → 200/);
        expect(save, `${flush} ${saved}`).not.toContain('Still loading');
        // The page's polls meanwhile are not the click's, and the report names those it did not wait for.
        expect(save, `${flush} ${saved}`).toMatch(/^Not waited for, as the page's own polling \(its loops asked these URLs before this action too\): r\d+ GET \/answer/m);
        // Counted under Network, not listed one by one.
        expect(save, `${flush} ${saved}`).toMatch(/^ {2}\(\d+ requests? of the page's own polling not listed: see the network tool\)$/m);
        expect(save, `${flush} ${saved}`).not.toMatch(/^ {4}r\d+ GET \/answer/m);
      }
    }
  });

  it('waits for a POST the click queued to the URL the page polls with GET', async () => {
    const page = await e2e.openAndSnapshot('/outbox.html?flush=interval');
    await pageSays('window.turns > 3');
    const add = await e2e.call('click', { ref: refOf(page, 'button', 'Add a todo') });
    expect(add).toMatch(/~ - status \[ref=e\d+\]: Added 1$/m);
    expect(add).toMatch(/POST \/answer → 200/);
    expect(add).not.toContain('Still loading');
  });

  it('waits for the save a click makes after awaiting a request the page had started', async () => {
    const page = await e2e.openAndSnapshot('/outbox.html');
    await pageSays('window.loadConfig()');
    const save = await e2e.call('click', { ref: refOf(page, 'button', 'Save after the config') });
    expect(save).toMatch(/~ - status \[ref=e\d+\]: Saved after the config$/m);
    expect(save).toMatch(/POST \/slow\?ms=500&after-config → 200/);
  });

  it('waits for a request of a click in an iframe to a URL the top frame polls', async () => {
    const page = await e2e.openAndSnapshot('/shared-url-frame.html');
    await pageSays('window.turns > 3');
    const click = await e2e.call('click', { ref: refOf(page, 'button', 'Fetch the shared URL') });
    expect(click).toMatch(/~ - status \[ref=f\d+e\d+\]: Fetched the shared URL/);
  });
});

describe('chains many awaits deep', () => {
  it('keeps the page’s loops the page’s and the click’s chains the click’s, whatever their depth', async () => {
    for (const loop of ['none', 'frames', 'timer']) {
      const page = await e2e.openAndSnapshot(`/deep-awaits.html?loop=${loop}`);
      if (loop !== 'none') await pageSays('window.turns > 3');
      for (const i of [1, 2]) {
        const now = await e2e.call('click', { ref: refOf(page, 'button', 'Right away') });
        expect(now, loop).toMatch(new RegExp(`~ - status \\[ref=e\\d+\\]: Clicked right away \\(${i}\\)`));
        // No timer or frame of the page's loops counted as the click's (each would hold the report up to a second).
        expect(now, loop).not.toContain('Note:');
        expect(await actionTimers(), loop).toBe('0');
      }
      const fetched = await e2e.call('click', { ref: refOf(page, 'button', 'Fetch after awaits') });
      expect(fetched, loop).toMatch(/~ - status \[ref=e\d+\]: Fetched after awaits: fine/);
      const timer = await e2e.call('click', { ref: refOf(page, 'button', 'Timer after a fetch and awaits') });
      expect(timer, loop).toMatch(/~ - status \[ref=e\d+\]: Timer after a fetch fired/);
    }
  });
});

describe('what the tracker keeps', () => {
  it('does not keep a data: URL the page fetches, in an action or between actions', async () => {
    const page = await e2e.openAndSnapshot('/data-url.html');
    expect(await e2e.call('evaluate', { function: '() => fetch(window.bigDataUrl).then((r) => r.text()).then((text) => text.length)' })).toBe('1500000');
    expect(await e2e.call('evaluate', { function: '() => window.trackerKeeps() < 10000' })).toBe('true');
    const read = await e2e.call('click', { ref: refOf(page, 'button', 'Read a data URL') });
    expect(read).toMatch(/~ - status \[ref=e\d+\]: Read 1500000 characters; the tracker keeps little/);
  });
});
