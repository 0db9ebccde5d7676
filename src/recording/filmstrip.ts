import { contactSheet, type Tile } from '../media/contactSheet.js';
import { pickMoments, type KeyFrame } from './keyFrames.js';
import type { ActionMark } from './store.js';

const MAX_TILES = 8;
const COLUMNS = 4;

/** The action that came last at or before `at` (ms from the start), for a tile's caption. */
export function precedingAction(actions: ActionMark[], at: number): ActionMark | undefined {
  let found: ActionMark | undefined;
  for (const action of actions) if (action.at <= at) found = action;
  return found;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A contact sheet of a recording's key moments: the first frame, the last, and the frames where
 * the picture changed most, each stamped with its time and the action that preceded it.
 */
export async function buildFilmstrip(frames: KeyFrame[], actions: ActionMark[], durationMs: number): Promise<{ data: Buffer; width: number; height: number; tiles: number }> {
  const moments = pickMoments(frames, MAX_TILES);
  const tiles: Tile[] = moments.map((frame, i) => {
    const last = i === moments.length - 1 && i > 0;
    // The last frame is held until the recording ends, so the end tile shows the end time.
    const at = last ? Math.max(frame.at, durationMs) : frame.at;
    const action = precedingAction(actions, at);
    const title = `${seconds(at)}${i === 0 ? ' · start' : last ? ' · end' : ''}`;
    return { image: frame.image, title, caption: action ? `after: ${action.label}` : undefined };
  });
  // Balanced rows: 5 tiles make 3 + 2, not 4 + 1.
  const columns = Math.ceil(tiles.length / Math.ceil(tiles.length / COLUMNS));
  const sheet = await contactSheet([{ tiles }], { columns });
  return { ...sheet, tiles: tiles.length };
}
