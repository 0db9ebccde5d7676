import { access, constants, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ElementRef } from '../cdp/elementRef.js';
import type { PageDriver } from '../cdp/pageDriver.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { clip, printable, quoteValue } from '../util/text.js';

/** Where a drag ends: on another element (its centre), or this far from where it started. */
export type DragTarget = { element: ElementRef } | { offset: { x: number; y: number } };

async function centre(element: ElementRef, what: string): Promise<{ x: number; y: number }> {
  await element.scrollIntoView();
  const box = await element.box();
  if (!box || box.width === 0 || box.height === 0) {
    throw new LegibleError(`The ${what} element is not visible, so it cannot be dragged ${what === 'source' ? 'from' : 'to'}.`, 'Scroll or open the part of the page that shows it, or take a new snapshot.');
  }
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags an element with the mouse to another element or by an offset (HTML5 drag-and-drop and pointer-driven lists alike). */
export async function dragElement(page: PageDriver, from: ElementRef, to: DragTarget): Promise<void> {
  const start = await centre(from, 'source');
  const end = 'element' in to ? await centre(to.element, 'target') : { x: start.x + to.offset.x, y: start.y + to.offset.y };
  // The source may have scrolled away while the target was scrolled into view.
  const again = 'element' in to ? await centre(from, 'source') : start;
  await page.drag(again, end);
}

/** `"dx,dy"` (pixels, may be negative) → an offset; anything else is a ref. */
export function parseOffset(text: string): { x: number; y: number } | undefined {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  return match ? { x: Number(match[1]), y: Number(match[2]) } : undefined;
}

/** Checks each file can be read and returns absolute paths (relative ones are from the server's working folder). */
export async function readableFiles(files: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const file of files) {
    const path = resolve(file);
    try {
      await access(path, constants.R_OK);
      if (!(await stat(path)).isFile()) throw new Error('not a file');
    } catch {
      throw new UsageError(`Cannot upload ${quoteValue(file)}: it is not a readable file (looked at ${printable(clip(path, 200))}).`, 'Give paths of existing files, absolute or relative to the folder Legible runs in.');
    }
    paths.push(path);
  }
  return paths;
}

/**
 * Puts files into a file input, or, when the element is something else (a button, a drop zone's
 * link), clicks it and gives the files to the file chooser that opens.
 */
export async function uploadFiles(element: ElementRef, paths: string[], timeout: number): Promise<'input' | 'chooser'> {
  const kind = await element.evaluate((el) => (el instanceof HTMLInputElement ? el.type : el.tagName.toLowerCase()));
  if (kind === 'file') {
    const multiple = await element.evaluate((el) => (el as HTMLInputElement).multiple);
    if (paths.length > 1 && !multiple) throw new UsageError(`That file input takes one file, and ${paths.length} were given.`, 'Pass one file, or find an input with the multiple attribute.');
    await element.setFiles(paths);
    return 'input';
  }
  await element.chooseFiles(paths, timeout);
  return 'chooser';
}
