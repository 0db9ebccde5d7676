/** What a stream of bytes held, line by line. */
export type LineEvent =
  | { kind: 'line'; text: string }
  /** A line longer than the limit: only its first and last bytes were kept, to find its id. */
  | { kind: 'oversized'; bytes: number; head: string; tail: string };

/** How much of an oversized line's start and end is kept (its id is near one of them). */
const KEEP = 512;

/**
 * Splits a byte stream into lines of at most `maxBytes` bytes (without the newline). A longer line
 * is not held in memory: it is skipped to its end and reported as oversized.
 *
 * Written here rather than using the MCP SDK's ReadBuffer: that one throws on the first line over
 * its limit (and the SDK's stdio transport then closes, so the server exits), and it copies the
 * whole buffer on every chunk, which is quadratic for a long line.
 */
export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private skipping: { bytes: number; head: Buffer; tail: Buffer } | undefined;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      const end = newline < 0 ? chunk.length : newline;
      if (end > start) this.take(chunk.subarray(start, end));
      if (newline < 0) break;
      events.push(this.endLine());
      start = newline + 1;
    }
    return events;
  }

  private take(piece: Buffer): void {
    if (this.skipping) {
      this.skipping.bytes += piece.length;
      this.skipping.tail = keepTail(this.skipping.tail, piece);
      return;
    }
    if (this.size + piece.length <= this.maxBytes) {
      this.chunks.push(piece);
      this.size += piece.length;
      return;
    }
    const held = Buffer.concat([...this.chunks, piece]);
    this.skipping = { bytes: held.length, head: Buffer.from(held.subarray(0, KEEP)), tail: keepTail(Buffer.alloc(0), held) };
    this.chunks = [];
    this.size = 0;
  }

  private endLine(): LineEvent {
    if (this.skipping) {
      const { bytes, head, tail } = this.skipping;
      this.skipping = undefined;
      return { kind: 'oversized', bytes, head: head.toString('utf8'), tail: tail.toString('utf8').replace(/\r$/, '') };
    }
    const text = Buffer.concat(this.chunks).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    return { kind: 'line', text };
  }

  /** Bytes held for the line in progress (bounded by the limit). */
  held(): number {
    return this.size;
  }
}

function keepTail(tail: Buffer, piece: Buffer): Buffer {
  if (piece.length >= KEEP) return Buffer.from(piece.subarray(piece.length - KEEP));
  const joined = Buffer.concat([tail, piece]);
  return joined.length > KEEP ? Buffer.from(joined.subarray(joined.length - KEEP)) : joined;
}
