import { entriesSince, isProblemLine, type LoggedLine } from './logs/recent.js';
import type { LogStore } from './logs/store.js';
import { sleep } from '../util/time.js';

/**
 * What the server side did while one browser action ran: the warning and error lines the apps
 * printed (later also the spans of the action's trace). An action's effects report shows it as
 * its Server section.
 */
export interface ServerActivity {
  /** Oldest first, at most MAX_LINES. */
  logs: LoggedLine[];
  /** How many more there were. */
  more: number;
}

/** What feeds the log store while actions run (the app supervisor). */
export interface ActivitySource {
  /** Whether anything may still be writing (an app is running). */
  active(): boolean;
  /** Stores output still held back (a line waiting for its stack trace). */
  flush(): void;
  /** When output last arrived, epoch ms. */
  lastOutputAt(): number;
}

const MAX_LINES = 8;
/** Output that lags the action: wait while it keeps coming, until it has paused this long… */
const QUIET_MS = 20;
/** …but never longer than this in all. */
const MAX_GRACE_MS = 150;

/**
 * Watches the log store around actions: `begin()` before the action marks the store; the function
 * it returns, called once the action settled, waits a short grace while the apps are still
 * printing, then answers the problem lines since the mark (undefined when there were none).
 */
export function watchActivity(store: LogStore, source: ActivitySource): { begin(): () => Promise<ServerActivity | undefined> } {
  return {
    begin() {
      const mark = store.nextSeq();
      return async () => {
        if (source.active()) {
          // Let output that already reached the pipes be read, then wait while it keeps coming.
          await new Promise((resolve) => setImmediate(resolve));
          const end = Date.now() + MAX_GRACE_MS;
          while (Date.now() < end && Date.now() - source.lastOutputAt() < QUIET_MS) await sleep(QUIET_MS / 2);
          source.flush();
        }
        if (store.nextSeq() === mark) return undefined;
        const { lines, more } = entriesSince(store, mark, isProblemLine, MAX_LINES);
        return lines.length ? { logs: lines, more } : undefined;
      };
    },
  };
}
