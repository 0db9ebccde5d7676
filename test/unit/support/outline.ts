import type { OutlineLine } from '../../../src/snapshot/outline.js';

/**
 * Builds outline lines from the text a snapshot shows, so a test reads like the output:
 *
 *     list "Products" [ref=e1]
 *       listitem [ref=e2]
 *         text: Blue mug
 *
 * Two spaces of indent make one level of depth; a leading "- " is optional. The role is the first
 * word of the line, the ref comes from its [ref=…] mark ('' for text lines).
 */
export function outline(text: string): OutlineLine[] {
  const rows = text.split('\n').filter((row) => row.trim() !== '');
  const margin = Math.min(...rows.map((row) => /^ */.exec(row)![0].length));
  return rows.map((row) => {
    const indent = /^ */.exec(row)![0].length - margin;
    if (indent % 2) throw new Error(`odd indent in test outline: ${JSON.stringify(row)}`);
    const body = row.trim().replace(/^- /, '');
    return {
      depth: indent / 2,
      ref: /\[ref=([^\]]+)\]/.exec(body)?.[1] ?? '',
      role: /^[a-z]+/i.exec(body)![0],
      body,
    };
  });
}

/** A list of `count` look-alike items, each a listitem holding one link, under list e1. */
export function productList(count: number): OutlineLine[] {
  const rows = ['list "Products" [ref=e1]'];
  for (let i = 0; i < count; i++) {
    rows.push(`  listitem [ref=e${2 + 2 * i}]`);
    rows.push(`    link "Item ${i}" [ref=e${3 + 2 * i}] [url=/p/${i}]`);
  }
  return outline(rows.join('\n'));
}
