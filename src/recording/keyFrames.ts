/** A frame worth showing in a filmstrip: when it came (ms from the start) and how much it changed the picture. */
export interface KeyFrame {
  image: Buffer;
  at: number;
  change: number;
}

/** Fewer changed signature pixels than this count as "no visible change" (a blinking caret). */
const MIN_CHANGE = 4;
const CAPACITY = 40;

/**
 * Keeps the first frame, the latest frame, and a bounded set of frames where the picture changed
 * most. Memory stays bounded however long the recording runs.
 */
export class KeyFrames {
  private first: KeyFrame | undefined;
  private last: KeyFrame | undefined;
  private readonly changes: KeyFrame[] = [];

  offer(frame: KeyFrame): void {
    if (!this.first) {
      this.first = frame;
      this.last = frame;
      return;
    }
    this.last = frame;
    if (frame.change < MIN_CHANGE) return;
    this.changes.push(frame);
    if (this.changes.length > CAPACITY) {
      let weakest = 0;
      for (let i = 1; i < this.changes.length; i++) if (this.changes[i]!.change < this.changes[weakest]!.change) weakest = i;
      this.changes.splice(weakest, 1);
    }
  }

  /** All kept frames in time order, without duplicates. */
  list(): KeyFrame[] {
    const frames = [this.first, ...this.changes, this.last].filter((f): f is KeyFrame => !!f);
    return [...new Set(frames)].sort((a, b) => a.at - b.at);
  }
}

/**
 * Picks at most `max` frames for a filmstrip: always the first and the last, then the biggest
 * changes, shown in time order.
 */
export function pickMoments(frames: KeyFrame[], max: number): KeyFrame[] {
  if (frames.length <= max) return frames;
  const first = frames[0]!;
  const last = frames[frames.length - 1]!;
  const middle = frames.slice(1, -1).sort((a, b) => b.change - a.change).slice(0, Math.max(0, max - 2));
  return [first, ...middle, last].sort((a, b) => a.at - b.at);
}
