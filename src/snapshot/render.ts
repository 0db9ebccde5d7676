import type { OutlineLine } from './outline.js';

/** Runs of at least this many look-alike siblings are collapsed. */
const COLLAPSE_MIN = 6;
/** How many of a collapsed run are still shown. */
const COLLAPSE_KEEP = 3;

export interface RenderOptions {
  /** Character budget for the lines (the footer comes on top). */
  budget: number;
  /** First rendered line to show (for paging through a long outline). */
  offset?: number;
  /** Collapse long runs of look-alike siblings into a counted summary line. */
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

function summaryLine(lines: readonly OutlineLine[], run: number[], parentRef: string): string {
  const first = lines[run[0]!]!;
  const last = lines[run[run.length - 1]!]!;
  const span = first.ref && last.ref ? ` (${first.ref}…${last.ref})` : '';
  const where = parentRef ? `snapshot {"ref":"${parentRef}"} pages through them; ` : '';
  return formatLine(first.depth, `… ${run.length} more ${first.role} like the above${span}: ${where}snapshot {"search":"…"} finds one`);
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
        out.push(summaryLine(lines, kids.slice(k + COLLAPSE_KEEP, runEnd), parentRef));
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
  const { out, collapsedRuns } = displayLines(lines, options.collapse);
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
    return { text: `[offset ${options.offset} is past the end: the outline has ${out.length} lines; use an offset below ${out.length}]`, shown: 0, total: out.length, collapsedRuns };
  }
  let text = shown.join('\n');
  if (nextOffset !== undefined) {
    const scope = options.scopeRef ? `"ref":"${options.scopeRef}",` : '';
    text += `\n[showing lines ${offset + 1}-${i} of ${out.length}; next: snapshot {${scope}"offset":${i}}, or snapshot {"search":"…"} to find an element]`;
  }
  return { text, shown: shown.length, total: out.length, nextOffset, collapsedRuns };
}
