import type { FrameDriver } from '../cdp/frameDriver.js';
import type { PageDriver } from '../cdp/pageDriver.js';
import { LegibleError } from '../util/errors.js';
import { quoteValue } from '../util/text.js';
import { refOfElement, walkPage } from './walker.js';

/** One line of the outline. `ref` is '' for text lines. */
export interface OutlineLine {
  depth: number;
  ref: string;
  role: string;
  body: string;
}

export interface Outline {
  lines: OutlineLine[];
  takenAt: number;
}

/** Remembers, per page, the highest ref number used in each frame, so refs are never reused. */
export class RefCounter {
  private readonly max = new Map<string, number>();

  startFor(prefix: string): number {
    return (this.max.get(prefix) ?? 0) + 1;
  }

  saw(prefix: string, maxRef: number): void {
    if (maxRef > (this.max.get(prefix) ?? 0)) this.max.set(prefix, maxRef);
  }
}

/** Decodes the walker's tab-separated lines (bodies never hold tabs: the walker squashes white space). */
function decode(lines: string, shift: number): OutlineLine[] {
  if (!lines) return [];
  return lines.split('\n').map((row) => {
    const [depth, ref, role, body] = row.split('\t') as [string, string, string, string];
    return { depth: Number(depth) + shift, ref, role, body };
  });
}

async function walkFrame(frame: FrameDriver, counter: RefCounter, rootRef?: string) {
  const result = await frame.evaluate(walkPage, { prefix: frame.key, start: counter.startFor(frame.key), rootRef });
  counter.saw(frame.key, result.maxRef);
  return result;
}

/**
 * Walks every frame of the page and splices each child frame's lines under the <iframe> line
 * that holds it. With `rootRef`, walks only that element's subtree (and frames inside it).
 */
export async function takeOutline(page: PageDriver, counter: RefCounter, rootRef?: string): Promise<Outline> {
  const frames = page.frames();
  const rootKey = rootRef ? (/^(f\d+)?e\d+$/.exec(rootRef)?.[1] ?? '') : '';
  const rootFrame = frames.find((frame) => frame.key === rootKey);
  if (!rootFrame) throw staleRef(rootRef ?? '');
  const main = await walkFrame(rootFrame, counter, rootRef);
  if (!main.found) throw staleRef(rootRef ?? '');
  const lines = decode(main.lines, 0);

  // Child frames, parents before children, each inserted after its <iframe> line.
  const pending = frames.filter((frame) => frame.key !== rootKey);
  const placed = new Set([rootKey]);
  for (let round = 0; round < 8 && pending.length; round++) {
    for (let i = 0; i < pending.length; ) {
      const frame = pending[i]!;
      const parentKey = frame.parentKey();
      if (parentKey === null || !placed.has(parentKey)) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      placed.add(frame.key);
      await spliceFrame(frame, lines, counter).catch(() => undefined);
    }
  }
  return { lines, takenAt: Date.now() };
}

async function spliceFrame(frame: FrameDriver, lines: OutlineLine[], counter: RefCounter): Promise<void> {
  const owner = await frame.ownerElement();
  if (!owner) return;
  const ownerRef = await owner.evaluate(refOfElement).finally(() => owner.dispose());
  const at = ownerRef ? lines.findIndex((line) => line.ref === ownerRef) : -1;
  if (at < 0) return; // the iframe is hidden or outside the walked subtree
  const result = await walkFrame(frame, counter);
  const depth = lines[at]!.depth + 1;
  lines.splice(at + 1, 0, ...decode(result.lines, depth));
}

/** Why a ref did not resolve, when known (see refProblem); 'no-frame': its frame is not on the page. */
export type RefProblem = 'no-snapshot' | 'unknown' | 'gone' | 'no-frame';

export function staleRef(ref: string, problem?: RefProblem): LegibleError {
  const quoted = quoteValue(ref);
  const next = 'Take a new snapshot and use a ref from it.';
  switch (problem) {
    case 'no-snapshot':
      return new LegibleError(
        `Ref ${quoted} means nothing on this page yet: refs come from a snapshot, and none has been taken of the page since it loaded.`,
        'Take a snapshot and use a ref from it (navigate gives no refs; snapshot, or snapshot {"search":"…"}, does).',
      );
    case 'unknown':
      return new LegibleError(`Ref ${quoted} is not one of this page's refs: it was never given out here (it may come from before the page loaded again, or from another tab).`, next);
    case 'gone':
      return new LegibleError(`Ref ${quoted} belonged to an element the page has removed since that snapshot.`, next);
    case 'no-frame':
      return new LegibleError(`Ref ${quoted} belongs to a frame that is not on the page now (it was removed, or the page loaded again).`, next);
    default:
      return new LegibleError(
        `Ref ${quoted} does not match any element on the page now: the element was removed, or the page changed or reloaded since that snapshot.`,
        next,
      );
  }
}
