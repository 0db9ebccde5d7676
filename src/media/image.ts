import { loadSharp } from './loadSharp.js';

export type ImageFormat = 'webp' | 'jpeg' | 'png';

export interface EncodedImage {
  data: Buffer;
  mimeType: string;
  width: number;
  height: number;
  /** Size of the capture before downscaling. */
  sourceWidth: number;
  sourceHeight: number;
}

/**
 * Downscales an image so its long edge is at most `maxEdge` (never upscales) and encodes it
 * compactly. WebP keeps text sharp at a fraction of PNG's bytes.
 */
export async function encodeImage(input: Buffer, options: { maxEdge: number; format: ImageFormat; quality?: number }): Promise<EncodedImage> {
  const sharp = await loadSharp();
  const image = sharp(input);
  const meta = await image.metadata();
  const sourceWidth = meta.width ?? 0;
  const sourceHeight = meta.height ?? 0;
  const scale = Math.min(1, options.maxEdge / Math.max(sourceWidth, sourceHeight, 1));
  let pipeline = image;
  // Both bounds: from the width alone, rounding can leave a tall image's height a pixel or two over.
  if (scale < 1) pipeline = pipeline.resize({ width: options.maxEdge, height: options.maxEdge, fit: 'inside', kernel: 'lanczos3' });
  const quality = options.quality ?? 80;
  if (options.format === 'webp') pipeline = pipeline.webp({ quality, effort: 2 });
  else if (options.format === 'jpeg') pipeline = pipeline.jpeg({ quality, mozjpeg: true });
  else pipeline = pipeline.png({ compressionLevel: 9, palette: true });
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return { data, mimeType: `image/${options.format}`, width: info.width, height: info.height, sourceWidth, sourceHeight };
}
