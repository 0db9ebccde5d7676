import type { ElementRef } from '../cdp/elementRef.js';
import type { PageDriver } from '../cdp/pageDriver.js';
import { UsageError } from '../util/errors.js';
import { quoteValue } from '../util/text.js';
import { staleRef } from './outline.js';
import { lookupRef, refProblem } from './walker.js';

const REF = /^(f\d+)?e\d+$/;

export function frameKeyOfRef(ref: string): string {
  const match = REF.exec(ref);
  if (!match) {
    throw new UsageError(
      `${quoteValue(ref)} is not an element ref.`,
      'Refs look like e12 or f1e7 and come from the [ref=…] marks in a snapshot.',
    );
  }
  return match[1] ?? '';
}

/** Resolves a snapshot ref to the live element, or throws a stale-ref error. */
export async function resolveRef(page: PageDriver, ref: string): Promise<ElementRef> {
  const frame = page.frame(frameKeyOfRef(ref));
  if (!frame) throw staleRef(ref, 'no-frame');
  const element = await frame.evaluateElement(lookupRef, ref).catch(() => null);
  if (!element) throw staleRef(ref, await frame.evaluate(refProblem, ref).catch(() => undefined));
  return element;
}
