import type { PageDriver } from '../cdp/pageDriver.js';
import { LegibleError } from '../util/errors.js';
import { withTimeout } from '../util/time.js';

/**
 * Bounds a call into the page. When the page's JavaScript does not answer in time (an endless
 * loop, a long synchronous task), the running script is terminated so the page can answer again,
 * and the caller gets an error that says so.
 */
export async function guard<T>(page: PageDriver, work: Promise<T>, ms: number, what: string): Promise<T> {
  try {
    return await withTimeout(work, ms, what, { onTimeout: () => page.terminateScript() });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') {
      if (await page.isHung()) throw new HungRenderer(page, what, ms, error);
      throw new StuckScript(what, ms, error);
    }
    throw error;
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
      `${what} did not finish within ${ms} ms: the page's JavaScript seems stuck (an endless loop or a very long task). Legible stopped the running script so the page answers again.`,
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
