import { sleep } from '../util/time.js';
import { busyThreads } from './processTable.js';
import { appProcesses } from './processTree.js';

/** Between two looks at the threads; two looks in a row must find them all waiting. */
const LOOK_MS = 1;

/**
 * Waits until the processes of these apps (each the leader of its own session and process group;
 * processTree.ts finds their members) have nothing left to run: no thread running or waiting for
 * a CPU, at two looks in a row (one look can fall between one thread handing work to another and
 * that one waking). True when they got there within `maxMs`; false when the time ran
 * out, or at once where the system has no process table to read (/proc).
 *
 * Why an action's report waits for this: a server issues its log line before it answers, but
 * common loggers write it later, from another thread — pino through libuv's thread pool, its
 * transports (pino-pretty) from a worker thread — so the line can reach Legible after the answer
 * (measured: one request in ten even on a quiet machine; up to 200 ms later with two CPU burners
 * on two cores). A thread with a write still to do is runnable until it has done it, so once
 * every thread waits, whatever was logged is in the pipe. A write waiting on something else (a
 * thread-pool job blocked on the network) is not seen; the wait is bounded for an app that never rests.
 */
export async function waitForIdle(leaders: readonly number[], maxMs: number): Promise<boolean> {
  if (!leaders.length) return true;
  const pids = appProcesses(leaders);
  if (!pids) return false;
  const deadline = Date.now() + maxMs;
  let idleLooks = 0;
  for (;;) {
    idleLooks = busyThreads(pids) ? 0 : idleLooks + 1;
    if (idleLooks >= 2) return true;
    if (Date.now() >= deadline) return false;
    await sleep(LOOK_MS);
  }
}
