import { loadSharp } from './loadSharp.js';

/** Cuts a rectangle out of an image (PNG in, PNG out). */
export async function cropImage(image: Buffer, left: number, top: number, width: number, height: number): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(image).extract({ left, top, width, height }).png().toBuffer();
}
