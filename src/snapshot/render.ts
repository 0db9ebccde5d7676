import type { OutlineLine } from './outline.js';
import { plural } from '../util/text.js';

/** Runs of at least this many look-alike siblings are collapsed. */
const COLLAPSE_MIN = 6;
/** How many of a collapsed run are still shown. */
const COLLAPSE_KEEP = 3;

export interface RenderOptions {
  /** Character budget for the lines (the footer comes on top). */
  budget: number;
  /** First rendered line to show (for paging through a long outline). */
  offset?: number;
  /** Collapse long runs of look-alike siblings into a counted summary line (only when the whole outline does not fit the budget). */
  collapse: boolean;
  /** The ref the outline was scoped to, for hints. */
  scopeRef?: string;
}

export interface Rendered {
  text: string;
  /** Lines shown / lines in the whole rendering. */
  shown: number;
  total: number;
  /** Where the next page starts, when the output was cut. */
  nextOffset?: number;
  collapsedRuns: number;
}

/** end[i] = index just past line i's subtree. */
export function subtreeEnds(lines: readonly OutlineLine[]): number[] {
  const end = new Array<number>(lines.length).fill(lines.length);
  const stack: number[] = [];
  lines.forEach((line, i) => {
    while (stack.length && lines[stack[stack.length - 1]!]!.depth >= line.depth) end[stack.pop()!] = i;
    stack.push(i);
  });
  return end;
}

function childrenOf(start: number, stop: number, end: number[]): number[] {
  const children: number[] = [];
  for (let j = start; j < stop; j = end[j]!) children.push(j);
  return children;
}

/** A sibling's shape: its role and the roles of its direct children. */
function shapeOf(i: number, lines: readonly OutlineLine[], end: number[]): string {
  const kids = childrenOf(i + 1, end[i]!, end).map((j) => lines[j]!.role);
  return `${lines[i]!.role}(${kids.join(',')})`;
}

export function formatLine(depth: number, body: string): string {
  return `${'  '.repeat(depth)}- ${body}`;
}

/** The accessible name in a line's body (`button "Save" [ref=e3]` → Save), else its inline text (`listitem [ref=e4]: Row 1` → Row 1). */
function labelOf(body: string): string | undefined {
  const quoted = /^\S+ ("(?:[^"\\]|\\.)*")/.exec(body)?.[1];
  if (quoted) {
    try {
      return JSON.parse(quoted) as string;
    } catch {
      return undefined;
    }
  }
  return /\]: (.+)$/.exec(body)?.[1] ?? (/^text: (.+)$/.exec(body)?.[1]);
}

/**
 * A search that finds every item of a collapsed run: the words their labels (or, for unnamed
 * items, their first child's) start with ("Open" for "Open 4" … "Open 1000"), else their role
 * (a search matches the role too).
 */
export function searchFor(lines: readonly OutlineLine[], run: readonly number[]): string {
  const labels = run.map((i) => {
    const own = labelOf(lines[i]!.body);
    const child = lines[i + 1];
    return own ?? (child && child.depth === lines[i]!.depth + 1 ? labelOf(child.body) : undefined);
  });
  if (labels.every((label): label is string => label !== undefined)) {
    let prefix = labels[0]!;
    for (const label of labels) while (!label.startsWith(prefix)) prefix = prefix.slice(0, -1);
    // Whole words only: "Item 1" and "Item 12" share "Item 1", which misses "Item 2".
    const words = labels.every((label) => label.length === prefix.length || /\s/.test(label[prefix.length]!)) ? prefix : prefix.replace(/\S*$/, '');
    if (words.trim().length >= 3) return words.trim();
  }
  return lines[run[0]!]!.role;
}

function summaryLine(lines: readonly OutlineLine[], run: number[], parentRef: string, search: string): string {
  const first = lines[run[0]!]!;
  const last = lines[run[run.length - 1]!]!;
  const span = first.ref && last.ref ? ` (${first.ref}…${last.ref})` : '';
  const where = parentRef ? `snapshot {"ref":"${parentRef}"} pages through them; ` : '';
  return formatLine(first.depth, `… ${run.length} more ${first.role} like the above${span}: ${where}snapshot {"search":${JSON.stringify(search)}} finds them`);
}

/** Characters of display lines, as a rendering counts them (a newline each). */
function size(out: readonly string[]): number {
  return out.reduce((sum, line) => sum + line.length + 1, 0);
}

/**
 * Display lines within `budget` where possible: collapsed only when the whole rendering does not
 * fit, so a small page shows every item, however alike (six buttons with different names are six
 * lines, not three and a summary).
 */
export function fittingLines(lines: readonly OutlineLine[], budget: number, collapse: boolean): { out: string[]; collapsedRuns: number } {
  const full = displayLines(lines, false);
  return !collapse || size(full.out) <= budget ? full : displayLines(lines, true);
}

/** Turns outline lines into display lines, collapsing long runs of look-alike siblings. */
export function displayLines(lines: readonly OutlineLine[], collapse: boolean): { out: string[]; collapsedRuns: number } {
  const end = subtreeEnds(lines);
  const out: string[] = [];
  let collapsedRuns = 0;
  const emit = (i: number) => {
    out.push(formatLine(lines[i]!.depth, lines[i]!.body));
    emitChildren(childrenOf(i + 1, end[i]!, end), lines[i]!.ref);
  };
  const emitChildren = (kids: number[], parentRef: string) => {
    for (let k = 0; k < kids.length; ) {
      let runEnd = k + 1;
      if (collapse) {
        const shape = shapeOf(kids[k]!, lines, end);
        while (runEnd < kids.length && shapeOf(kids[runEnd]!, lines, end) === shape) runEnd++;
      }
      if (collapse && runEnd - k >= COLLAPSE_MIN && lines[kids[k]!]!.role !== 'text') {
        for (let m = k; m < k + COLLAPSE_KEEP; m++) emit(kids[m]!);
        out.push(summaryLine(lines, kids.slice(k + COLLAPSE_KEEP, runEnd), parentRef, searchFor(lines, kids.slice(k, runEnd))));
        collapsedRuns++;
        k = runEnd;
      } else {
        emit(kids[k]!);
        k++;
      }
    }
  };
  emitChildren(childrenOf(0, lines.length, end), '');
  return { out, collapsedRuns };
}

/** Renders an outline within a character budget, with a footer that says how to see more. */
export function renderOutline(lines: readonly OutlineLine[], options: RenderOptions): Rendered {
  const { out, collapsedRuns } = fittingLines(lines, options.budget, options.collapse);
  const offset = Math.min(options.offset ?? 0, out.length);
  const shown: string[] = [];
  let used = 0;
  let i = offset;
  for (; i < out.length; i++) {
    const line = out[i]!;
    if (used + line.length + 1 > options.budget && shown.length > 0) break;
    shown.push(line);
    used += line.length + 1;
  }
  const nextOffset = i < out.length ? i : undefined;
  if (!shown.length && out.length) {
    return { text: `[offset ${options.offset} is past the end: the outline has ${plural(out.length, 'line')}; use an offset below ${out.length}]`, shown: 0, total: out.length, collapsedRuns };
  }
  let text = shown.join('\n');
  if (nextOffset !== undefined) {
    const scope = options.scopeRef ? `"ref":"${options.scopeRef}",` : '';
    text += `\n[showing lines ${offset + 1}-${i} of ${out.length}; next: snapshot {${scope}"offset":${i}}, or snapshot {"search":"…"} to find an element]`;
  }
  return { text, shown: shown.length, total: out.length, nextOffset, collapsedRuns };
}
