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
