import type { PageDriver } from '../cdp/pageDriver.js';
import { LegibleError } from '../util/errors.js';
import { withTimeout } from '../util/time.js';

/** How long a page with nothing running takes at most to answer a trivial call. */
const PROBE_MS = 1_000;

/** True when the page's JavaScript answers a trivial call: it is not busy. */
async function pageAnswers(page: PageDriver): Promise<boolean> {
  if (page.dialog()) return true;
  const answer = await withTimeout(page.unlessDialog(page.mainFrame().evaluate(() => 1)), PROBE_MS, 'Asking the page').catch(() => undefined);
  return answer !== undefined;
}

export interface GuardOptions {
  /** What to say when the work did not finish though the page's JavaScript is not busy (it waits on something). */
  waiting?: { message: string; hint: string };
}

/**
 * Bounds a call into the page. When it does not finish in time, the page is asked a trivial
 * question, and the error says what was seen: the work itself finished while the question waited
 * behind it, so it was slow, not stuck (SlowWork); the page answers and the work is still out, so
 * it is waiting on something that did not happen; or its JavaScript is busy (an endless loop, a
 * long task), and the running script is terminated so the page can answer again (StuckScript); or
 * even then it does not answer: its renderer is hung (HungRenderer).
 */
export async function guard<T>(page: PageDriver, work: Promise<T>, ms: number, what: string, options: GuardOptions = {}): Promise<T> {
  const started = Date.now();
  let finishedAt: number | undefined;
  const finished = () => {
    finishedAt = Date.now();
  };
  work.then(finished, finished);
  try {
    return await withTimeout(work, ms, what);
  } catch (error) {
    if (!(error instanceof Error && error.name === 'TimeoutError')) throw error;
    const answers = await pageAnswers(page);
    // The page runs calls in the order they were sent, so a question sent while the work still runs
    // in the page (a long walk, a slow handler) is answered only after it: the answer says nothing
    // about waiting then. The work's own reply came first; one turn of the event loop lets it settle
    // (the DevTools transports hand over each message in its own turn).
    await new Promise((resolve) => setImmediate(resolve));
    if (finishedAt !== undefined) throw new SlowWork(what, ms, finishedAt - started, error);
    if (answers) {
      throw new LegibleError(
        `${what} did not finish within ${ms} ms, though the page's JavaScript is not busy (it answered at once when asked). ${options.waiting?.message ?? 'It was waiting for something that did not happen.'}`,
        options.waiting?.hint ?? 'Take a snapshot to see where the page is; the console and network tools may show what it waits for.',
        { cause: error },
      );
    }
    // isHung stops the running script, then gives the renderer a few seconds to answer again.
    if (await page.isHung()) throw new HungRenderer(page, what, ms, error);
    throw new StuckScript(what, ms, error);
  }
}

/** A call into the page ran out of time, but finished on its own soon after: the page was busy with it, not stuck or waiting. */
export class SlowWork extends LegibleError {
  constructor(
    what: string,
    readonly ms: number,
    readonly tookMs: number,
    cause: unknown,
  ) {
    super(
      `${what} did not finish within ${ms} ms: the page was busy with it, and it finished only after ${tookMs.toLocaleString('en-US')} ms (not an endless loop: a slow or very long task).`,
      'It ran to its end, late: a snapshot shows the page now. If the page is often this slow, start the server with a longer --page-timeout.',
      { cause },
    );
    this.name = 'SlowWork';
  }
}

/** A call into the page ran out of time, and the page answered again once its script was stopped. */
export class StuckScript extends LegibleError {
  constructor(
    what: string,
    readonly ms: number,
    cause: unknown,
  ) {
    super(
      `${what} did not finish within ${ms} ms, and the page's JavaScript did not answer for ${PROBE_MS} ms more: it is busy (an endless loop or a very long task). Legible stopped the running script so the page answers again.`,
      'The page may be half-updated: take a snapshot to see it, fix the loop in the app, or reload with navigate {"go":"reload"}.',
      { cause },
    );
    this.name = 'StuckScript';
  }
}

/** The renderer answers nothing even with its script stopped (chrome://hang): only a new renderer helps. */
export class HungRenderer extends LegibleError {
  constructor(page: PageDriver, what: string, readonly ms: number, cause?: unknown) {
    super(
      `${what} did not finish within ${ms} ms, and the tab ${page.id} does not answer even after Legible stopped its script: its renderer is hung.`,
      `navigate (to a URL, or {"go":"reload"}) restarts the tab's renderer; or close the tab with pages {"action":"close","id":"${page.id}"}.`,
      { cause },
    );
    this.name = 'HungRenderer';
  }
}
