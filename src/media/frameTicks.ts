/**
 * Places timed frames on the ticks of a constant-rate video. A tick shows the newest frame drawn
 * by its time, so each frame appears at most one tick late and still periods repeat the last one.
 * One exception fills what would be a repeat: when nothing was drawn since the last tick but two
 * or more frames were drawn before the next, the tick shows the first of them, less than one tick
 * early. It only ever turns a repeated tick into a new one (the next tick still has a frame of its
 * own), so every frame shown stays within one tick of when it was drawn. The browser's frames
 * come in uneven bursts, two to one tick and none to the next: on the same frames at 30 fps
 * (bench/capture-raw.mjs, load 16) 3.6 % more ticks showed a change, and through MCP 1.01-1.07×
 * the distinct frames (paired runs, load 14-20; docs/benchmarks.md, "Frame rate").
 *
 * Frames must be added in the order they were drawn. A tick that could take an early frame is
 * decided once the frames up to the following tick are known (`add`, `knownUntil`), so the video
 * lags the page by one tick more; `next(endMs)` decides the rest with what is known.
 */
export class FrameTicks<F> {
  /** Wall-clock ms of tick 0. */
  private origin: number | undefined;
  private ticks = 0;
  private readonly pending: { frame: F; at: number }[] = [];
  private current: F | undefined;
  /** Frames drawn up to this wall-clock time have all been added. */
  private known = -Infinity;

  constructor(private readonly intervalMs: number) {}

  /** Sets tick 0's time unless it is set; the first frame added sets it otherwise. Returns it. */
  startAt(ms: number): number {
    this.origin ??= ms;
    return this.origin;
  }

  /** Adds a frame drawn at `atMs` (wall-clock ms). */
  add(frame: F, atMs: number): void {
    this.origin ??= atMs;
    this.pending.push({ frame, at: atMs });
    this.knownUntil(atMs);
  }

  /** Says that every frame drawn before `ms` has been added (a still page sends none). */
  knownUntil(ms: number): void {
    this.known = Math.max(this.known, ms);
  }

  /** Ticks decided so far. */
  count(): number {
    return this.ticks;
  }

  /**
   * The frame of the next tick, or undefined while it is not decided yet (or there is no frame
   * at all). With `endMs` (the video's end), every tick before it is decided with what is known.
   */
  next(endMs?: number): F | undefined {
    if (this.origin === undefined) return undefined;
    const t = this.origin + this.ticks * this.intervalMs;
    if (t >= (endMs ?? this.known) - 1e-6) return undefined;
    const frame = this.frameAt(t, endMs !== undefined);
    if (frame !== undefined) this.ticks++;
    return frame;
  }

  private frameAt(t: number, final: boolean): F | undefined {
    let due = 0;
    while (due < this.pending.length && this.pending[due]!.at <= t + 1e-6) due++;
    if (due > 0 || this.current === undefined) {
      // The newest frame drawn by now; before the first frame, the first one (it stands for the wait).
      const shown = this.pending[Math.max(due, 1) - 1];
      if (!shown) return undefined;
      this.pending.splice(0, Math.max(due, 1));
      this.current = shown.frame;
      return shown.frame;
    }
    let upcoming = 0;
    while (upcoming < this.pending.length && this.pending[upcoming]!.at <= t + this.intervalMs + 1e-6) upcoming++;
    if (upcoming >= 2) {
      this.current = this.pending.shift()!.frame;
      return this.current;
    }
    // Frames of the next tick may still come: wait for them, unless this is the end.
    if (!final && this.known < t + this.intervalMs - 1e-6) return undefined;
    return this.current;
  }
}
