/**
 * Decoding a large payload in bounded slices: the decoder asks `due()` after each item and, when
 * the slice has run for `sliceMs`, hands on what it has and `pause()`s (one turn of the event
 * loop), so tool calls sharing the loop wait at most about one slice.
 */
export class Slicer {
  private started = performance.now();
  private count = 0;
  pauses = 0;

  constructor(private readonly sliceMs = 8) {}

  /** Whether the current slice has used its time (the clock is read every 64 items). */
  due(): boolean {
    if (++this.count % 64 !== 0) return false;
    return performance.now() - this.started >= this.sliceMs;
  }

  async pause(): Promise<void> {
    this.pauses++;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }
}

/** A body that is not the message it claims to be: the receiver answers 400 with this message. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}
