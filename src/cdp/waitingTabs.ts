import type { Browser, CDPSession, Target } from 'puppeteer-core';
import { logWarn } from '../util/log.js';
import { withTimeout } from '../util/time.js';
import type { PageDriver } from './pageDriver.js';
import { PopupUrls } from './popupUrls.js';

/**
 * A tab the browser holds that Legible does not track yet: one still waiting for its first page
 * (its server took the connection and has not answered). Puppeteer hands a tab over only once its
 * URL is known, so such a popup would be in no list at all; it gets its page id when first
 * listed, and keeps it once tracked.
 */
export interface WaitingTab {
  id: string;
  /** The URL it is loading, when known (the URL its opener asked for when the browser created it). */
  url?: string;
  /** No document at all yet (the browser has not committed its first page). */
  noDocument: boolean;
  /** The page that opened it, if Legible tracks that page. */
  openedBy?: string;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
  openerId?: string;
  browserContextId?: string;
}

/** Browser pages that are not tabs a tool could act on. */
const BROWSER_UI = /^(chrome|chrome-untrusted|devtools):/;

/** DevTools' id of a target (puppeteer keeps it without a public getter). */
export function targetIdOf(target: Target): string | undefined {
  const id = (target as unknown as { _targetId?: unknown })._targetId;
  return typeof id === 'string' ? id : undefined;
}

/** The page ids of the tabs waiting for their first page, and the browser-wide DevTools session that finds and closes them. */
export class WaitingTabs {
  /** Page ids given to waiting tabs, by DevTools target id. */
  private readonly reserved = new Map<string, string>();
  /** Tabs closed here that the browser may still list for a moment (closing is not instant). */
  private readonly closed = new Set<string>();
  /** What each popup was opened for: the browser's list has no URL for a tab without its first page. */
  private readonly urls = new PopupUrls();
  private cdp: Promise<CDPSession> | undefined;

  constructor(private readonly nextId: () => string) {}

  /**
   * Tells `onCreated` of every tab the browser creates (in `contextId` only, when given), on the
   * browser-wide session: even of one puppeteer never hands over (a popup whose server never
   * answers), as it still takes the front from the tab Legible works in, which then renders no
   * frames and takes no input. Each popup is paired here with its opener's request, the moment
   * it is created, and forgotten when it closes.
   */
  async watch(browser: Browser, contextId: string | undefined, onCreated: () => void): Promise<void> {
    const cdp = await this.session(browser);
    if (!cdp) return;
    cdp.on('Target.targetCreated', ({ targetInfo }: { targetInfo: TargetInfo }) => {
      if (targetInfo.type !== 'page' || (contextId && targetInfo.browserContextId !== contextId)) return;
      if (targetInfo.openerId) this.urls.created(targetInfo.targetId, targetInfo.openerId);
      onCreated();
    });
    cdp.on('Target.targetDestroyed', ({ targetId }: { targetId: string }) => this.urls.destroyed(targetId));
    await withTimeout(cdp.send('Target.setDiscoverTargets', { discover: true, filter: [{ type: 'page' }] }), 5_000, 'Watching the tabs').catch((error: unknown) =>
      logWarn(`could not watch the browser's new tabs: ${String(error)}`),
    );
  }

  /** The page `opener` (a DevTools target id) asked for a new tab at `url` (Page.windowOpen, just before the browser creates it). */
  requested(opener: string, url: string): void {
    this.urls.requested(opener, url);
  }

  /** The id a tab was listed with while it waited, for it to keep now that it is tracked. */
  takeId(target: Target): string | undefined {
    const targetId = targetIdOf(target);
    const id = targetId ? this.reserved.get(targetId) : undefined;
    if (targetId) this.reserved.delete(targetId);
    return id;
  }

  /** Whether `id` was given to a tab that waited for its first page when last listed. */
  has(id: string): boolean {
    return [...this.reserved.values()].includes(id);
  }

  /** The browser's tabs (in `contextId` only, when given) that are none of `tracked`. */
  async list(browser: Browser, tracked: PageDriver[], contextId?: string): Promise<WaitingTab[]> {
    const infos = await this.targetInfos(browser);
    if (!infos) return [];
    const byTarget = new Map<string, PageDriver>();
    for (const driver of tracked) {
      const targetId = driver.targetId();
      if (targetId) byTarget.set(targetId, driver);
    }
    // Without target ids, Legible cannot tell its own tabs from waiting ones: none are listed.
    if (tracked.length && !byTarget.size) return [];
    for (const targetId of [...this.closed]) if (!infos.some((info) => info.targetId === targetId)) this.closed.delete(targetId);
    const waiting = infos.filter(
      (info) => info.type === 'page' && !byTarget.has(info.targetId) && !this.closed.has(info.targetId) && (!contextId || info.browserContextId === contextId) && !BROWSER_UI.test(info.url),
    );
    for (const targetId of [...this.reserved.keys()]) if (!waiting.some((info) => info.targetId === targetId)) this.reserved.delete(targetId);
    return waiting.map((info) => {
      let id = this.reserved.get(info.targetId);
      if (!id) {
        id = this.nextId();
        this.reserved.set(info.targetId, id);
      }
      const opener = info.openerId ? byTarget.get(info.openerId) : undefined;
      const url = info.url || this.urls.urlOf(info.targetId);
      return { id, noDocument: !info.url, ...(url ? { url } : {}), ...(opener ? { openedBy: opener.id } : {}) };
    });
  }

  /** Closes the waiting tab listed as `id`; false when no waiting tab has that id. */
  async close(browser: Browser, id: string): Promise<boolean> {
    const targetId = [...this.reserved].find(([, reserved]) => reserved === id)?.[0];
    const cdp = targetId ? await this.session(browser) : undefined;
    if (!targetId || !cdp) return false;
    const { success } = await withTimeout(cdp.send('Target.closeTarget', { targetId }), 5_000, 'Closing the tab');
    this.reserved.delete(targetId);
    if (success) this.closed.add(targetId);
    return success;
  }

  /**
   * Closes the tabs that `roots` (DevTools target ids) opened, and the tabs those opened, that
   * are none of `tracked`: popups still waiting for their first page, or so new that puppeteer
   * has not handed them over. Bounded; what fails to close is left (the browser is the user's).
   */
  async closeOpenedBy(browser: Browser, roots: Set<string>, tracked: Set<string>): Promise<number> {
    const infos = await this.targetInfos(browser);
    const cdp = infos ? await this.session(browser) : undefined;
    if (!infos || !cdp) return 0;
    const family = new Set(roots);
    for (let grew = true; grew; ) {
      grew = false;
      for (const info of infos) {
        if (info.type !== 'page' || family.has(info.targetId) || !info.openerId || !family.has(info.openerId)) continue;
        family.add(info.targetId);
        grew = true;
      }
    }
    const untracked = [...family].filter((targetId) => !roots.has(targetId) && !tracked.has(targetId));
    const closed = await Promise.all(
      untracked.map((targetId) =>
        withTimeout(cdp.send('Target.closeTarget', { targetId }), 2_000, 'Closing a tab of Legible\'s')
          .then(({ success }) => success)
          .catch(() => false),
      ),
    );
    return closed.filter(Boolean).length;
  }

  /** The browser went away, or Legible lets go of it: ids and session are forgotten. */
  async forget(): Promise<void> {
    const cdp = this.cdp;
    this.cdp = undefined;
    this.reserved.clear();
    this.closed.clear();
    this.urls.clear();
    await cdp?.then((session) => session.detach()).catch(() => undefined);
  }

  private session(browser: Browser): Promise<CDPSession | undefined> {
    this.cdp ??= browser.target().createCDPSession();
    const made = this.cdp;
    return made.catch((error: unknown) => {
      if (this.cdp === made) this.cdp = undefined;
      logWarn(`could not reach the browser's target list: ${String(error)}`);
      return undefined;
    });
  }

  private async targetInfos(browser: Browser): Promise<TargetInfo[] | undefined> {
    const cdp = await this.session(browser);
    if (!cdp) return undefined;
    return withTimeout(cdp.send('Target.getTargets'), 2_000, 'Listing the tabs')
      .then(({ targetInfos }) => targetInfos as TargetInfo[])
      .catch((error: unknown) => {
        logWarn(`could not list the browser's tabs: ${String(error)}`);
        return undefined;
      });
  }
}
