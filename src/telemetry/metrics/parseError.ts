/** A PromQL query that did not parse or check: where (character offsets) and why. */
export class PromQLSyntaxError extends Error {
  constructor(
    readonly query: string,
    readonly from: number,
    readonly to: number,
    readonly reason: string,
  ) {
    super(`${reason} (${where(query, from)})`);
    this.name = 'PromQLSyntaxError';
  }
}

/** "line 1, column 9" (1-based, as editors count). */
export function where(query: string, offset: number): string {
  const before = query.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/**
 * The line of the query that holds the error with a caret under it, at most ~100 characters of
 * it around the error.
 */
export function pointAt(query: string, from: number, to: number): string {
  const lineStart = query.lastIndexOf('\n', from - 1) + 1;
  const lineEndAt = query.indexOf('\n', from);
  const lineEnd = lineEndAt < 0 ? query.length : lineEndAt;
  const line = query.slice(lineStart, lineEnd);
  const column = from - lineStart;
  const start = Math.max(0, Math.min(column - 60, line.length - 100));
  const shown = line.slice(start, start + 100);
  const width = Math.max(1, Math.min(to, lineEnd) - from);
  const prefix = start > 0 ? '…' : '';
  return `  ${prefix}${shown}${start + 100 < line.length ? '…' : ''}\n  ${' '.repeat(prefix.length + column - start)}${'^'.repeat(Math.min(width, 40))}`;
}
