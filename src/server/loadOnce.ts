import { errorMessage } from '../util/errors.js';
import { clip } from '../util/text.js';

/** A value loaded on first need, shared by every caller; `started` is the load under way or done, if any. */
export interface Loader<T> {
  (): Promise<T>;
  readonly started: Promise<T> | undefined;
}

/**
 * Loads on first need (modules by import(), then the value made from them). Every caller shares
 * one load; a load that failed is not kept, so the next caller tries again, and its error says
 * what to do: Legible's own files can change under a running server (a rebuild empties dist/, an
 * upgrade replaces it), and every later call would otherwise fail the same way for good.
 */
export function loadOnce<T>(load: () => Promise<T>): Loader<T> {
  let loading: Promise<T> | undefined;
  const loader = () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw new Error(`Legible could not load its own code (${clip(errorMessage(error), 200)}). If it was rebuilt or upgraded while it ran, restart it; otherwise reinstall it.`, { cause: error });
    }));
  return Object.defineProperty(loader, 'started', { get: () => loading }) as Loader<T>;
}

/** What loads on first need loads after the first tools/list answer, or this long after start-up, whichever is first. */
export const LOAD_AT_THE_LATEST_MS = 1_000;

/**
 * Starts a server's load on first need early enough without a call: at once when a fixed OTLP
 * port must be taken at start-up (apps may be pointed at it before any call), else at the latest
 * LOAD_AT_THE_LATEST_MS after start-up, so a client that never calls still gets the Workspace,
 * which stops the apps an earlier Legible left running when it was killed. A failure is left for
 * the first call to report.
 */
export function loadSoon(load: Loader<unknown>, config: { otlpPort?: number }): void {
  const preload = () => void load().catch(() => undefined);
  if (config.otlpPort) preload();
  setTimeout(preload, LOAD_AT_THE_LATEST_MS).unref();
}
