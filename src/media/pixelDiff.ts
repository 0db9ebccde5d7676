import { loadSharp } from './loadSharp.js';

export interface DiffRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Changed pixels inside. */
  pixels: number;
}

export interface PixelDiff {
  width: number;
  height: number;
  changedPixels: number;
  /** changedPixels / all pixels. */
  fraction: number;
  /** Changed areas, biggest first (at most 12). */
  regions: DiffRegion[];
  /** The second image, faded, with changed pixels in red and each region boxed (PNG). */
  image: Buffer;
  /** The two sizes, when they differ (the smaller is padded with white). */
  sizes?: [string, string];
}

const CELL = 8;

async function rgba(image: Buffer, width: number, height: number): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(image).flatten({ background: '#ffffff' }).resize({ width, height, fit: 'contain', position: 'left top', background: '#ffffff' }).ensureAlpha().raw().toBuffer();
}

/** Groups changed cells (8×8 px) into boxes: cells within one cell of each other join (a flood fill). */
function regionsOf(cells: Uint32Array, columns: number, rows: number, width: number, height: number): DiffRegion[] {
  const seen = new Uint8Array(cells.length);
  const regions: DiffRegion[] = [];
  for (let start = 0; start < cells.length; start++) {
    if (!cells[start] || seen[start]) continue;
    let [minX, minY, maxX, maxY, pixels] = [columns, rows, 0, 0, 0];
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const at = stack.pop()!;
      const cx = at % columns;
      const cy = (at - cx) / columns;
      [minX, minY, maxX, maxY] = [Math.min(minX, cx), Math.min(minY, cy), Math.max(maxX, cx), Math.max(maxY, cy)];
      pixels += cells[at]!;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const nx = cx + dx;
          const ny = cy + dy;
          if (nx < 0 || ny < 0 || nx >= columns || ny >= rows) continue;
          const next = ny * columns + nx;
          if (cells[next] && !seen[next]) {
            seen[next] = 1;
            stack.push(next);
          }
        }
      }
    }
    const x = minX * CELL;
    const y = minY * CELL;
    regions.push({ x, y, width: Math.min(width, (maxX + 1) * CELL) - x, height: Math.min(height, (maxY + 1) * CELL) - y, pixels });
  }
  return regions.sort((a, b) => b.pixels - a.pixels).slice(0, 12);
}

/**
 * Compares two images pixel by pixel with pixelmatch (anti-aliased edges are not counted as
 * changes) and returns how much changed, where, and a picture of it.
 */
export async function diffImages(a: Buffer, b: Buffer, options: { threshold?: number } = {}): Promise<PixelDiff> {
  const sharp = await loadSharp();
  const [ma, mb] = await Promise.all([sharp(a).metadata(), sharp(b).metadata()]);
  const width = Math.max(ma.width ?? 1, mb.width ?? 1);
  const height = Math.max(ma.height ?? 1, mb.height ?? 1);
  const [pa, pb] = await Promise.all([rgba(a, width, height), rgba(b, width, height)]);
  const mask = Buffer.alloc(width * height * 4);
  const { default: pixelmatch } = await import('pixelmatch');
  const changedPixels = pixelmatch(pa, pb, mask, width, height, { threshold: options.threshold ?? 0.1, diffMask: true, diffColor: [255, 0, 0], aaColor: [0, 0, 0] });
  const columns = Math.ceil(width / CELL);
  const rows = Math.ceil(height / CELL);
  const cells = new Uint32Array(columns * rows);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      // Changed pixels are opaque red in the mask; anti-aliasing ones black.
      if (mask[i + 3]! > 0 && mask[i]! === 255 && mask[i + 1]! === 0) cells[Math.floor(y / CELL) * columns + Math.floor(x / CELL)]!++;
    }
  }
  const regions = regionsOf(cells, columns, rows, width, height);
  const boxes = regions
    .map((r) => `<rect x="${r.x + 1}" y="${r.y + 1}" width="${Math.max(2, r.width - 2)}" height="${Math.max(2, r.height - 2)}" fill="none" stroke="#ff00ff" stroke-width="3"/>`)
    .join('');
  const overlay = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${boxes}</svg>`);
  const image = await sharp(pb, { raw: { width, height, channels: 4 } })
    .modulate({ saturation: 0.2 })
    .linear(0.6, 100)
    .composite([
      { input: mask, raw: { width, height, channels: 4 } },
      { input: overlay, left: 0, top: 0 },
    ])
    .png()
    .toBuffer();
  const sizes: [string, string] | undefined = ma.width !== mb.width || ma.height !== mb.height ? [`${ma.width}×${ma.height}`, `${mb.width}×${mb.height}`] : undefined;
  return { width, height, changedPixels, fraction: changedPixels / (width * height), regions, image, ...(sizes ? { sizes } : {}) };
}
