import { quote } from '../util/text.js';
import { poll } from './poll.js';
import type { AssertedEvent } from './schema.js';
import { frameIn, type StepScope } from './targets.js';

export interface EventCheck {
  /** Why an asserted navigation did not happen, when it did not. */
  failure?: string;
  /** Asserted events of kinds Legible does not check. */
  unchecked: string[];
}

/** Where the step's frame (or tab) is now: its URL and title. */
async function whereNow(scope: StepScope, path: number[] | undefined): Promise<{ url: string; title: string } | undefined> {
  if (!path?.length && !scope.root) return { url: scope.state.page.url(), title: await scope.state.page.title().catch(() => '') };
  const frame = frameIn(scope, path);
  if (!frame) return undefined;
  return { url: frame.url(), title: await frame.evaluate(() => document.title).catch(() => '') };
}

/**
 * Checks a step's assertedEvents once it has acted. Recorder writes a navigation (the URL and
 * title the page reached) on every step that loaded a page: both must be reached within the
 * step's timeout. Other kinds of events are reported as not checked.
 */
export async function checkAssertedEvents(scope: StepScope, events: AssertedEvent[] | undefined, path: number[] | undefined, timeout: number): Promise<EventCheck> {
  const unchecked: string[] = [];
  const navigations = (events ?? []).filter((event) => {
    if (event.type === 'navigation') return true;
    unchecked.push(`assertedEvents type ${quote(event.type)}`);
    return false;
  });
  for (const event of navigations) {
    const reached = (now: { url: string; title: string } | undefined) =>
      !!now && (event.url === undefined || now.url === event.url) && (event.title === undefined || now.title === event.title);
    const now = await poll(() => whereNow(scope, path), reached, timeout);
    if (reached(now)) continue;
    const wanted = [event.url !== undefined ? event.url : '', event.title !== undefined ? `title ${quote(event.title)}` : ''].filter(Boolean).join(' with ');
    const actual = now ? `${now.url} with title ${quote(now.title)}` : 'a frame that is gone';
    return { failure: `the navigation reached ${actual} after ${timeout} ms, wanted ${wanted}`, unchecked };
  }
  return { unchecked };
}
