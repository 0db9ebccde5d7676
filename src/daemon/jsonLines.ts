/**
 * Newline-delimited JSON, as MCP's stdio transport frames it, over any byte stream (the daemon's
 * socket, the proxy's stdin). Built-ins only: the command line loads it.
 */

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`a message longer than ${limit} bytes`);
  }
}

/**
 * Splits chunks into lines and hands each non-empty one on. A line longer than `maxBytes` is
 * dropped whole (reported once through `onTooLong`), so one oversized message cannot grow the
 * buffer without bound.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxBytes: number,
    private readonly onTooLong: (error: LineTooLongError) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, end);
      start = end + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (this.size + piece.length > this.maxBytes) {
        this.reset();
        this.onTooLong(new LineTooLongError(this.maxBytes));
        continue;
      }
      const line = this.parts.length ? Buffer.concat([...this.parts, piece]).toString('utf8') : piece.toString('utf8');
      this.reset();
      const trimmed = line.trim();
      if (trimmed) this.onLine(trimmed);
    }
    const rest = chunk.subarray(start);
    if (!rest.length || this.skipping) return;
    if (this.size + rest.length > this.maxBytes) {
      this.reset();
      this.skipping = true;
      this.onTooLong(new LineTooLongError(this.maxBytes));
      return;
    }
    this.parts.push(rest);
    this.size += rest.length;
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
  }
}

export function jsonLine(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}
