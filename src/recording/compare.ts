import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { cropImage } from '../media/crop.js';
import { contactSheet, type Tile } from '../media/contactSheet.js';
import { CAPTION_BAR, LABEL_BAR, grabFrame, renderSideBySide } from '../media/sideBySide.js';
import { LegibleError } from '../util/errors.js';
import { alignRecordings, type Alignment } from './align.js';
import { seconds } from './filmstrip.js';
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

/** Moments on the aligned timeline worth comparing: the start, just after each action, the end. */
function moments(alignment: Alignment): { at: number; title: string }[] {
  const out = [{ at: 0, title: 'start' }];
  if (alignment.inStep) {
    for (const caption of alignment.captions) out.push({ at: Math.min(caption.at + 900, alignment.durationMs - 50), title: `after: ${caption.text}` });
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
      throw new LegibleError(`The video of recording ${info.id} is missing (${info.video}).`, 'Record it again with record_start and record_stop.');
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
  const shots = moments(alignment);
  const frames = await Promise.all(shots.map((moment) => grabFrame(options.output, moment.at)));
  const leftTiles: Tile[] = [];
  const rightTiles: Tile[] = [];
  for (const [i, frame] of frames.entries()) {
    const title = `${seconds(shots[i]!.at)}`;
    const caption = shots[i]!.title || undefined;
    leftTiles.push({ image: await cropImage(frame, 0, LABEL_BAR, halfWidth, HALF_HEIGHT), title, caption });
    rightTiles.push({ image: await cropImage(frame, halfWidth, LABEL_BAR, halfWidth, HALF_HEIGHT), title, caption });
  }
  const filmstrip = await contactSheet(
    [
      { label: left.label, tiles: leftTiles },
      { label: right.label, tiles: rightTiles },
    ],
    { columns: frames.length, tileWidth: 240 },
  );
  const { size } = await stat(options.output);
  return { video: options.output, filmstrip, alignment, bytes: size, width: halfWidth * 2, height: LABEL_BAR + HALF_HEIGHT + CAPTION_BAR };
}
