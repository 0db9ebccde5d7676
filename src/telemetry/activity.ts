import { entriesSince, isProblemLine, type LoggedLine } from './logs/recent.js';
import type { LogStore } from './logs/store.js';

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
}

const MAX_LINES = 8;

/**
 * Watches the log store around actions: `begin()` before the action marks the store; the function
 * it returns, called once the action settled, answers the problem lines since the mark (undefined
 * when there were none).
 *
 * No waiting for output that lags: settling already waited for the action's requests to finish
 * and then for the DOM to stay quiet (30 ms or more), and a server writes its log line before or
 * while it answers. What has reached the pipes is read (one turn of the event loop) and lines held
 * back for a possible stack trace are stored; an app that logs all the time costs no extra wait.
 */
export function watchActivity(store: LogStore, source: ActivitySource): { begin(): () => Promise<ServerActivity | undefined> } {
  return {
    begin() {
      const mark = store.nextSeq();
      return async () => {
        if (source.active()) {
          await new Promise((resolve) => setImmediate(resolve));
          source.flush();
        }
        if (store.nextSeq() === mark) return undefined;
        const { lines, more } = entriesSince(store, mark, isProblemLine, MAX_LINES);
        return lines.length ? { logs: lines, more } : undefined;
      };
    },
  };
}
