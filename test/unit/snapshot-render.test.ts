import { describe, expect, it } from 'vitest';
import { displayLines, formatLine, renderOutline, subtreeEnds } from '../../src/snapshot/render.js';
import { outline, productList } from './support/outline.js';

describe('formatLine and subtreeEnds', () => {
  it('indents two spaces per level', () => {
    expect(formatLine(0, 'button "Go" [ref=e1]')).toBe('- button "Go" [ref=e1]');
    expect(formatLine(2, 'text: hi')).toBe('    - text: hi');
  });

  it('finds where each line’s subtree ends', () => {
    const lines = outline(`
      main [ref=e1]
        heading "Shop" [ref=e2]
        list [ref=e3]
          listitem [ref=e4]
        button "Buy" [ref=e5]
      contentinfo [ref=e6]
    `);
    expect(subtreeEnds(lines)).toEqual([5, 2, 4, 4, 5, 6]);
  });
});

describe('displayLines: collapsing look-alike siblings', () => {
  it('shows three of a long run and one counted summary line that says how to see the rest', () => {
    const { out, collapsedRuns } = displayLines(productList(10), true);
    expect(out).toEqual([
      '- list "Products" [ref=e1]',
      '  - listitem [ref=e2]',
      '    - link "Item 0" [ref=e3] [url=/p/0]',
      '  - listitem [ref=e4]',
      '    - link "Item 1" [ref=e5] [url=/p/1]',
      '  - listitem [ref=e6]',
      '    - link "Item 2" [ref=e7] [url=/p/2]',
      '  - … 7 more listitem like the above (e8…e20): snapshot {"ref":"e1"} pages through them; snapshot {"search":"Item"} finds them',
    ]);
    expect(collapsedRuns).toBe(1);
  });

  it('collapses runs of six or more, not five', () => {
    expect(displayLines(productList(5), true)).toEqual({ out: displayLines(productList(5), false).out, collapsedRuns: 0 });
    const six = displayLines(productList(6), true);
    expect(six.collapsedRuns).toBe(1);
    expect(six.out.at(-1)).toContain('… 3 more listitem like the above (e8…e12)');
  });

  it('shows everything when collapsing is off', () => {
    const { out, collapsedRuns } = displayLines(productList(10), false);
    expect(out).toHaveLength(21);
    expect(out.at(-1)).toBe('    - link "Item 9" [ref=e21] [url=/p/9]');
    expect(collapsedRuns).toBe(0);
  });

  it('treats siblings as look-alike by role and child roles, not by name', () => {
    const rows = ['list [ref=e1]'];
    for (let i = 0; i < 4; i++) rows.push(`  listitem [ref=e${10 + i}]`, `    link "Open ${i}" [ref=e${20 + i}]`);
    for (let i = 0; i < 4; i++) rows.push(`  listitem [ref=e${30 + i}]`, `    button "Delete ${i}" [ref=e${40 + i}]`);
    const { out, collapsedRuns } = displayLines(outline(rows.join('\n')), true);
    expect(collapsedRuns).toBe(0);
    expect(out).toHaveLength(17);
  });

  it('never collapses text lines', () => {
    const rows = ['paragraph [ref=e1]'];
    for (let i = 0; i < 8; i++) rows.push(`  text: line ${i}`);
    const { out, collapsedRuns } = displayLines(outline(rows.join('\n')), true);
    expect(collapsedRuns).toBe(0);
    expect(out).toHaveLength(9);
  });

  it('collapses top-level runs without a ref to page through', () => {
    const rows: string[] = [];
    for (let i = 1; i <= 7; i++) rows.push(`article "Post ${i}" [ref=e${i}]`);
    const { out } = displayLines(outline(rows.join('\n')), true);
    expect(out).toEqual([
      '- article "Post 1" [ref=e1]',
      '- article "Post 2" [ref=e2]',
      '- article "Post 3" [ref=e3]',
      '- … 4 more article like the above (e4…e7): snapshot {"search":"Post"} finds them',
    ]);
  });

  it('collapses nested runs independently and counts each', () => {
    const rows = ['main [ref=e1]'];
    for (let t = 0; t < 2; t++) {
      rows.push(`  list [ref=e${100 + t}]`);
      for (let i = 0; i < 6; i++) rows.push(`    listitem "x${i}" [ref=e${200 + 10 * t + i}]`);
    }
    const { out, collapsedRuns } = displayLines(outline(rows.join('\n')), true);
    expect(collapsedRuns).toBe(2);
    expect(out.filter((line) => line.includes('more listitem like the above'))).toEqual([
      '    - … 3 more listitem like the above (e203…e205): snapshot {"ref":"e100"} pages through them; snapshot {"search":"listitem"} finds them',
      '    - … 3 more listitem like the above (e213…e215): snapshot {"ref":"e101"} pages through them; snapshot {"search":"listitem"} finds them',
    ]);
  });
});

/** 30 paragraphs of about 30 characters each. */
function paragraphs(count = 30) {
  return outline(Array.from({ length: count }, (_, i) => `paragraph [ref=e${i + 1}]: Line number ${i + 1}`).join('\n'));
}

describe('renderOutline: budget and paging', () => {
  it('shows everything, with no footer, when it fits', () => {
    const lines = paragraphs(5);
    const rendered = renderOutline(lines, { budget: 10_000, collapse: true });
    expect(rendered.text).toBe(displayLines(lines, true).out.join('\n'));
    expect(rendered).toMatchObject({ shown: 5, total: 5, nextOffset: undefined, collapsedRuns: 0 });
  });

  it('cuts at the budget and says where the next page starts', () => {
    const rendered = renderOutline(paragraphs(), { budget: 200, collapse: false });
    const shownLines = rendered.text.split('\n').slice(0, -1);
    expect(shownLines.reduce((sum, line) => sum + line.length + 1, 0)).toBeLessThanOrEqual(200);
    expect(rendered.shown).toBe(shownLines.length);
    expect(rendered.nextOffset).toBe(rendered.shown);
    expect(rendered.text.split('\n').at(-1)).toBe(
      `[showing lines 1-${rendered.shown} of 30; next: snapshot {"offset":${rendered.shown}}, or snapshot {"search":"…"} to find an element]`,
    );
  });

  it('pages through the whole outline with offset, without gaps or overlaps', () => {
    const lines = paragraphs();
    const all = displayLines(lines, false).out;
    const seen: string[] = [];
    let offset: number | undefined = 0;
    let pages = 0;
    while (offset !== undefined) {
      const rendered = renderOutline(lines, { budget: 150, collapse: false, offset });
      const body = rendered.nextOffset === undefined ? rendered.text.split('\n') : rendered.text.split('\n').slice(0, -1);
      if (rendered.nextOffset !== undefined) {
        expect(rendered.text).toContain(`[showing lines ${offset + 1}-${rendered.nextOffset} of 30;`);
      }
      seen.push(...body);
      offset = rendered.nextOffset;
      pages++;
      expect(pages).toBeLessThan(30);
    }
    expect(pages).toBeGreaterThan(2);
    expect(seen).toEqual(all);
  });

  it('names the offset it was given when that is past the end', () => {
    const rendered = renderOutline(paragraphs(), { budget: 200, collapse: false, offset: 100_000 });
    expect(rendered.text).toBe('[offset 100000 is past the end: the outline has 30 lines; use an offset below 30]');
  });

  it('names the scope ref in the next-page hint', () => {
    const rendered = renderOutline(paragraphs(), { budget: 200, collapse: false, scopeRef: 'e1' });
    expect(rendered.text).toContain(`next: snapshot {"ref":"e1","offset":${rendered.nextOffset}}`);
  });

  it('always shows at least one line, even one longer than the budget', () => {
    const lines = outline(`paragraph [ref=e1]: ${'x'.repeat(300)}\nparagraph [ref=e2]: short`);
    const rendered = renderOutline(lines, { budget: 50, collapse: false });
    expect(rendered.shown).toBe(1);
    expect(rendered.text).toContain('x'.repeat(300));
    expect(rendered.nextOffset).toBe(1);
  });

  it('counts the budget on collapsed lines', () => {
    const rendered = renderOutline(productList(50), { budget: 2_000, collapse: true });
    expect(rendered).toMatchObject({ total: 8, shown: 8, collapsedRuns: 1, nextOffset: undefined });
  });

  it('collapses nothing when the whole outline fits: a small page shows every item, however alike', () => {
    const rows = ['main [ref=e1]'];
    const names = ['After 100 ms', 'After 300 ms', 'Saved timer', 'Timer chain', 'Interval', 'Fade in', 'Right away'];
    names.forEach((name, i) => rows.push(`  button "${name}" [ref=e${10 + i}]`));
    const lines = outline(rows.join('\n'));
    const rendered = renderOutline(lines, { budget: 8_000, collapse: true });
    expect(rendered).toMatchObject({ total: 8, shown: 8, collapsedRuns: 0 });
    for (const name of names) expect(rendered.text).toContain(`button "${name}"`);
    // Too big for the budget: collapsed, and the hint's search finds every one of them (by role here: the names share no word).
    const many = ['main [ref=e1]', ...Array.from({ length: 30 }, (_, i) => `  button "${names[i % names.length]} ${'x'.repeat(i)}" [ref=e${10 + i}]`)];
    const tight = renderOutline(outline(many.join('\n')), { budget: 600, collapse: true });
    expect(tight.collapsedRuns).toBe(1);
    expect(tight.text).toContain('… 27 more button like the above (e13…e39): snapshot {"ref":"e1"} pages through them; snapshot {"search":"button"} finds them');
  });

  it('names a search of whole words that every collapsed item matches', () => {
    const rows = ['list [ref=e1]'];
    for (let i = 1; i <= 12; i++) rows.push(`  listitem [ref=e${100 + i}]`, `    button "Open ${i}" [ref=e${200 + i}]`);
    expect(displayLines(outline(rows.join('\n')), true).out.at(-1)).toContain('snapshot {"search":"Open"} finds them');
    const items = ['list [ref=e1]', ...['Item 1', 'Item 12', 'Item 13', 'Item 14', 'Item 15', 'Item 16'].map((name, i) => `  listitem [ref=e${10 + i}]: ${name}`)];
    expect(displayLines(outline(items.join('\n')), true).out.at(-1)).toContain('snapshot {"search":"Item"} finds them');
  });
});
