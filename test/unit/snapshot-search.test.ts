import { describe, expect, it } from 'vitest';
import { searchOutline } from '../../src/snapshot/search.js';
import { outline } from './support/outline.js';

const shop = outline(`
  banner [ref=e1]
    link "Home" [ref=e2] [url=/]
    searchbox "Search" [ref=e3]
  main [ref=e4]
    heading "Mugs" [ref=e5] [level=1]
    table "Products" [ref=e6]
      row [ref=e7]
        cell [ref=e8]: Blue mug
        cell [ref=e9]: $12
        cell [ref=e10]
          button "Add to cart" [ref=e11]
      row [ref=e12]
        cell [ref=e13]: Red cup
        cell [ref=e14]: $9
        cell [ref=e15]
          button "Add to cart" [ref=e16]
  contentinfo [ref=e17]
    text: © Shop
`);

describe('searchOutline', () => {
  it('finds nothing when nothing matches', () => {
    expect(searchOutline(shop, 'teapot', 5_000)).toEqual({ text: '', matches: 0 });
  });

  it('matches case-insensitively and shows the match with its ancestors', () => {
    const result = searchOutline(shop, 'HOME', 5_000);
    expect(result.matches).toBe(1);
    expect(result.text).toBe(['- banner [ref=e1]', '  - link "Home" [ref=e2] [url=/]'].join('\n'));
  });

  it('shows the whole row around a match in a cell, so the row’s buttons and their refs are there', () => {
    const result = searchOutline(shop, 'red cup', 5_000);
    expect(result.matches).toBe(1);
    expect(result.text).toBe(
      [
        '- main [ref=e4]',
        '  - table "Products" [ref=e6]',
        '    - row [ref=e12]',
        '      - cell [ref=e13]: Red cup',
        '      - cell [ref=e14]: $9',
        '      - cell [ref=e15]',
        '        - button "Add to cart" [ref=e16]',
      ].join('\n'),
    );
    expect(result.text).not.toContain('Blue mug');
  });

  it('shows the start of a matching element’s subtree', () => {
    const result = searchOutline(shop, 'products', 5_000);
    expect(result.matches).toBe(1);
    const lines = result.text.split('\n');
    expect(lines[0]).toBe('- main [ref=e4]');
    expect(lines[1]).toBe('  - table "Products" [ref=e6]');
    // The table and the first lines of its subtree: eight lines from the match.
    expect(lines).toHaveLength(1 + 8);
    expect(result.text).not.toContain('heading "Mugs"');
  });

  it('counts a match inside another match once', () => {
    const nested = outline(`
      list "Mugs" [ref=e1]
        listitem [ref=e2]
          link "Blue mug" [ref=e3]
    `);
    expect(searchOutline(nested, 'mug', 5_000).matches).toBe(1);
  });

  it('counts every match but shows at most twenty, saying how many are left', () => {
    const many = outline(Array.from({ length: 25 }, (_, i) => `paragraph [ref=e${i + 1}]: needle ${i}`).join('\n'));
    const result = searchOutline(many, 'needle', 50_000);
    expect(result.matches).toBe(25);
    const lines = result.text.split('\n');
    expect(lines).toHaveLength(21);
    expect(lines.at(-1)).toBe('[5 more matches not shown: narrow the search]');
  });

  it('stays within its budget', () => {
    const many = outline(Array.from({ length: 20 }, (_, i) => `paragraph [ref=e${i + 1}]: needle number ${i}`).join('\n'));
    const result = searchOutline(many, 'needle', 200);
    const lines = result.text.split('\n');
    expect(lines.at(-1)).toBe('[cut to fit the budget: narrow the search]');
    expect(lines.slice(0, -1).reduce((sum, line) => sum + line.length + 1, 0)).toBeLessThanOrEqual(201);
    expect(result.matches).toBe(20);
  });
});
