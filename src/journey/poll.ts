import { sleep } from '../util/time.js';

/** Asks `probe` every 150 ms until `done` holds for its answer or `timeout` ms have passed; returns the last answer. */
export async function poll<T>(probe: () => Promise<T>, done: (answer: T) => boolean, timeout: number): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const answer = await probe();
    if (done(answer) || Date.now() >= end) return answer;
    await sleep(150);
  }
}
