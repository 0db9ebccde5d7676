/**
 * What kind of failure an error is, for callers that must tell them apart (the `legible` command
 * line's exit codes): the action itself failed (no such element, a stale ref, a timeout), the
 * call was wrong (a usage error), or the machine could not do it (no browser, no ffmpeg, a full
 * disk). Unset means the action failed.
 */
export type FailureKind = 'action' | 'usage' | 'environment';

/**
 * A failure the agent can act on: `message` says what happened, `hint` what to try next.
 * Tool handlers throw it; the response builder renders it as an `isError` result.
 */
export class LegibleError extends Error {
  readonly hint: string | undefined;
  readonly kind: FailureKind;

  /** Without a kind, an error that wraps a LegibleError (`cause`) keeps its kind: a usage error stays one. */
  constructor(message: string, hint?: string, options?: { cause?: unknown; kind?: FailureKind }) {
    super(message, options);
    this.name = 'LegibleError';
    this.hint = hint;
    this.kind = options?.kind ?? (options?.cause instanceof LegibleError ? options.cause.kind : 'action');
  }
}

/**
 * The call's input is wrong: an argument or combination of them, a query or pattern that does
 * not parse, a name (app, journey, run, recording) that does not exist. The command line exits 2.
 */
export class UsageError extends LegibleError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, hint, { ...options, kind: 'usage' });
    this.name = 'UsageError';
  }
}

/** The page's JavaScript or the browser did not answer in time. */
export class TimeoutError extends LegibleError {
  constructor(what: string, ms: number, hint?: string) {
    super(`${what} did not finish within ${ms} ms.`, hint);
    this.name = 'TimeoutError';
  }
}

/** What puppeteer and CDP say when the browser or the tab went away under a call (killed, crashed, closed). */
export const BROWSER_GONE = /Target closed|Session closed|Connection closed|Browser has disconnected|Navigating frame was detached|detached Frame/i;

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The client cancelled the call (MCP's notifications/cancelled): the work stops where it is. */
export class CancelledError extends LegibleError {
  constructor(what = 'The call') {
    super(`${what} was cancelled.`);
    this.name = 'CancelledError';
  }
}
