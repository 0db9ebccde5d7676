import type { Browser, BrowserContext, Page, Target } from 'puppeteer-core';
import type { Config } from '../config/config.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { quoteValue } from '../util/text.js';
import { logWarn } from '../util/log.js';
import { withTimeout } from '../util/time.js';
import { connectBrowser, removeScratch } from './connect.js';
import { PageDriver } from './pageDriver.js';
import type { SharedBrowser } from './sharedBrowser.js';
import { WaitingTabs, type WaitingTab } from './waitingTabs.js';

export type { WaitingTab } from './waitingTabs.js';

export interface SessionHooks {
  /** Called once for every page Legible starts tracking, before any tool sees it. */
  pageOpened(page: PageDriver): Promise<void>;
  /** Called when a tracked page closes or its browser goes away. */
  pageClosed(page: PageDriver): void;
}

/**
 * The browser and its tabs. Connects lazily on first use, relaunches (and says so) when the
 * browser died, numbers the tabs p1, p2, … and remembers which one is selected.
 */
export class BrowserSession {
  private browser: Browser | undefined;
  /** Where tabs open: the browser itself, or (over a shared browser) this session's own context. */
  private scope: Browser | BrowserContext | undefined;
  private owned = false;
  /** Stops listening to a shared browser this session no longer uses. */
  private forget: (() => void) | undefined;
  /** The scratch folder of the browser Legible launched (see Connection.scratchDir). */
  private scratchDir: string | undefined;
  private connecting: Promise<Browser> | undefined;
  private readonly pagesById = new Map<string, PageDriver>();
  private readonly byPage = new WeakMap<Page, PageDriver>();
  private readonly adopting = new Map<Page, Promise<PageDriver>>();
  /** Tabs the browser created that are not tracked yet (their puppeteer Page is still being made). */
  private readonly arriving = new Set<Promise<unknown>>();
  private readonly byTarget = new WeakMap<Target, PageDriver>();
  private selectedId: string | undefined;
  /** The tab last brought to the front, while that is still known to be true. */
  private frontId: string | undefined;
  private nextPage = 1;
  private lost = false;
  private readonly notices: string[] = [];
  /** Tabs Legible opened in a browser it attached to: closed when it lets go of that browser (the others are the user's). */
  private readonly ownTabs = new Set<PageDriver>();
  /** Tabs still waiting for their first page, which puppeteer does not hand over yet (waitingTabs.ts). */
  private readonly waiting = new WaitingTabs(() => `p${this.nextPage++}`);

  /**
   * With `shared`, the session opens its tabs in an isolated browser context (own cookies,
   * storage and tabs) of that browser, and closing the session closes only the context.
   */
  constructor(
    private readonly config: Config,
    private readonly hooks: SessionHooks,
    private readonly shared?: SharedBrowser,
  ) {}

  /** Messages the next tool result should carry (for example: the browser was relaunched). */
  takeNotices(): string[] {
    return this.notices.splice(0);
  }

  addNotice(text: string): void {
    this.notices.push(text);
  }

  isConnected(): boolean {
    return this.browser?.connected ?? false;
  }

  private async ensureBrowser(): Promise<Browser> {
    if (this.browser?.connected) return this.browser;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Browser> {
    // A browser that died left its scratch folder behind: remove it before launching anew.
    await removeScratch(this.scratchDir);
    this.scratchDir = undefined;
    const connection = this.shared ? await this.shared.connect() : await connectBrowser(this.config);
    const browser = connection.browser;
    const scope = this.shared ? await browser.createBrowserContext() : browser;
    this.browser = browser;
    this.scope = scope;
    this.owned = connection.owned && !this.shared;
    // Over a shared browser, the scratch folder is the SharedBrowser's to remove.
    this.scratchDir = this.shared ? undefined : connection.scratchDir;
    if (this.lost) {
      this.notices.push(
        `The browser had closed or crashed; Legible ${connection.owned ? 'launched a new one' : 'attached again'}. Pages, refs and logs from before are gone.`,
      );
      this.lost = false;
    }
    const gone = () => this.onDisconnected(browser);
    browser.on('disconnected', gone);
    this.forget = () => browser.off('disconnected', gone);
    scope.on('targetcreated', (target: Target) => {
      if (target.type() === 'page') this.arrived(target);
    });
    // Puppeteer announces a tab only once its URL is known: a popup whose server never answers
    // is never announced, yet it took the front, and the selected tab must be brought back.
    const contextId = this.shared ? (scope as BrowserContext).id : undefined;
    await this.waiting.watch(browser, contextId, () => {
      this.frontId = undefined;
    });
    for (const page of await scope.pages()) await this.adopt(page);
    // An own context has no one else's tabs to keep clear of.
    if (!connection.owned && !this.shared) await this.chooseTab(browser, connection.description);
    return browser;
  }

  /**
   * Attached to someone's browser: its open tabs are theirs. Legible opens a tab of its own and
   * selects it, unless told to work in the open one (--reuse-tab); either way it says which.
   */
  private async chooseTab(browser: Browser, description: string): Promise<void> {
    const open = [...this.pagesById.values()].filter((page) => !page.isClosed());
    const listed = open.map((page) => `${page.id} ${page.url()}`).join(', ');
    if (this.config.reuseTab && open.length) {
      this.selectedId = open[0]!.id;
      this.notices.push(`Legible ${description} and works in its open tab ${open[0]!.id} (${open[0]!.url()}), as --reuse-tab asks.`);
      return;
    }
    const own = await this.opened(browser.newPage());
    this.selectedId = own.id;
    this.frontId = undefined;
    this.notices.push(
      `Legible ${description} and opened a tab of its own, ${own.id}, for its work${open.length ? `; the tabs that were open (${listed}) are left as they were (pages lists them; start with --reuse-tab to work in the open tab instead)` : ''}.`,
    );
  }

  /** A tab Legible itself opens: tracked, and remembered as its own. */
  private async opened(page: Promise<Page>): Promise<PageDriver> {
    const driver = await this.adopt(await page);
    this.ownTabs.add(driver);
    return driver;
  }

  /**
   * Closes the tabs Legible opened in a browser it attached to, and the tabs those opened
   * (popups of the app it drove), each bounded; the user's own tabs stay as they were.
   */
  private async closeOwnTabs(browser: Browser): Promise<void> {
    // A popup that just opened is being tracked: its opener is known once it is.
    await withTimeout(this.caughtUp(), 2_000, 'Tracking the new tabs').catch(() => undefined);
    const ours = new Set(this.ownTabs);
    for (let grew = true; grew; ) {
      grew = false;
      for (const page of this.pagesById.values()) {
        if (ours.has(page) || ![...ours].some((own) => page.openedBy(own))) continue;
        ours.add(page);
        grew = true;
      }
    }
    // Popups of those that puppeteer has not handed over yet (still waiting for their first
    // page, or just opened): found by the browser's own opener links, so before their openers
    // close — the browser's target list drops a tab's opener once that has gone.
    const targetIds = (pages: Iterable<PageDriver>) => new Set([...pages].flatMap((page) => page.targetId() ?? []));
    await this.waiting.closeOpenedBy(browser, targetIds(ours), targetIds(this.pagesById.values())).catch(() => 0);
    await Promise.all([...ours].map((page) => withTimeout(page.close(), 2_000, 'Closing a tab of Legible\'s').catch(() => undefined)));
  }

  private onDisconnected(browser: Browser): void {
    if (this.browser !== browser) return;
    this.browser = undefined;
    void this.waiting.forget();
    this.lost = true;
    // The browser died: what it left in its scratch folder goes now (and again at relaunch, in
    // case a dying child process wrote there meanwhile).
    void removeScratch(this.scratchDir);
    for (const page of this.pagesById.values()) this.hooks.pageClosed(page);
    this.pagesById.clear();
    this.ownTabs.clear();
    this.selectedId = undefined;
    this.frontId = undefined;
  }

  /**
   * A tab the browser just created. Until it is tracked, tool calls wait for it (bounded); a tab
   * opened by a tracked page (window.open, a target=_blank link) is announced to that page at once,
   * and once tracked, the selected tab is brought back to the front: the new tab took it, and a
   * tab in the background renders no frames.
   */
  private arrived(target: Target): void {
    this.frontId = undefined;
    const opener = target.opener();
    const openerDriver = opener ? this.byTarget.get(opener) : undefined;
    // The browser holds the new tab until puppeteer lets it go, right after this event: commands
    // sent now on puppeteer's session to it apply before its first document loads.
    const paused = (target as unknown as { _session?: () => { send(method: string, params?: object): Promise<unknown> } | undefined })._session?.();
    if (openerDriver && paused) openerDriver.emulation.primeSession(paused);
    const tracked = withTimeout(
      target.page().then((page) => (page ? this.adopt(page) : undefined)),
      15_000,
      'Tracking a new tab',
    ).catch((error: unknown) => {
      logWarn(`could not track a new tab: ${String(error)}`);
      return undefined;
    });
    const settled = tracked.then(async (driver) => {
      const selected = this.selectedId ? this.pagesById.get(this.selectedId) : undefined;
      if (driver && opener && selected && selected !== driver) {
        this.frontId = undefined;
        await this.toFront(selected);
      }
      return driver;
    });
    this.arriving.add(settled);
    void settled.finally(() => this.arriving.delete(settled));
    openerDriver?.notePopup(settled, target.url());
  }

  /** Waits for the tabs being tracked right now. */
  private async caughtUp(): Promise<void> {
    await Promise.all([...this.adopting.values(), ...this.arriving]);
  }

  /** Starts tracking a puppeteer page (idempotent). */
  private adopt(page: Page): Promise<PageDriver> {
    const known = this.byPage.get(page);
    if (known) return Promise.resolve(known);
    let pending = this.adopting.get(page);
    if (!pending) {
      pending = this.track(page).finally(() => this.adopting.delete(page));
      this.adopting.set(page, pending);
    }
    return pending;
  }

  private async track(page: Page): Promise<PageDriver> {
    // A tab listed while it waited for its first page keeps the id it was listed with.
    const driver = await PageDriver.create(this.waiting.takeId(page.target()) ?? `p${this.nextPage++}`, page);
    this.frontId = undefined; // a new tab may have taken the front
    // A tab a tracked page opened emulates what its opener does and keeps its mocks.
    const opener = page.target().opener();
    const openerDriver = opener ? this.byTarget.get(opener) : undefined;
    if (openerDriver) await driver.inheritFrom(openerDriver);
    await this.hooks.pageOpened(driver);
    this.byPage.set(page, driver);
    this.byTarget.set(page.target(), driver);
    this.pagesById.set(driver.id, driver);
    this.selectedId ??= driver.id;
    // The page asked for a tab: the browser creates it next, in front, and it is paired with the
    // URL asked for (the browser's target list says none until its first page comes).
    driver.onPopup((_popup, url) => {
      this.frontId = undefined;
      const targetId = driver.targetId();
      if (targetId) this.waiting.requested(targetId, url);
    });
    driver.onClose(() => {
      this.pagesById.delete(driver.id);
      this.ownTabs.delete(driver);
      this.hooks.pageClosed(driver);
      if (this.selectedId === driver.id) this.selectedId = this.pagesById.keys().next().value;
    });
    return driver;
  }

  async pages(): Promise<PageDriver[]> {
    await this.ensureBrowser();
    await this.caughtUp();
    return [...this.pagesById.values()];
  }

  /**
   * The tabs the browser holds that Legible does not track yet, each given a page id: those still
   * waiting for their first page (a popup whose server never answers).
   */
  async waitingTabs(): Promise<WaitingTab[]> {
    await this.pages();
    if (!this.browser) return [];
    const contextId = this.shared ? (this.scope as BrowserContext | undefined)?.id : undefined;
    return this.waiting.list(this.browser, [...this.pagesById.values()], contextId);
  }

  /** Closes a tab still waiting for its first page (by the id waitingTabs gave it); false when there is none by that id. */
  async closeWaiting(id: string): Promise<boolean> {
    if (!this.browser || this.pagesById.has(id)) return false;
    return this.waiting.close(this.browser, id);
  }

  /** The page a tool should act on: the one named, or the selected one (opening one if none). */
  async page(id?: string): Promise<PageDriver> {
    await this.ensureBrowser();
    await this.caughtUp();
    if (id) {
      const page = this.pagesById.get(id);
      if (!page && this.waiting.has(id)) {
        throw new LegibleError(
          `Page ${quoteValue(id)} has no document yet: it is still waiting for its first page (its server has not answered).`,
          `Tools can use it once that page arrives; close it with the pages tool (action close) if it never does.`,
        );
      }
      if (!page) {
        throw new UsageError(
          `There is no page ${quoteValue(id)}. Open pages: ${[...this.pagesById.keys()].join(', ') || 'none'}.`,
          'List pages with the pages tool, or leave out "page" to use the selected one.',
        );
      }
      return page;
    }
    const selected = this.selectedId ? this.pagesById.get(this.selectedId) : undefined;
    if (selected) return selected;
    return this.opened(this.scope!.newPage()).then((page) => this.select(page.id));
  }

  async newPage(): Promise<PageDriver> {
    await this.ensureBrowser();
    const page = await this.opened(this.scope!.newPage());
    return this.select(page.id);
  }

  /** Selects the tab and always brings it to the front: a window Legible cannot see (another app's, the user's) may have taken it. */
  async select(id: string): Promise<PageDriver> {
    const page = await this.page(id);
    this.selectedId = id;
    this.frontId = undefined;
    await this.toFront(page);
    return page;
  }

  /**
   * Makes `page` the front tab: a background tab renders no frames, so a click or a screenshot
   * there would wait forever. Skipped when it is already in front (a CDP round trip saved per
   * call); every new tab the browser creates takes the front and voids that.
   */
  async toFront(page: PageDriver): Promise<void> {
    if (this.frontId === page.id) return;
    const shown = await withTimeout(page.bringToFront(), 2_000, 'Showing the tab').then(
      () => true,
      () => false,
    );
    // Not shown: the next call tries again.
    this.frontId = shown ? page.id : undefined;
  }

  /** Whether the tab is in front is not known any more (an action found it not rendering): the next call brings it there. */
  frontUnknown(): void {
    this.frontId = undefined;
  }

  selectedPageId(): string | undefined {
    return this.selectedId;
  }

  /** Closes the browser if Legible launched it; from one it attached to, closes its own tabs and disconnects. */
  async close(): Promise<void> {
    const browser = this.browser;
    const scope = this.scope;
    this.browser = undefined;
    this.scope = undefined;
    // From a browser Legible attached to, its tabs close first: the waiting ones by the browser's
    // target list, which forget() lets go of.
    if (browser && !this.shared && !this.owned && browser.connected) await this.closeOwnTabs(browser);
    await this.waiting.forget();
    if (browser && this.shared) {
      this.forget?.();
      // Only this session's context: its tabs, cookies and storage go; the browser stays.
      if (scope && scope !== browser && browser.connected) await (scope as BrowserContext).close().catch(() => undefined);
      for (const page of this.pagesById.values()) this.hooks.pageClosed(page);
      this.pagesById.clear();
      return;
    }
    if (browser && this.owned) await browser.close().catch(() => undefined);
    else if (browser) {
      await browser.disconnect().catch(() => undefined);
    }
    this.ownTabs.clear();
    await removeScratch(this.scratchDir);
    this.scratchDir = undefined;
  }

  /** Kills the browser process, for tests of crash recovery. */
  browserProcessId(): number | undefined {
    return this.browser?.process()?.pid;
  }
}
