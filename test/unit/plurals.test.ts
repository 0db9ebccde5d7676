import { describe, expect, it } from 'vitest';
import { diffOutlines, renderDiff } from '../../src/snapshot/diff.js';
import { renderOutline } from '../../src/snapshot/render.js';
import { searchOutline } from '../../src/snapshot/search.js';
import { plural, truncate } from '../../src/util/text.js';
import { outline } from './support/outline.js';

// "1 steps", "1 moments": every count in the output agrees with its noun.
describe('counts of one', () => {
  it('plural picks the noun by the count', () => {
    expect(plural(1, 'step')).toBe('1 step');
    expect(plural(0, 'step')).toBe('0 steps');
    expect(plural(2, 'match', 'matches')).toBe('2 matches');
  });

  it('a cut text, a removed line, a match not shown and an outline of one line', () => {
    expect(truncate('abcd', 3)).toBe('abc… [1 more character]');
    const six = outline(['list [ref=e1]', ...Array.from({ length: 6 }, (_, i) => `  listitem [ref=e${10 + i}]: Row ${i}`)].join('\n'));
    expect(renderDiff(diffOutlines(six, outline('list [ref=e1]')), 2_000).split('\n').at(-1)).toBe('- (1 more line removed)');
    const many = outline(Array.from({ length: 21 }, (_, i) => `button "Go ${i}" [ref=e${i + 1}]`).join('\n'));
    expect(searchOutline(many, 'Go', 10_000).text.split('\n').at(-1)).toBe('[1 more match not shown: narrow the search]');
    expect(renderOutline(outline('button "Go" [ref=e1]'), { budget: 100, collapse: false, offset: 5 }).text).toContain('the outline has 1 line;');
  });
});
