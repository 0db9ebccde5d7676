import { describe, expect, it } from 'vitest';
import { diffOutlines, isEmptyDiff, renderDiff } from '../../src/snapshot/diff.js';
import type { OutlineLine } from '../../src/snapshot/outline.js';
import { outline } from './support/outline.js';

const CART = `
  main [ref=e1]
    heading "Cart" [ref=e2] [level=1]
    list [ref=e3]
      listitem [ref=e4]: Blue mug
      listitem [ref=e5]: Red mug
    paragraph [ref=e6]: 2 items
    button "Checkout" [ref=e7]
`;

/**
 * The cart outline with the line of each given ref replaced by the given outline text (which may
 * hold several lines, indented relative to the line it replaces).
 */
function cart(replace: Record<string, string> = {}): OutlineLine[] {
  const unused = new Set(Object.keys(replace));
  const rows = CART.split('\n').flatMap((row) => {
    const ref = /\[ref=([^\]]+)\]/.exec(row)?.[1];
    if (ref === undefined || !(ref in replace)) return [row];
    unused.delete(ref);
    const indent = /^ */.exec(row)![0];
    return replace[ref]!.split('\n').map((line) => indent + line);
  });
  if (unused.size) throw new Error(`no line with ref ${[...unused].join(', ')} in the cart`);
  return outline(rows.join('\n'));
}

const before = cart();

const bodies = (lines: { body: string }[]) => lines.map((line) => line.body);

describe('diffOutlines', () => {
  it('finds nothing between equal outlines', () => {
    const diff = diffOutlines(before, cart());
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff.replaced).toBe(false);
  });

  it('reports added, removed and changed lines by ref', () => {
    const after = cart({ e5: 'listitem [ref=e8]: Green mug', e7: 'button "Checkout" [ref=e7] [disabled]' });
    const diff = diffOutlines(before, after);
    expect(bodies(diff.added)).toEqual(['listitem [ref=e8]: Green mug']);
    expect(bodies(diff.removed)).toEqual(['listitem [ref=e5]: Red mug']);
    expect(diff.changed.map(({ before: b, after: a }) => [b.body, a.body])).toEqual([
      ['button "Checkout" [ref=e7]', 'button "Checkout" [ref=e7] [disabled]'],
    ]);
    expect(diff.replaced).toBe(false);
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('ignores focus moving, but not a real change that comes with it', () => {
    const focusOnly = cart({ e7: 'button "Checkout" [ref=e7] [focused]' });
    expect(isEmptyDiff(diffOutlines(before, focusOnly))).toBe(true);

    const focusAndChange = cart({ e7: 'button "Checkout" [ref=e7] [focused] [expanded]' });
    const diff = diffOutlines(before, focusAndChange);
    expect(diff.changed).toHaveLength(1);
    expect(diff.changed[0]!.after.body).toBe('button "Checkout" [ref=e7] [expanded]');
  });

  it('keys text lines by their parent, so a changed text is a change, not a remove and an add', () => {
    const withText = outline(`
      status [ref=e1]
        text: Saving…
    `);
    const saved = outline(`
      status [ref=e1]
        text: Saved
    `);
    const diff = diffOutlines(withText, saved);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed.map((change) => change.after.body)).toEqual(['text: Saved']);
  });

  it('sees a text that moved to another element as removed there and added here', () => {
    const diff = diffOutlines(
      outline(`
        status [ref=e1]
          text: Saved
        alert [ref=e2]
      `),
      outline(`
        status [ref=e1]
        alert [ref=e2]
          text: Saved
      `),
    );
    expect(bodies(diff.removed)).toEqual(['text: Saved']);
    expect(bodies(diff.added)).toEqual(['text: Saved']);
    expect(diff.changed).toEqual([]);
  });

  it('says when the page was replaced (no element survived)', () => {
    const other = outline(`
      main [ref=e20]
        heading "Thank you" [ref=e21]
    `);
    expect(diffOutlines(before, other).replaced).toBe(true);
    expect(diffOutlines(outline('text: loading'), other).replaced).toBe(false);
  });
});

describe('renderDiff', () => {
  it('marks added lines with +, changed with ~ and removed with -', () => {
    const after = cart({
      e5: ['listitem [ref=e8]', '  text: Green mug', '  button "Remove" [ref=e9]'].join('\n'),
      e6: 'paragraph [ref=e6]: 3 items',
    });
    expect(renderDiff(diffOutlines(before, after), 2_000)).toBe(
      [
        '+ - listitem [ref=e8]',
        '+   - text: Green mug',
        '+   - button "Remove" [ref=e9]',
        '~ - paragraph [ref=e6]: 3 items',
        '- - listitem [ref=e5]: Red mug',
      ].join('\n'),
    );
  });

  it('shows every added line when they fit, and collapses a long run of look-alike lines when they do not', () => {
    const many = outline(['list [ref=e1]', ...Array.from({ length: 12 }, (_, i) => `  listitem [ref=e${10 + i}]: Row ${i}`)].join('\n'));
    expect(renderDiff(diffOutlines(outline('list [ref=e1]'), many), 2_000).split('\n')).toHaveLength(12);
    const text = renderDiff(diffOutlines(outline('list [ref=e1]'), many), 200);
    expect(text.split('\n')).toEqual([
      '+ - listitem [ref=e10]: Row 0',
      '+ - listitem [ref=e11]: Row 1',
      '+ - listitem [ref=e12]: Row 2',
      '+ - … 9 more listitem like the above (e13…e21): snapshot {"search":"Row"} finds them',
    ]);
  });

  it('shows at most five removed elements and counts the rest', () => {
    const many = outline(['list [ref=e1]', ...Array.from({ length: 9 }, (_, i) => `  listitem [ref=e${10 + i}]: Row ${i}`)].join('\n'));
    const lines = renderDiff(diffOutlines(many, outline('list [ref=e1]')), 2_000).split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('- - listitem [ref=e10]: Row 0');
    expect(lines[5]).toBe('- (4 more lines removed)');
  });

  it('stays within its budget and says how to see the rest', () => {
    const rows = ['main [ref=e1]'];
    for (let i = 0; i < 40; i++) rows.push(`  button "Action number ${i}" [ref=e${100 + i}]`, `  link "Link ${i}" [ref=e${200 + i}]`);
    const diff = diffOutlines(outline('main [ref=e1]'), outline(rows.join('\n')));
    const text = renderDiff(diff, 300);
    const lines = text.split('\n');
    expect(lines.at(-1)).toMatch(/^\[\d+ more changed lines not shown: take a snapshot to see the page\]$/);
    expect(lines.slice(0, -1).reduce((sum, line) => sum + line.length + 1, 0)).toBeLessThanOrEqual(300 + 1);
    const hidden = Number(/^\[(\d+)/.exec(lines.at(-1)!)![1]);
    expect(hidden + lines.length - 1).toBe(80);
  });
});
