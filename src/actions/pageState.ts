import type { DialogInfo, PageDriver } from '../cdp/pageDriver.js';
import { ConsoleLog } from '../capture/consoleLog.js';
import { NetworkLog } from '../capture/networkLog.js';
import type { Recorder } from '../recording/recorder.js';
import { RefCounter, takeOutline, type Outline, type OutlineLine } from '../snapshot/outline.js';
import { Mutex } from '../util/mutex.js';
import { abortable, withTimeout } from '../util/time.js';
import { LegibleError } from '../util/errors.js';
import { redactText } from '../util/redact.js';
import { guard, HungRenderer, StuckScript } from './guard.js';

/** A page with this many elements can take Legible's walker longer than a call may last. */
const LARGE_PAGE_ELEMENTS = 20_000;

/**
 * Everything Legible remembers about one tab: its logs, its ref counter, the last outline it
 * showed (the "before" of the next action's diff), and a mutex that serialises tool calls on it.
 */
export class PageState {
  readonly mutex = new Mutex();
  readonly refs = new RefCounter();
  /** Bumped when the main frame commits a new document. */
  documentVersion = 0;
  private last: { outline: Outline; version: number } | undefined;
  readonly dialogs: DialogInfo[] = [];
  /** Recent actions (wall-clock ms and a short label), for recordings' timelines and captions. */
  readonly actions: { at: number; label: string }[] = [];
  /** The recording running on this page, if any. */
  recorder: Recorder | undefined;
  /** The signal of the call that holds the mutex: long waits on this tab stop when it aborts (the call was cancelled). */
  signal: AbortSignal | undefined;

  private constructor(
    readonly page: PageDriver,
    readonly console: ConsoleLog,
    readonly network: NetworkLog,
    /** Upper bound for one call into the page, in ms. */
    readonly callTimeout: number,
  ) {
    page.onCdp('Page.frameNavigated', (event: { frame: { parentId?: string } }) => {
      if (!event.frame.parentId) this.documentVersion++;
    });
    page.onDialog((dialog) => {
      this.dialogs.push(dialog);
      if (this.dialogs.length > 50) this.dialogs.shift();
    });
  }

  static async attach(page: PageDriver, callTimeout: number): Promise<PageState> {
    const [console, network] = await Promise.all([ConsoleLog.attach(page), NetworkLog.attach(page)]);
    const state = new PageState(page, console, network, callTimeout);
    await page.send('Page.enable');
    return state;
  }

  /** Labels become captions, filmstrip tiles and sidecars: secrets in them (a ?token= URL) are redacted here. */
  logAction(label: string): void {
    this.actions.push({ at: Date.now(), label: redactText(label) });
    if (this.actions.length > 500) this.actions.shift();
  }

  /** Walks the page now and remembers the result as the latest outline. */
  async outline(rootRef?: string): Promise<Outline> {
    const version = this.documentVersion;
    // Asked alongside the walk (no extra wait: the renderer answers it first), for the error when the walk runs out of time.
    const elements = withTimeout(this.page.mainFrame().evaluate(() => document.getElementsByTagName('*').length), this.callTimeout, 'Counting the elements').catch(() => undefined);
    const outline = await guard(this.page, abortable(takeOutline(this.page, this.refs, rootRef), this.signal), this.callTimeout, 'Reading the page outline').catch((error: unknown) =>
      explainSlowOutline(error, elements),
    );
    if (!rootRef) this.last = { outline, version };
    return outline;
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
 * (its layout work can keep the renderer busy for a while after it was stopped), not the page's
 * JavaScript, and not a hung renderer, so say that.
 */
async function explainSlowOutline(error: unknown, elements: Promise<number | undefined>): Promise<never> {
  if (!(error instanceof StuckScript) && !(error instanceof HungRenderer)) throw error;
  const count = await withTimeout(elements, 500, 'Counting the elements').catch(() => undefined);
  if (count === undefined || count < LARGE_PAGE_ELEMENTS) throw error;
  throw new LegibleError(
    `Reading the page outline did not finish within ${error.ms} ms: the page has ${count.toLocaleString('en-US')} elements, more than Legible's outline walker gets through in that time (the page's own JavaScript was not the problem).`,
    'Read a part of it: snapshot {"ref":"…"} walks only that element\'s subtree. Or start the server with a longer --page-timeout.',
    { cause: error },
  );
}
