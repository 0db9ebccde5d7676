import type { OverlayOptions } from 'sharp';
import { clipWords, fitText } from './fitText.js';
import { loadSharp } from './loadSharp.js';

export interface Tile {
  image: Buffer;
  /** First caption line, e.g. "1.2 s". */
  title: string;
  /** Second caption line, e.g. the action that preceded the frame. */
  caption?: string;
}

export interface SheetRow {
  /** Shown at the start of the row (for comparisons: "before", "after"). */
  label?: string;
  tiles: Tile[];
}

const TILE_WIDTH = 320;
const CAPTION_HEIGHT = 40;
const GAP = 6;
const ROW_LABEL_WIDTH = 90;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function captionSvg(width: number, title: string, caption?: string): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${CAPTION_HEIGHT}">` +
      `<rect width="100%" height="100%" fill="#1f2328"/>` +
      `<text x="6" y="16" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="13" font-weight="bold" fill="#ffffff">${escapeXml(fitText(title, width - 12, 13, true))}</text>` +
      (caption ? `<text x="6" y="33" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="12" fill="#d0d7de">${escapeXml(fitText(caption, width - 12, 12))}</text>` : '') +
      `</svg>`,
  );
}

function labelSvg(height: number, label: string): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${ROW_LABEL_WIDTH}" height="${height}">` +
      `<rect width="100%" height="100%" fill="#0d1117"/>` +
      `<text x="${ROW_LABEL_WIDTH / 2}" y="${height / 2}" text-anchor="middle" dominant-baseline="middle" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="16" font-weight="bold" fill="#ffffff">${escapeXml(clipWords(label, 10))}</text>` +
      `</svg>`,
  );
}

/**
 * Lays tiles out in rows, each tile stamped with its caption, and encodes the sheet as WebP.
 * Rows with a label (comparisons) get a label column; unlabelled tiles wrap after `columns`.
 */
export async function contactSheet(rows: SheetRow[], options: { columns: number; tileWidth?: number }): Promise<{ data: Buffer; width: number; height: number }> {
  const sharp = await loadSharp();
  const tileWidth = options.tileWidth ?? TILE_WIDTH;
  const first = rows.find((row) => row.tiles.length)?.tiles[0];
  if (!first) throw new Error('a contact sheet needs at least one tile');
  const meta = await sharp(first.image).metadata();
  const tileHeight = Math.max(1, Math.round(((meta.height ?? 9) / (meta.width ?? 16)) * tileWidth));
  const cellHeight = tileHeight + CAPTION_HEIGHT;
  const labelled = rows.some((row) => row.label);
  const offsetX = labelled ? ROW_LABEL_WIDTH + GAP : 0;

  const lines: { label?: string; tiles: Tile[] }[] = [];
  for (const row of rows) {
    if (row.label) lines.push(row);
    else for (let i = 0; i < row.tiles.length; i += options.columns) lines.push({ tiles: row.tiles.slice(i, i + options.columns) });
  }
  const columns = Math.max(...lines.map((line) => line.tiles.length), 1);
  const width = offsetX + columns * tileWidth + (columns - 1) * GAP;
  const height = lines.length * cellHeight + (lines.length - 1) * GAP;

  const layers: OverlayOptions[] = [];
  for (const [r, line] of lines.entries()) {
    const top = r * (cellHeight + GAP);
    if (line.label) layers.push({ input: labelSvg(cellHeight, line.label), left: 0, top });
    for (const [c, tile] of line.tiles.entries()) {
      const left = offsetX + c * (tileWidth + GAP);
      const image = await sharp(tile.image).resize(tileWidth, tileHeight, { fit: 'contain', background: '#ffffff' }).png().toBuffer();
      layers.push({ input: image, left, top });
      layers.push({ input: captionSvg(tileWidth, tile.title, tile.caption), left, top: top + tileHeight });
    }
  }
  const data = await sharp({ create: { width, height, channels: 3, background: '#57606a' } })
    .composite(layers)
    .webp({ quality: 82, effort: 2 })
    .toBuffer();
  return { data, width, height };
}
