import { contactSheet, type Tile } from '../media/contactSheet.js';
import { cropToChange } from '../media/crop.js';
import { pickMoments, type KeyFrame } from './keyFrames.js';
import type { ActionMark } from './store.js';

const MAX_TILES = 8;
const COLUMNS = 4;
const TILE_WIDTH = 320;

/** The action that came last at or before `at` (ms from the start), for a tile's caption. */
export function precedingAction(actions: ActionMark[], at: number): ActionMark | undefined {
  let found: ActionMark | undefined;
  for (const action of actions) if (action.at <= at) found = action;
  return found;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A tile's second line: the action the frame followed ("last action", never "after", which names a run). */
export function lastActionCaption(action: ActionMark | undefined): string | undefined {
  return action ? `last action: ${action.label}` : undefined;
}

/**
 * A contact sheet of a recording's key moments: the first frame, the last, and the frames where
 * the picture changed most, each stamped with its time and the action that preceded it.
 */
export async function buildFilmstrip(frames: KeyFrame[], actions: ActionMark[], durationMs: number): Promise<{ data: Buffer; width: number; height: number; tiles: number }> {
  const moments = pickMoments(frames, MAX_TILES);
  // Each frame but the first cut to what changed since the one before (see cropToChange).
  const focused = await Promise.all(
    moments.map(async (frame, i) => {
      if (i === 0) return { image: frame.image, detail: false };
      const { images, detail } = await cropToChange([moments[i - 1]!.image], [frame.image], TILE_WIDTH);
      return { image: images[0]!, detail };
    }),
  );
  const tiles: Tile[] = moments.map((frame, i) => {
    const last = i === moments.length - 1 && i > 0;
    // The last frame is held until the recording ends, so the end tile shows the end time.
    const at = last ? Math.max(frame.at, durationMs) : frame.at;
    const title = `${seconds(at)}${i === 0 ? ' · start' : last ? ' · end' : ''}${focused[i]!.detail ? ' · what changed' : ''}`;
    return { image: focused[i]!.image, title, caption: lastActionCaption(precedingAction(actions, at)) };
  });
  // Balanced rows: 5 tiles make 3 + 2, not 4 + 1.
  const columns = Math.ceil(tiles.length / Math.ceil(tiles.length / COLUMNS));
  const sheet = await contactSheet([{ tiles }], { columns, tileWidth: TILE_WIDTH });
  return { ...sheet, tiles: tiles.length };
}
