/**
 * A failure the agent can act on: `message` says what happened, `hint` what to try next.
 * Tool handlers throw it; the response builder renders it as an `isError` result.
 */
export class LegibleError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LegibleError';
    this.hint = hint;
  }
}

/** The page's JavaScript or the browser did not answer in time. */
export class TimeoutError extends LegibleError {
  constructor(what: string, ms: number, hint?: string) {
    super(`${what} did not finish within ${ms} ms.`, hint);
    this.name = 'TimeoutError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
