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
      throw new LegibleError(
        `${what} did not finish within ${ms} ms: the page's JavaScript seems stuck (an endless loop or a very long task). Legible stopped the running script so the page answers again.`,
        'The page may be half-updated: take a snapshot to see it, fix the loop in the app, or reload with navigate {"go":"reload"}.',
        { cause: error },
      );
    }
    throw error;
  }
}
