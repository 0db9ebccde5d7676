import type { LoggedLine } from '../telemetry/logs/recent.js';
import { LegibleError } from '../util/errors.js';
import type { ExitInfo } from './appProcess.js';

export type StartFailure = 'spawn' | 'exited' | 'timeout' | 'port-in-use' | 'cwd' | 'wrong-port';

/** An app a call started before another failed: it keeps running. */
export interface StartedBefore {
  name: string;
  url?: string;
  port?: number;
}

/**
 * An app that could not be started or did not become ready. It carries what the answer shows
 * beside the message: the app's last lines of output, and the apps this call had already started
 * (they keep running). The tools turn it into text and name the next tool to call.
 */
export class AppStartError extends LegibleError {
  constructor(
    readonly app: string,
    readonly failure: StartFailure,
    message: string,
    hint: string,
    readonly lastLines: LoggedLine[] = [],
    readonly exit?: ExitInfo,
    /** Apps this call started before the failure; they keep running. */
    public started: StartedBefore[] = [],
  ) {
    super(message, hint);
    this.name = 'AppStartError';
  }
}

/** "exit code 1", "signal SIGKILL", "could not be started (ENOENT)". */
export function describeExit(exit: { code: number | null; signal: string | null; error?: string; spawnError?: NodeJS.ErrnoException }): string {
  const error = exit.error ?? exit.spawnError?.code;
  if (error) return `could not be started (${error})`;
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
