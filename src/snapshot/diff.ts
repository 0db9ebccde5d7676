import type { OutlineLine } from './outline.js';
import { fittingLines, formatLine } from './render.js';
import { plural } from '../util/text.js';

export interface OutlineDiff {
  added: OutlineLine[];
  removed: OutlineLine[];
  changed: { before: OutlineLine; after: OutlineLine }[];
  /** True when no element survived: the page was replaced, so a diff says little. */
  replaced: boolean;
}

/** Identity of a line: its ref, or for a text line its parent's ref and its place among texts. */
function keys(lines: readonly OutlineLine[]): string[] {
  const parents: string[] = [];
  const textCount = new Map<string, number>();
  return lines.map((line) => {
    parents.length = line.depth;
    if (line.ref) {
      parents[line.depth] = line.ref;
      return line.ref;
    }
    const parent = parents.findLast((ref) => !!ref) ?? '';
    const n = textCount.get(parent) ?? 0;
    textCount.set(parent, n + 1);
    return `${parent}/t${n}`;
  });
}

/** Focus moves with every click and type; it is shown in snapshots but is noise in a diff. */
const FOCUS = / \[focused\]/;
const unfocused = (body: string): string => body.replace(FOCUS, '');

export function diffOutlines(before: readonly OutlineLine[], after: readonly OutlineLine[]): OutlineDiff {
  const beforeKeys = keys(before);
  const afterKeys = keys(after);
  const beforeByKey = new Map(beforeKeys.map((key, i) => [key, before[i]!]));
  const afterSet = new Set(afterKeys);
  const added: OutlineLine[] = [];
  const changed: OutlineDiff['changed'] = [];
  let kept = 0;
  afterKeys.forEach((key, i) => {
    const line = after[i]!;
    const old = beforeByKey.get(key);
    if (!old) added.push(line);
    else {
      if (line.ref) kept++;
      if (unfocused(old.body) !== unfocused(line.body)) changed.push({ before: old, after: { ...line, body: unfocused(line.body) } });
    }
  });
  const removed = before.filter((_, i) => !afterSet.has(beforeKeys[i]!));
  const replaced = before.some((line) => line.ref) && kept === 0;
  return { added, removed, changed, replaced };
}

export function isEmptyDiff(diff: OutlineDiff): boolean {
  return !diff.added.length && !diff.removed.length && !diff.changed.length;
}

/**
 * Renders a diff within a budget: added lines as an outline fragment (long runs collapsed),
 * changed lines with `~`, removed lines with `-` and a count when there are many.
 */
export function renderDiff(diff: OutlineDiff, budget: number): string {
  const parts: string[] = [];
  if (diff.added.length) {
    const base = Math.min(...diff.added.map((line) => line.depth));
    const fragment = diff.added.map((line) => ({ ...line, depth: line.depth - base, body: unfocused(line.body) }));
    parts.push(...fittingLines(fragment, budget, true).out.map((line) => `+ ${line}`));
  }
  for (const { after } of diff.changed) parts.push(`~ ${formatLine(0, after.body)}`);
  const removedShown = diff.removed.filter((line) => line.ref).slice(0, 5);
  for (const line of removedShown) parts.push(`- ${formatLine(0, line.body)}`);
  const removedHidden = diff.removed.length - removedShown.length;
  if (removedHidden > 0) parts.push(`- (${plural(removedHidden, 'more line', 'more lines')} removed)`);

  const out: string[] = [];
  let used = 0;
  for (const [i, line] of parts.entries()) {
    if (used + line.length > budget && out.length) {
      out.push(`[${parts.length - i} more changed lines not shown: take a snapshot to see the page]`);
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out.join('\n');
}
