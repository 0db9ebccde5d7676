import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { cropToChange } from '../media/crop.js';
import { contactSheet, type Tile } from '../media/contactSheet.js';
import { CAPTION_BAR, LABEL_BAR, grabFrame, renderSideBySide } from '../media/sideBySide.js';
import { LegibleError } from '../util/errors.js';
import { afterAction, alignRecordings, sideTime, type Alignment } from './align.js';
import { lastActionCaption, seconds } from './filmstrip.js';
import type { RecordingInfo } from './store.js';

export interface Comparison {
  video: string;
  filmstrip: { data: Buffer; width: number; height: number };
  alignment: Alignment;
  bytes: number;
  width: number;
  height: number;
}

const HALF_HEIGHT = 540;
const TILE_WIDTH = 240;
/** The bottom of a captioned recording, where its captions come and go: not a change of the page. */
const CAPTION_BAND = 0.1;
/** A comparison tile keeps at least this much of the frame across, so both rows show where on the page the change is. */
const MIN_FOCUS = 0.3;

/** Moments on the aligned timeline worth comparing: the start, just after each action, the end. */
export function comparisonMoments(alignment: Alignment): { at: number; title: string; caption?: string }[] {
  const out: { at: number; title: string; caption?: string }[] = [{ at: 0, title: 'start' }];
  if (alignment.inStep) {
    // 0.9 s after each action, or just before the next one (so the tile shows what this action did).
    const marks = alignment.captions.map((caption) => ({ at: caption.at, label: caption.text }));
    marks.forEach((mark, i) => out.push({ at: afterAction(marks, i, alignment.durationMs), title: '', caption: lastActionCaption(mark) }));
  } else {
    for (const f of [0.25, 0.5, 0.75]) out.push({ at: alignment.durationMs * f, title: '' });
  }
  out.push({ at: Math.max(0, alignment.durationMs - 60), title: 'end' });
  return out.slice(0, 7);
}

/**
 * Renders two recordings side by side (kept in step action by action when they took the same
 * actions) and a comparison filmstrip: one row per recording, the same moments in each.
 */
export async function compareRecordings(left: RecordingInfo, right: RecordingInfo, options: { output: string; captions: boolean }): Promise<Comparison> {
  for (const info of [left, right]) {
    if (!existsSync(info.video)) {
      throw new LegibleError(`The video of recording ${info.id} is missing (${info.video}).`, 'Record it again (record start, then stop).');
    }
  }
  const alignment = alignRecordings(left, right);
  const fps = Math.max(left.fps, right.fps);
  await renderSideBySide({
    left: { path: left.video, label: left.label },
    right: { path: right.video, label: right.label },
    segments: alignment.segments,
    captions: options.captions ? alignment.captions : [],
    output: options.output,
    format: options.output.endsWith('.webm') ? 'webm' : 'mp4',
    fps,
    height: HALF_HEIGHT,
  });
  const halfWidth = Math.round((HALF_HEIGHT * 16) / 9 / 2) * 2;
  // Tiles come from each side's own video (full size, sharper than the side-by-side halves), at
  // the same moment of the aligned timeline; each but the first cut to what changed on either side.
  const shots = comparisonMoments(alignment);
  const frames = await Promise.all(
    shots.map(async (moment) => Promise.all([grabFrame(left.video, sideTime(alignment, moment.at, 'left')), grabFrame(right.video, sideTime(alignment, moment.at, 'right'))])),
  );
  const leftTiles: Tile[] = [];
  const rightTiles: Tile[] = [];
  for (const [i, pair] of frames.entries()) {
    const { images, detail } = i === 0 ? { images: pair, detail: false } : await cropToChange(frames[i - 1]!, pair, TILE_WIDTH, { ignoreBottom: CAPTION_BAND, minSize: MIN_FOCUS });
    const title = [seconds(shots[i]!.at), shots[i]!.title, detail ? 'what changed' : ''].filter(Boolean).join(' · ');
    const caption = shots[i]!.caption;
    leftTiles.push({ image: images[0]!, title, caption });
    rightTiles.push({ image: images[1]!, title, caption });
  }
  const filmstrip = await contactSheet(
    [
      { label: left.label, tiles: leftTiles },
      { label: right.label, tiles: rightTiles },
    ],
    { columns: frames.length, tileWidth: TILE_WIDTH },
  );
  const { size } = await stat(options.output);
  return { video: options.output, filmstrip, alignment, bytes: size, width: halfWidth * 2, height: LABEL_BAR + HALF_HEIGHT + CAPTION_BAR };
}
