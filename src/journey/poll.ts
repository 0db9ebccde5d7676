import { AsyncLocalStorage } from 'node:async_hooks';
import { sleep } from '../util/time.js';

/**
 * The signal of the journey run a poll belongs to (its deadline or cancellation). Carried by the
 * async context rather than by every step function's arguments: each kind of step polls in its
 * own module, and all of them must stop waiting when the run stops.
 */
const runSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` so that every poll inside it gives up once `signal` aborts. */
export function withRunSignal<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  return signal ? runSignal.run(signal, work) : work();
}

/**
 * Asks `probe` every 150 ms until `done` holds for its answer, `timeout` ms have passed or the
 * run's signal aborted (see withRunSignal); returns the last answer.
 */
export async function poll<T>(probe: () => Promise<T>, done: (answer: T) => boolean, timeout: number): Promise<T> {
  const end = Date.now() + timeout;
  const signal = runSignal.getStore();
  for (;;) {
    const answer = await probe();
    if (done(answer) || Date.now() >= end || signal?.aborted) return answer;
    await sleep(150);
  }
}
