import { loadSharp } from './loadSharp.js';

const SIG_WIDTH = 128;
const SIG_HEIGHT = 72;
/** Bytes of one signature: a grey byte per pixel. */
export const SIGNATURE_BYTES = SIG_WIDTH * SIG_HEIGHT;
/**
 * The same thumbnail made by ffmpeg from each frame it decodes anyway (a filter for
 * -filter_complex, raw grey bytes out): the recording's change detection, at no decoding cost.
 */
export const SIGNATURE_FILTER = `scale=${SIG_WIDTH}:${SIG_HEIGHT}:flags=area,format=gray`;
/** A signature pixel counts as changed past this difference (0-255); below it is JPEG noise. */
const PIXEL_THRESHOLD = 24;

/** A tiny greyscale thumbnail of a frame, for telling how much the picture changed. */
export async function frameSignature(image: Buffer): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const data = await sharp(image).resize(SIG_WIDTH, SIG_HEIGHT, { fit: 'fill' }).greyscale().raw().toBuffer();
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

/** A signature's pixels all within this range of each other: one colour, nothing painted on it. */
const BLANK_RANGE = 6;

/** Whether a frame is a blank page (one flat colour, such as about:blank before the first paint). */
export function isBlankSignature(signature: Uint8Array): boolean {
  let min = 255;
  let max = 0;
  for (const value of signature) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return max - min <= BLANK_RANGE;
}
