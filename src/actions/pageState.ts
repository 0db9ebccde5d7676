import type { DialogInfo, PageDriver } from '../cdp/pageDriver.js';
import { ConsoleLog } from '../capture/consoleLog.js';
import { NetworkLog } from '../capture/networkLog.js';
import type { Recorder } from '../recording/recorder.js';
import { RefCounter, takeOutline, type Outline, type OutlineLine } from '../snapshot/outline.js';
import { Mutex } from '../util/mutex.js';
import { redactText } from '../util/redact.js';
import { guard } from './guard.js';
import type { ActionObserver } from './observer.js';

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
  /** Watches the server side during actions (the Server section of the report). */
  observer: ActionObserver | undefined;

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
    const outline = await guard(this.page, takeOutline(this.page, this.refs, rootRef), this.callTimeout, 'Reading the page outline');
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
