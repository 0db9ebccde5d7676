/**
 * Decoding large payloads in bounded slices. Every decoder asks `due()` after each item; once
 * the current turn of the event loop has spent its budget (`sliceMs`, shared by all requests
 * being decoded at once), the decoder hands on what it has and `pause()`s until the next turn.
 * So timers and I/O — tool calls sharing the loop — wait about one budget, not one per request.
 */

/** When the current turn's decoding started, shared by every Slicer (one event loop). */
let turnStarted = 0;

export class Slicer {
  private count = 0;
  pauses = 0;

  constructor(private readonly sliceMs = 5) {
    this.resume();
  }

  /** Whether this turn's budget is spent (the clock is read every 32 items). */
  due(): boolean {
    if (++this.count % 32 !== 0) return false;
    return performance.now() - turnStarted >= this.sliceMs;
  }

  async pause(): Promise<void> {
    this.pauses++;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.resume();
  }

  /** The first decoder back in a new turn starts its budget; the others share it. */
  private resume(): void {
    const now = performance.now();
    if (now - turnStarted >= this.sliceMs) turnStarted = now;
  }
}

/** A body that is not the message it claims to be: the receiver answers 400 with this message. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}
