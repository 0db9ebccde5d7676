import { loadSharp } from './loadSharp.js';

const SIG_WIDTH = 128;
const SIG_HEIGHT = 72;
/** A signature pixel counts as changed past this difference (0-255); below it is JPEG noise. */
const PIXEL_THRESHOLD = 24;

/** A tiny greyscale thumbnail of a frame, for telling how much the picture changed. */
export async function frameSignature(jpeg: Buffer): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const data = await sharp(jpeg).resize(SIG_WIDTH, SIG_HEIGHT, { fit: 'fill' }).greyscale().raw().toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/**
 * How many signature pixels changed visibly. A count rather than a mean, so a changed line of
 * text (a few pixels) is seen as clearly as a page that scrolled (thousands).
 */
export function signatureDistance(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let changed = 0;
  for (let i = 0; i < n; i++) if (Math.abs(a[i]! - b[i]!) > PIXEL_THRESHOLD) changed++;
  return changed;
}
