import { loadSharp } from './loadSharp.js';

/** A part of a frame, in fractions of its width and height (0–1). */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

const GRID_WIDTH = 160;
const GRID_HEIGHT = 90;
/** A grid cell counts as changed past this grey-level difference (0–255): below it is JPEG noise. */
const CELL_THRESHOLD = 24;

/**
 * Where two frames differ, in fractions of the frame; undefined when they look the same.
 * `ignoreBottom`: a band at the bottom (a fraction of the height) left out, where captions are burned in.
 */
export async function changedRegion(a: Buffer, b: Buffer, ignoreBottom = 0): Promise<Region | undefined> {
  const sharp = await loadSharp();
  const grid = (image: Buffer) => sharp(image).resize(GRID_WIDTH, GRID_HEIGHT, { fit: 'fill' }).greyscale().raw().toBuffer();
  const [x, y] = await Promise.all([grid(a), grid(b)]);
  let [left, right, top, bottom] = [GRID_WIDTH, -1, GRID_HEIGHT, -1];
  const rows = Math.round(GRID_HEIGHT * (1 - ignoreBottom));
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < GRID_WIDTH; column++) {
      const i = row * GRID_WIDTH + column;
      if (Math.abs(x[i]! - y[i]!) <= CELL_THRESHOLD) continue;
      left = Math.min(left, column);
      right = Math.max(right, column);
      top = Math.min(top, row);
      bottom = Math.max(bottom, row);
    }
  }
  if (right < 0) return undefined;
  return { left: left / GRID_WIDTH, top: top / GRID_HEIGHT, width: (right - left + 1) / GRID_WIDTH, height: (bottom - top + 1) / GRID_HEIGHT };
}

/** The smallest region holding all of them. */
export function unionRegion(regions: (Region | undefined)[]): Region | undefined {
  const present = regions.filter((region): region is Region => !!region);
  if (!present.length) return undefined;
  const left = Math.min(...present.map((r) => r.left));
  const top = Math.min(...present.map((r) => r.top));
  const right = Math.max(...present.map((r) => r.left + r.width));
  const bottom = Math.max(...present.map((r) => r.top + r.height));
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * The part of a frame to show so that a change can be read: the changed region with a margin,
 * in the frame's own proportions, at least `minSize` of the frame across (so a one-word change
 * is not blown up to a blur), kept inside the frame. Undefined when that would be most of the
 * frame anyway (above `maxSize`): then the whole frame is the better picture.
 */
export function focusRegion(changed: Region, options: { minSize: number; maxSize?: number; margin?: number }): Region | undefined {
  const margin = options.margin ?? 0.03;
  // Fractions of width and height are equal for a crop with the frame's proportions.
  const size = Math.max(changed.width + 2 * margin, changed.height + 2 * margin, options.minSize);
  if (size > (options.maxSize ?? 0.7)) return undefined;
  const clamp = (at: number) => Math.min(Math.max(at, 0), 1 - size);
  return { left: clamp(changed.left + changed.width / 2 - size / 2), top: clamp(changed.top + changed.height / 2 - size / 2), width: size, height: size };
}

/** Cuts a region (fractions) out of an image; PNG out. */
export async function cropRegion(image: Buffer, region: Region): Promise<Buffer> {
  const sharp = await loadSharp();
  const { width = 1, height = 1 } = await sharp(image).metadata();
  const left = Math.floor(region.left * width);
  const top = Math.floor(region.top * height);
  return sharp(image)
    .extract({ left, top, width: Math.max(1, Math.min(width - left, Math.round(region.width * width))), height: Math.max(1, Math.min(height - top, Math.round(region.height * height))) })
    .png()
    .toBuffer();
}

/**
 * Frames cut to what changed since the frames before them (`previous[i]` → `current[i]`; one
 * region for all, so rows of a comparison show the same part of the page), when that is a small
 * part of the page: an error message or a new line can then be read in a small tile. The crop is
 * never narrower than `tileWidth` pixels of the frame, so nothing is blown up past its own pixels.
 * `detail` says whether they were cut; `ignoreBottom` is passed to changedRegion; `minSize` (a
 * fraction of the frame) keeps more of the page around the change.
 */
export async function cropToChange(previous: Buffer[], current: Buffer[], tileWidth: number, options: { ignoreBottom?: number; minSize?: number } = {}): Promise<{ images: Buffer[]; detail: boolean }> {
  const sharp = await loadSharp();
  const changed = unionRegion(await Promise.all(current.map((image, i) => changedRegion(previous[i]!, image, options.ignoreBottom))));
  if (!changed) return { images: current, detail: false };
  const widths = await Promise.all(current.map(async (image) => (await sharp(image).metadata()).width ?? tileWidth));
  const focus = focusRegion(changed, { minSize: Math.max(options.minSize ?? 0, Math.min(1, tileWidth / Math.min(...widths))) });
  if (!focus) return { images: current, detail: false };
  return { images: await Promise.all(current.map((image) => cropRegion(image, focus))), detail: true };
}
