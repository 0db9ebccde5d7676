import type { OutlineLine } from './outline.js';
import { formatLine, subtreeEnds } from './render.js';
import { plural } from '../util/text.js';

const MAX_MATCHES = 20;
const SUBTREE_LINES = 8;
/** A match inside one of these is shown with the whole item, so its sibling controls are there too. */
const ITEMS = new Set(['row', 'listitem', 'article', 'option', 'treeitem', 'menuitem']);
const ITEM_REACH = 3;

/**
 * Finds outline lines containing `query` (case-insensitive) and shows each with its ancestors
 * (for context) and the start of its subtree (so the refs of a matching row's buttons are there).
 */
export function searchOutline(lines: readonly OutlineLine[], query: string, budget: number): { text: string; matches: number } {
  const needle = query.toLowerCase();
  const matches: number[] = [];
  lines.forEach((line, i) => {
    // Refs are not content: "e1" should not match every [ref=e1…].
    if (line.body.replace(/ \[ref=[^\]]+\]/, '').toLowerCase().includes(needle)) matches.push(i);
  });
  if (!matches.length) return { text: '', matches: 0 };

  const end = subtreeEnds(lines);
  const parent = new Array<number>(lines.length).fill(-1);
  const stack: number[] = [];
  lines.forEach((line, i) => {
    while (stack.length && lines[stack[stack.length - 1]!]!.depth >= line.depth) stack.pop();
    parent[i] = stack.length ? stack[stack.length - 1]! : -1;
    stack.push(i);
  });

  const show = new Set<number>();
  // A match inside an earlier match's subtree is shown with it. Matches are in order, so one pass does.
  const shownMatches: number[] = [];
  let coveredUntil = -1;
  for (const i of matches) {
    if (i < coveredUntil) continue;
    shownMatches.push(i);
    coveredUntil = end[i]!;
  }
  for (const match of shownMatches.slice(0, MAX_MATCHES)) {
    let top = match;
    for (let p = parent[match]!, hops = 0; p >= 0 && hops < ITEM_REACH; p = parent[p]!, hops++) {
      if (ITEMS.has(lines[p]!.role)) {
        top = p;
        break;
      }
    }
    for (let p = parent[top]!; p >= 0; p = parent[p]!) show.add(p);
    const limit = Math.max(match + SUBTREE_LINES, top + SUBTREE_LINES);
    for (let j = top; j < Math.min(end[top]!, limit); j++) show.add(j);
  }
  const out: string[] = [];
  let used = 0;
  for (const i of [...show].sort((a, b) => a - b)) {
    const line = formatLine(lines[i]!.depth, lines[i]!.body);
    if (used + line.length > budget) {
      out.push('[cut to fit the budget: narrow the search]');
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  if (shownMatches.length > MAX_MATCHES) {
    out.push(`[${plural(shownMatches.length - MAX_MATCHES, 'more match', 'more matches')} not shown: narrow the search]`);
  }
  return { text: out.join('\n'), matches: shownMatches.length };
}
