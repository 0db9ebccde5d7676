import { describe, expect, it } from 'vitest';
import { FrameTicks } from '../../src/media/frameTicks.js';

/** Ticks 10 ms apart (a 100 fps video), from 0. */
const T = 10;

/** Every tick decided so far. */
function drain<F>(ticks: FrameTicks<F>, endMs?: number): F[] {
  const out: F[] = [];
  for (let frame = ticks.next(endMs); frame !== undefined; frame = ticks.next(endMs)) out.push(frame);
  return out;
}

/** The frames of a whole video: frames named by their time, ticks from 0 to endMs. */
function place(times: number[], endMs: number): number[] {
  const ticks = new FrameTicks<number>(T);
  ticks.startAt(0);
  const out: number[] = [];
  for (const at of times) {
    ticks.add(at, at);
    out.push(...drain(ticks));
  }
  return [...out, ...drain(ticks, endMs)];
}

/** Distinct runs: how many ticks show a frame other than the tick before. */
const changes = (frames: number[]) => frames.filter((frame, i) => i === 0 || frame !== frames[i - 1]).length;

describe('FrameTicks: frames on the ticks of a constant-rate video', () => {
  it('shows each tick the newest frame drawn by then, and repeats it while nothing new comes', () => {
    // Ticks at 0, 10, 20, …, 50: the frame of 3 waits for tick 10; 12 is replaced by 18 before tick 20.
    expect(place([0, 3, 12, 18, 31], 60)).toEqual([0, 3, 18, 18, 31, 31]);
  });

  it('shows the first frame from the start, standing for the wait for it', () => {
    expect(place([25, 36], 50)).toEqual([25, 25, 25, 25, 36]);
  });

  it('shows a frame up to one tick early when its tick would otherwise repeat and the next tick has a frame of its own', () => {
    // Nothing is drawn between ticks 10 and 20, two frames before tick 30: tick 20 shows 22, tick 30 shows 28.
    expect(place([0, 8, 22, 28, 40], 50)).toEqual([0, 8, 22, 28, 40]);
    // One frame only: it keeps its own tick, and tick 20 repeats.
    expect(place([0, 8, 28, 40], 50)).toEqual([0, 8, 8, 28, 40]);
  });

  it('waits for the next tick\'s frames before deciding a tick that may take one early, and decides all at the end', () => {
    const ticks = new FrameTicks<number>(T);
    ticks.startAt(0);
    ticks.add(0, 0);
    ticks.add(8, 8);
    expect(drain(ticks)).toEqual([0]);
    ticks.add(22, 22);
    // Tick 10 has 8; tick 20 (nothing new) waits: a second frame before 30 may still come.
    expect(drain(ticks)).toEqual([8]);
    ticks.knownUntil(29);
    expect(drain(ticks)).toEqual([]);
    ticks.knownUntil(31);
    expect(drain(ticks)).toEqual([8, 22]);
    expect(drain(ticks, 60)).toEqual([22, 22]);
    expect(ticks.count()).toBe(6);
  });

  it('has no tick to give before any frame came', () => {
    const ticks = new FrameTicks<number>(T);
    ticks.startAt(0);
    ticks.knownUntil(100);
    expect(drain(ticks)).toEqual([]);
    expect(drain(ticks, 100)).toEqual([]);
  });

  it('keeps every frame within one tick of when it was drawn, and never shows fewer changes than the newest-by-tick placement', () => {
    let seed = 11;
    let [shown, placedByTick] = [0, 0];
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let run = 0; run < 200; run++) {
      // Bursts and gaps, as the browser sends them: 0–3 frames a tick.
      const times: number[] = [];
      for (let at = random() * T; at < 400; at += random() < 0.2 ? T * (1 + 2 * random()) : T * 0.5 * random()) times.push(Math.round(at * 100) / 100);
      const end = 410;
      const frames = place(times, end);
      expect(frames).toHaveLength(Math.ceil(end / T));
      // Where each frame first shows (the first frame stands for the wait before it).
      frames.forEach((frame, tick) => {
        if (frame === times[0] || frame === frames[tick - 1]) return;
        expect(Math.abs(tick * T - frame), `frame ${frame} at tick ${tick}`).toBeLessThan(T);
      });
      // The reference: each tick the newest frame drawn by then.
      const reference = Array.from({ length: frames.length }, (_, tick) => times.filter((at) => at <= tick * T).at(-1) ?? times[0]!);
      expect(changes(frames)).toBeGreaterThanOrEqual(changes(reference));
      shown += changes(frames);
      placedByTick += changes(reference);
      // Frames never go back in time.
      expect([...frames].sort((a, b) => a - b)).toEqual(frames);
    }
    // The bursts and gaps do give early frames somewhere to go.
    expect(shown).toBeGreaterThan(placedByTick * 1.02);
  });
});
