import { loadSharp } from './loadSharp.js';

export interface Mark {
  /** CSS pixels in the image's own coordinates (the caller scales device pixels). */
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
}

const COLOURS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#008080', '#9a6324', '#800000'];

function escape(text: string): string {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Draws a numbered box around each mark (agent-browser's --annotate style): a coloured outline and
 * a filled badge with the number at the box's top-left corner, kept inside the image.
 */
export async function annotateImage(image: Buffer, marks: Mark[]): Promise<Buffer> {
  const sharp = await loadSharp();
  const { width = 1, height = 1 } = await sharp(image).metadata();
  const shapes = marks.map((mark, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const x = Math.max(0, Math.round(mark.x));
    const y = Math.max(0, Math.round(mark.y));
    const w = Math.max(2, Math.min(width - x, Math.round(mark.width)));
    const h = Math.max(2, Math.min(height - y, Math.round(mark.height)));
    const badgeW = 8 + 8 * mark.label.length;
    const bx = Math.min(x, width - badgeW);
    const by = y >= 16 ? y - 16 : y;
    return (
      `<rect x="${x + 1}" y="${y + 1}" width="${w - 2}" height="${h - 2}" fill="none" stroke="${colour}" stroke-width="2"/>` +
      `<rect x="${bx}" y="${by}" width="${badgeW}" height="16" fill="${colour}"/>` +
      `<text x="${bx + 4}" y="${by + 12.5}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12" font-weight="bold" fill="#fff">${escape(mark.label)}</text>`
    );
  });
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`);
  return sharp(image).composite([{ input: svg, left: 0, top: 0 }]).png().toBuffer();
}
