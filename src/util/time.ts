import { CancelledError, TimeoutError } from './errors.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Races `promise` against a timer. On timeout it rejects with a TimeoutError (after running
 * `onTimeout`, for example to stop a runaway script); the original promise's later failure is
 * swallowed so it cannot surface as an unhandled rejection.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  options: { hint?: string; onTimeout?: () => unknown } = {},
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  promise.catch(() => undefined);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      Promise.resolve()
        .then(() => options.onTimeout?.())
        .catch(() => undefined)
        .finally(() => reject(new TimeoutError(what, ms, options.hint)));
    }, ms);
  });
  try {
    // Once timed out, the timeout wins even if onTimeout (stopping a stuck script) lets the promise settle.
    const settled = promise.then(
      (value) => (timedOut ? timeout : value),
      (error: unknown) => (timedOut ? timeout : Promise.reject(error)),
    );
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `promise`, or a CancelledError as soon as `signal` aborts (the work itself is not stopped: the
 * caller stops waiting for it). Without a signal, the promise as it is.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new CancelledError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(new CancelledError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
