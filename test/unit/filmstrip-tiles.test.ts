import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captionFilters } from '../../src/media/captions.js';
import { clipWords as clip, fitText } from '../../src/media/fitText.js';
import { focusRegion, unionRegion } from '../../src/media/crop.js';
import { alignRecordings, matchingMoments, sideTime } from '../../src/recording/align.js';
import { comparisonMoments } from '../../src/recording/compare.js';
import { lastActionCaption, precedingAction } from '../../src/recording/filmstrip.js';

describe('filmstrip tiles', () => {
  it('cuts a caption at a word with an ellipsis, never mid-word without a mark', () => {
    expect(clip('click button "Add to basket"', 40)).toBe('click button "Add to basket"');
    expect(clip('last action: change spinbutton "Quantity" to "2"', 32)).toBe('last action: change spinbutton…');
    expect(clip('last action: Opening http://127.0.0.1:45629/cart.html', 30)).toBe('last action: Opening…');
    // No space near the end: cut inside the word, but marked.
    expect(clip('http://127.0.0.1:45629/cart.html', 20)).toBe('http://127.0.0.1:45…');
    expect(clip('abcdef', 4)).toBe('abc…');
  });

  it('fits the captions burned into videos and side-by-side videos to the frame, cut at a word with an ellipsis', async () => {
    const work = mkdtempSync(join(tmpdir(), 'legible-captions-test-'));
    try {
      const long = `Typing "${'the quick brown fox jumps over the lazy dog '.repeat(4).trim()}" into textbox "Notes"`;
      const [filter] = await captionFilters([{ at: 0, until: 1000, text: long }], work, { y: 'h-40', size: 24, box: false, width: 960 });
      const written = readFileSync(/textfile=([^:]+):/.exec(filter!)![1]!, 'utf8');
      expect(written.endsWith('…')).toBe(true);
      expect(long.startsWith(written.slice(0, -1))).toBe(true);
      expect(written.length).toBeLessThan(long.length);
      // A short one is left alone.
      const [short] = await captionFilters([{ at: 0, until: 1000, text: 'click button "Go"' }], work, { y: 'h-40', size: 24, box: false, width: 960 });
      expect(readFileSync(/textfile=([^:]+):/.exec(short!)![1]!, 'utf8')).toBe('click button "Go"');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    expect(fitText('last action: change spinbutton "Quantity" to "2"', 228, 12)).toBe('last action: change spinbutton…');
    expect(fitText('last action: change spinbutton "Quantity" to "2"', 300, 12)).toBe('last action: change spinbutton "Quantity"…');
  });

  it('names the action a tile followed without the word "after", which is also a run\'s label', () => {
    expect(lastActionCaption({ at: 1, label: 'click button "Go"' })).toBe('last action: click button "Go"');
    expect(lastActionCaption(undefined)).toBeUndefined();
  });

  it('shows each action of a comparison before the next one starts, captioned with it', () => {
    const actions = (at: number[]) => at.map((ms, i) => ({ at: ms, label: ['navigate', 'type', 'click'][i]! }));
    // The type and the click came 0.7 s apart: a tile 0.9 s after the type would show the click's effect.
    const alignment = alignRecordings({ durationMs: 4_000, actions: actions([0, 1_000, 1_700]) }, { durationMs: 4_000, actions: actions([0, 1_000, 1_700]) });
    const moments = comparisonMoments(alignment);
    expect(moments.map((m) => m.caption ?? m.title)).toEqual(['start', 'last action: navigate', 'last action: type', 'last action: click', 'end']);
    expect(moments[2]!.at).toBeLessThan(alignment.captions[2]!.at);
    expect(moments[2]!.at).toBeGreaterThan(alignment.captions[1]!.at);
  });

  it('diffs two recordings after each shared action, each side before its own next action starts', () => {
    const a = { durationMs: 4_000, actions: [{ at: 200, label: 'Opening /cart' }, { at: 1_000, label: 'change spinbutton "Quantity" [e4] to "2"' }, { at: 1_700, label: 'click button "Update" [e5]' }] };
    const b = { durationMs: 5_000, actions: [{ at: 300, label: 'Opening /cart' }, { at: 2_000, label: 'change spinbutton "Quantity" [e9] to "2"' }, { at: 2_400, label: 'click button "Update" [e10]' }] };
    const moments = matchingMoments(a, b, 6);
    expect(moments.map((m) => m.label)).toEqual(['Opening /cart', 'change spinbutton "Quantity" to "2"', 'click button "Update"']);
    // The change and the click came 0.7 s (left) and 0.4 s (right) apart: 0.9 s later would show the click's effect.
    expect(moments[1]!.left).toBeGreaterThanOrEqual(1_000);
    expect(moments[1]!.left).toBeLessThan(1_700);
    expect(moments[1]!.right).toBeGreaterThanOrEqual(2_000);
    expect(moments[1]!.right).toBeLessThan(2_400);
    // 0.9 s after when there is room; else just before the next action.
    expect(moments[0]!.left).toBe(940);
    expect(moments[0]!.right).toBe(1_200);
    expect(moments[2]!.left).toBe(2_600);
    expect(moments[2]!.right).toBe(3_300);
  });

  it('captions a single recording\'s tile with the action that came last before its frame', () => {
    const actions = [{ at: 1_000, label: 'change' }, { at: 1_700, label: 'click' }];
    expect(precedingAction(actions, 1_650)?.label).toBe('change');
    expect(precedingAction(actions, 1_700)?.label).toBe('click');
    expect(precedingAction(actions, 900)).toBeUndefined();
  });

  it('finds each side\'s own time on the aligned timeline, holding the side that got there first', () => {
    const alignment = alignRecordings({ durationMs: 3_000, actions: [{ at: 500, label: 'click' }] }, { durationMs: 5_000, actions: [{ at: 2_500, label: 'click' }] });
    // Before the click: the left side reached it at 0.5 s and waits on its last frame before it.
    expect(sideTime(alignment, 1_000, 'left')).toBe(460);
    expect(sideTime(alignment, 1_000, 'right')).toBe(1_000);
    // After the click both play on from it.
    expect(sideTime(alignment, 2_600, 'left')).toBe(600);
    expect(sideTime(alignment, 2_600, 'right')).toBe(2_600);
  });

  it('zooms in on a small change, keeps a margin and the frame\'s proportions, and shows a big change whole', () => {
    const line = { left: 0.1, top: 0.2, width: 0.2, height: 0.02 };
    const focus = focusRegion(line, { minSize: 0.25 })!;
    expect(focus.width).toBeCloseTo(0.26);
    expect(focus.height).toBeCloseTo(0.26);
    expect(focus.left).toBeLessThanOrEqual(line.left);
    expect(focus.left + focus.width).toBeGreaterThanOrEqual(line.left + line.width);
    expect(focus.top).toBeLessThanOrEqual(line.top);
    // Near the edge it stays inside the frame.
    expect(focusRegion({ left: 0.95, top: 0.97, width: 0.05, height: 0.03 }, { minSize: 0.3 })).toEqual({ left: 0.7, top: 0.7, width: 0.3, height: 0.3 });
    expect(focusRegion({ left: 0, top: 0, width: 0.8, height: 0.1 }, { minSize: 0.25 })).toBeUndefined();
    const union = unionRegion([undefined, line, { left: 0.5, top: 0.5, width: 0.1, height: 0.1 }])!;
    expect([union.left, union.top, union.width, union.height].map((v) => Number(v.toFixed(6)))).toEqual([0.1, 0.2, 0.5, 0.4]);
  });
});
