import { errorMessage } from '../util/errors.js';
import { logWarn } from '../util/log.js';
import type { Workspace } from './workspace.js';

/** The exit code for each signal a serving Legible stops on: 128 + the signal's number. */
const SIGNALS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/** How long a stop may take before the process exits anyway (the apps still get SIGKILL on exit). */
export const FORCE_EXIT_MS = 5_000;

export interface ServingProcess {
  /** Stops everything once (the mode's `stop`, bounded by FORCE_EXIT_MS), then exits with `code`. */
  shutdown(reason: string, code: number): Promise<never>;
  /** True once a shutdown began. */
  readonly stopping: boolean;
}

/**
 * The one way a serving Legible process ends, whatever it serves (stdio, the daemon, HTTP): on
 * SIGINT, SIGTERM or SIGHUP, or when the mode asks (stdin or its transport closed, `legible daemon
 * stop`, the idle timeout), it runs the mode's `stop` once (clients, browser contexts, the
 * browser, the apps, the receivers), waits for it at most FORCE_EXIT_MS, and exits. Whichever way
 * the process exits, the apps' process groups still running get SIGKILL synchronously on the way
 * out, so no app outlives the server. A fault in a tool is logged, never fatal.
 */
export function serveUntilStopped(workspace: Pick<Workspace, 'killAllNow'>, stop: (reason: string) => Promise<void>): ServingProcess {
  let stopping = false;
  const shutdown = async (reason: string, code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      setTimeout(() => process.exit(code), FORCE_EXIT_MS).unref();
      await stop(reason).catch((error: unknown) => logWarn(`stopping (${reason}): ${errorMessage(error)}`));
      process.exit(code);
    }
    // A second request (another signal meanwhile) waits for the first.
    return new Promise<never>(() => undefined);
  };
  for (const [signal, code] of Object.entries(SIGNALS)) process.on(signal, () => void shutdown(`signal ${signal}`, code));
  process.on('exit', () => workspace.killAllNow());
  process.on('uncaughtException', (error) => logWarn(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => logWarn(`unhandled rejection: ${String(reason)}`));
  return {
    shutdown,
    get stopping() {
      return stopping;
    },
  };
}
