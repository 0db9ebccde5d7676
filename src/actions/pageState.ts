import type { DialogInfo, PageDriver } from '../cdp/pageDriver.js';
import { ConsoleLog } from '../capture/consoleLog.js';
import { NetworkLog } from '../capture/networkLog.js';
import type { Recorder } from '../recording/recorder.js';
import { RefCounter, takeOutline, type Outline, type OutlineLine } from '../snapshot/outline.js';
import { Mutex } from '../util/mutex.js';
import { abortable, withTimeout } from '../util/time.js';
import { LegibleError } from '../util/errors.js';
import { redactText } from '../util/redact.js';
import { installActivityTracker, readMarks, type PageMarks } from './settle.js';
import { guard, HungRenderer, SlowWork, StuckScript } from './guard.js';

/** A page with this many elements can take Legible's walker longer than a call may last. */
const LARGE_PAGE_ELEMENTS = 20_000;
/** How long the error for a slow outline waits at most for the element count (sent before the walk, so it is usually in). */
const COUNT_WAIT_MS = 1_000;
import type { ActionObserver } from './observer.js';
import type { ActionWatch } from '../telemetry/activity.js';

export interface PageOptions {
  /** Upper bound for one call into the page, in ms. */
  callTimeout: number;
  /** Timers an action starts with at most this delay are waited for (ms; 0: none). */
  timerWaitMs: number;
}

/** What the agent last saw of the page: the outline (when one was shown), its document, and the page's mutation marks then. */
export interface LastSeen {
  outline: Outline | undefined;
  /** The document is still the one it was then. */
  current: boolean;
  marks: PageMarks | undefined;
}

/**
 * Everything Legible remembers about one tab: its logs, its ref counter, the last outline it
 * showed (the "before" of the next action's diff), and a mutex that serialises tool calls on it.
 */
export class PageState {
  readonly mutex = new Mutex();
  readonly refs = new RefCounter();
  /** Bumped when the main frame commits a new document. */
  documentVersion = 0;
  private last: { outline: Outline | undefined; version: number; marks: PageMarks | undefined } | undefined;
  private actionCount = 0;
  readonly dialogs: DialogInfo[] = [];
  /** Recent actions (wall-clock ms and a short label), for recordings' timelines and captions. */
  readonly actions: { at: number; label: string }[] = [];
  /** The recording running on this page, if any. */
  recorder: Recorder | undefined;
  /** Watches the server side during actions (the Server section of the report). */
  observer: ActionObserver | undefined;
  /** The action under way's watch: its trace id, and the traceparent of its requests to the apps. */
  watch: ActionWatch | undefined;
  /** Upper bound for one call into the page, in ms. */
  readonly callTimeout: number;
  readonly timerWaitMs: number;
  /** The signal of the call that holds the mutex: long waits on this tab stop when it aborts (the call was cancelled). */
  signal: AbortSignal | undefined;

  private constructor(
    readonly page: PageDriver,
    readonly console: ConsoleLog,
    readonly network: NetworkLog,
    options: PageOptions,
  ) {
    this.callTimeout = options.callTimeout;
    this.timerWaitMs = options.timerWaitMs;
    page.onCdp('Page.frameNavigated', (event: { frame: { parentId?: string } }) => {
      if (!event.frame.parentId) this.documentVersion++;
    });
    page.onDialog((dialog) => {
      this.dialogs.push(dialog);
      if (this.dialogs.length > 50) this.dialogs.shift();
    });
  }

  static async attach(page: PageDriver, options: PageOptions): Promise<PageState> {
    const [console, network] = await Promise.all([ConsoleLog.attach(page), NetworkLog.attach(page)]);
    const state = new PageState(page, console, network, options);
    await page.send('Page.enable');
    await installActivityTracker(page, options.timerWaitMs);
    return state;
  }

  /** A new number for the next action (what its timers and frames are counted under in the page). */
  nextAction(): number {
    return ++this.actionCount;
  }

  /** Labels become captions, filmstrip tiles and sidecars: secrets in them (a ?token= URL) are redacted here. */
  logAction(label: string): void {
    this.actions.push({ at: Date.now(), label: redactText(label) });
    if (this.actions.length > 500) this.actions.shift();
  }

  /**
   * Walks the page now and remembers the result as the latest outline. `marks` are the page's
   * mutation marks from just before (read here when not given), so the next action can tell
   * whether the page changed after this outline.
   */
  async outline(rootRef?: string, marks?: PageMarks): Promise<Outline> {
    const version = this.documentVersion;
    // Asked first: DevTools runs the two in each frame in the order they were sent, so the marks
    // are from just before the walk (a change in between shows as a change, never as none).
    const reading = !rootRef && !marks ? readMarks(this.page, this.timerWaitMs) : Promise.resolve(marks);
    // Asked alongside the walk (no extra wait: the renderer answers it first), for the error when
    // the walk runs out of time; bounded where that error waits for it, not here, so a busy machine
    // that answers it late still gets the right error.
    const elements = this.page.mainFrame().evaluate(() => document.getElementsByTagName('*').length).catch(() => undefined);
    const outline = await guard(this.page, abortable(takeOutline(this.page, this.refs, rootRef), this.signal), this.callTimeout, 'Reading the page outline').catch((error: unknown) =>
      explainSlowOutline(error, elements),
    );
    if (!rootRef) this.last = { outline, version, marks: await reading };
    return outline;
  }

  /** Remembers that the agent saw this document in a report without an outline (a navigation). */
  sawWithoutOutline(marks: PageMarks | undefined): void {
    this.last = { outline: undefined, version: this.documentVersion, marks };
  }

  /** What the last report or snapshot showed of this page, if anything. */
  lastSeen(): LastSeen | undefined {
    return this.last && { outline: this.last.outline, current: this.last.version === this.documentVersion, marks: this.last.marks };
  }

  /** The last full outline, if it still belongs to the current document. */
  lastOutline(): Outline | undefined {
    return this.last && this.last.version === this.documentVersion ? this.last.outline : undefined;
  }

  /** The line of a ref in the last full outline (how the agent saw that element), if it is there. */
  lineOf(ref: string): OutlineLine | undefined {
    return this.lastOutline()?.lines.find((line) => line.ref === ref);
  }
}

/**
 * An outline that ran out of time on a very large page: it is Legible's own walker that was slow
 * (it finished late, or it was stopped, and its layout work can keep the renderer busy for a while
 * after that), not the page's JavaScript, and not a hung renderer, so say that.
 */
async function explainSlowOutline(error: unknown, elements: Promise<number | undefined>): Promise<never> {
  if (!(error instanceof SlowWork) && !(error instanceof StuckScript) && !(error instanceof HungRenderer)) throw error;
  const count = await withTimeout(elements, COUNT_WAIT_MS, 'Counting the elements').catch(() => undefined);
  if (count === undefined || count < LARGE_PAGE_ELEMENTS) throw error;
  throw new LegibleError(
    `Reading the page outline did not finish within ${error.ms} ms: the page has ${count.toLocaleString('en-US')} elements, more than Legible's outline walker gets through in that time (the page's own JavaScript was not the problem).`,
    'Read a part of it: snapshot {"ref":"…"} walks only that element\'s subtree. Or start the server with a longer --page-timeout.',
    { cause: error },
  );
}
