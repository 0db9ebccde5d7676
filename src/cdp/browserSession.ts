import type { Browser, Page, Target } from 'puppeteer-core';
import type { Config } from '../config/config.js';
import { LegibleError } from '../util/errors.js';
import { quoteValue } from '../util/text.js';
import { logWarn } from '../util/log.js';
import { withTimeout } from '../util/time.js';
import { connectBrowser, removeScratch } from './connect.js';
import { PageDriver } from './pageDriver.js';

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
  private owned = false;
  /** The scratch folder of the browser Legible launched (see Connection.scratchDir). */
  private scratchDir: string | undefined;
  private connecting: Promise<Browser> | undefined;
  private readonly pagesById = new Map<string, PageDriver>();
  private readonly byPage = new WeakMap<Page, PageDriver>();
  private readonly adopting = new Map<Page, Promise<PageDriver>>();
  private selectedId: string | undefined;
  /** The tab last brought to the front, while that is still known to be true. */
  private frontId: string | undefined;
  private nextPage = 1;
  private lost = false;
  private readonly notices: string[] = [];

  constructor(
    private readonly config: Config,
    private readonly hooks: SessionHooks,
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
    const connection = await connectBrowser(this.config);
    const browser = connection.browser;
    this.browser = browser;
    this.owned = connection.owned;
    this.scratchDir = connection.scratchDir;
    if (this.lost) {
      this.notices.push(
        `The browser had closed or crashed; Legible ${connection.owned ? 'launched a new one' : 'attached again'}. Pages, refs and logs from before are gone.`,
      );
      this.lost = false;
    }
    browser.on('disconnected', () => this.onDisconnected(browser));
    browser.on('targetcreated', (target: Target) => {
      if (target.type() !== 'page') return;
      void target
        .page()
        .then((page) => (page ? this.adopt(page) : undefined))
        .catch((error: unknown) => logWarn(`could not track a new tab: ${String(error)}`));
    });
    for (const page of await browser.pages()) await this.adopt(page);
    return browser;
  }

  private onDisconnected(browser: Browser): void {
    if (this.browser !== browser) return;
    this.browser = undefined;
    this.lost = true;
    // The browser died: what it left in its scratch folder goes now (and again at relaunch, in
    // case a dying child process wrote there meanwhile).
    void removeScratch(this.scratchDir);
    for (const page of this.pagesById.values()) this.hooks.pageClosed(page);
    this.pagesById.clear();
    this.selectedId = undefined;
    this.frontId = undefined;
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
    const driver = await PageDriver.create(`p${this.nextPage++}`, page);
    this.frontId = undefined; // a new tab may have taken the front
    await this.hooks.pageOpened(driver);
    this.byPage.set(page, driver);
    this.pagesById.set(driver.id, driver);
    this.selectedId ??= driver.id;
    driver.onClose(() => {
      this.pagesById.delete(driver.id);
      this.hooks.pageClosed(driver);
      if (this.selectedId === driver.id) this.selectedId = this.pagesById.keys().next().value;
    });
    return driver;
  }

  async pages(): Promise<PageDriver[]> {
    await this.ensureBrowser();
    await Promise.all(this.adopting.values());
    return [...this.pagesById.values()];
  }

  /** The page a tool should act on: the one named, or the selected one (opening one if none). */
  async page(id?: string): Promise<PageDriver> {
    const browser = await this.ensureBrowser();
    await Promise.all(this.adopting.values());
    if (id) {
      const page = this.pagesById.get(id);
      if (!page) {
        throw new LegibleError(
          `There is no page ${quoteValue(id)}. Open pages: ${[...this.pagesById.keys()].join(', ') || 'none'}.`,
          'List pages with the pages tool, or leave out "page" to use the selected one.',
        );
      }
      return page;
    }
    const selected = this.selectedId ? this.pagesById.get(this.selectedId) : undefined;
    if (selected) return selected;
    return this.adopt(await browser.newPage()).then((page) => this.select(page.id));
  }

  async newPage(): Promise<PageDriver> {
    const browser = await this.ensureBrowser();
    const page = await this.adopt(await browser.newPage());
    return this.select(page.id);
  }

  async select(id: string): Promise<PageDriver> {
    const page = await this.page(id);
    this.selectedId = id;
    await this.toFront(page);
    return page;
  }

  /**
   * Makes `page` the front tab: a background tab renders no frames, so a click or a screenshot
   * there would wait forever. Skipped when it is already in front (a CDP round trip saved per call).
   */
  async toFront(page: PageDriver): Promise<void> {
    if (this.frontId === page.id) return;
    await withTimeout(page.bringToFront(), 2_000, 'Showing the tab').catch(() => undefined);
    this.frontId = page.id;
  }

  selectedPageId(): string | undefined {
    return this.selectedId;
  }

  /** Closes the browser if Legible launched it; only disconnects from one it attached to. */
  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    if (browser && this.owned) await browser.close().catch(() => undefined);
    else if (browser) await browser.disconnect().catch(() => undefined);
    await removeScratch(this.scratchDir);
    this.scratchDir = undefined;
  }

  /** Kills the browser process, for tests of crash recovery. */
  browserProcessId(): number | undefined {
    return this.browser?.process()?.pid;
  }
}
