import type { CDPSession, Frame, HTTPResponse, KeyInput, Page } from 'puppeteer-core';
import { LegibleError, errorMessage } from '../util/errors.js';
import { logWarn } from '../util/log.js';
import { clip, quoteValue } from '../util/text.js';
import { withTimeout } from '../util/time.js';
import { EmulationState } from './emulation.js';
import { FrameDriver } from './frameDriver.js';
import { RequestInterceptor } from './interceptor.js';
import { parseKeyCombo } from './keys.js';
import { PageTracer } from './tracing.js';
import { CookieJar } from './cookieJar.js';
import { DialogWatch, type DialogInfo } from './dialogs.js';
import { PopupMatcher } from './popups.js';
import { targetIdOf } from './waitingTabs.js';

export type { DialogInfo, DialogType } from './dialogs.js';

/** The largest side of a full-page capture, in CSS pixels (WebP's limit is 16,383; Chromium fails far beyond it). */
export const MAX_CAPTURE_PX = 16_000;

export interface LoadResult {
  status: number | null;
  url: string;
}

/**
 * One browser tab as the upper layers see it: frames, raw CDP on Legible's own session, input,
 * navigation, dialogs and screenshots. The only place that touches a puppeteer Page.
 */
export class PageDriver {
  private readonly frameKeys = new WeakMap<Frame, string>();
  private nextFrame = 1;
  private readonly dialogs: DialogWatch;
  private crashed = false;
  private readonly popups = new PopupMatcher<PageDriver>();
  /** The load (goto, history move) whose wait is current; an older one's end must not touch a newer one. */
  private currentLoad: AbortController | undefined;
  /** A URL whose load timed out before its document came, and was stopped, in a tab that had none: it shows about:blank. */
  private stopped: string | undefined;
  /** Request rules (network mocks; later, headers such as traceparent): Fetch is on only while there are some. */
  readonly interceptor: RequestInterceptor;
  /** What the tab emulates (viewport, device, media, locale, network, …). */
  readonly emulation: EmulationState;
  /** Performance traces of this tab. */
  readonly tracer: PageTracer;
  /** The browser's cookies and this tab's origins' storage, through DevTools. */
  readonly cookies: CookieJar;

  private constructor(
    readonly id: string,
    private readonly page: Page,
    private readonly session: CDPSession,
  ) {
    this.interceptor = new RequestInterceptor(
      (method, params) => this.send(method, params),
      (event, handler) => session.on(event, handler as never),
    );
    const initial = page.viewport() ?? { width: 1280, height: 720 };
    this.emulation = new EmulationState(page, session, () => initial);
    this.tracer = new PageTracer(page, (method, params) => this.send(method, params));
    this.cookies = new CookieJar((method, params) => this.send(method, params));
    this.dialogs = new DialogWatch(page);
    page.on('error', () => {
      this.crashed = true;
    });
    session.on('Page.windowOpen', (event: { url: string }) => this.popups.requested(event.url));
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) this.stopped = undefined;
    });
  }

  static async create(id: string, page: Page): Promise<PageDriver> {
    const session = await page.createCDPSession();
    return new PageDriver(id, page, session);
  }

  url(): string {
    return this.page.url();
  }

  /** The title as the browser knows it: no page JavaScript runs, so it works while a dialog is open. */
  async title(): Promise<string> {
    const { targetInfo } = await this.send<{ targetInfo: { title: string; url: string } }>('Target.getTargetInfo');
    return targetInfo.title === targetInfo.url.replace(/^https?:\/\//, '') ? '' : targetInfo.title;
  }

  isClosed(): boolean {
    return this.page.isClosed();
  }

  isCrashed(): boolean {
    return this.crashed;
  }

  /** Throws a helpful error when the page cannot take commands. */
  assertUsable(options: { allowCrashed?: boolean } = {}): void {
    if (this.page.isClosed()) {
      throw new LegibleError(`Page ${this.id} is closed.`, 'List the open pages with the pages tool and pick another, or open a new one.');
    }
    if (this.crashed && !options.allowCrashed) {
      throw new LegibleError(
        `Page ${this.id} crashed (its renderer process died).`,
        'Reload it with navigate {"go":"reload"}, navigate to a URL, or close it with the pages tool.',
      );
    }
  }

  markRecovered(): void {
    this.crashed = false;
  }

  /** Sends a raw CDP command on Legible's own session to this page. */
  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.session.send(method as never, params as never) as Promise<T>;
  }

  /** Listens to a raw CDP event on Legible's own session; returns the unsubscribe function. */
  onCdp(event: string, handler: (params: never) => void): () => void {
    this.session.on(event as never, handler as never);
    return () => this.session.off(event as never, handler as never);
  }

  /** Whether the tab's renderer answers a trivial evaluation within `ms`: a busy script or a hung renderer does not. */
  async answers(ms = 1_000): Promise<boolean> {
    return withTimeout(this.send('Runtime.evaluate', { expression: '0', returnByValue: true }), ms, 'Asking the tab').then(
      () => true,
      () => false,
    );
  }

  /**
   * Whether the renderer is hung beyond what stopping its script can fix (chrome://hang, a stuck
   * layout): it answers neither before nor after Legible stopped the running script.
   */
  async isHung(): Promise<boolean> {
    // An open dialog blocks every evaluation without the renderer being hung.
    if (this.crashed || this.dialogs.current() || this.page.isClosed() || (await this.answers())) return false;
    await this.terminateScript();
    // A renderer swamped with work (thousands of requests at once) answers within a few seconds; a hung one never does.
    return !(await this.answers(3_000));
  }

  /**
   * Kills the tab's renderer process (the tab stays; the next navigation starts a new renderer),
   * for a renderer that is hung. The command itself is never answered: the renderer dies first.
   */
  async crashRenderer(): Promise<void> {
    void this.send('Page.crash').catch(() => undefined);
    const end = Date.now() + 5_000;
    while (!this.crashed && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 25));
  }

  /** Stops whatever script is running in the page (for example an endless loop). */
  async terminateScript(): Promise<void> {
    await withTimeout(this.send('Runtime.terminateExecution'), 2_000, 'Stopping the page script').catch(() => undefined);
  }

  keyOf = (frame: Frame): string => {
    if (frame === this.page.mainFrame()) return '';
    let key = this.frameKeys.get(frame);
    if (!key) {
      key = `f${this.nextFrame++}`;
      this.frameKeys.set(frame, key);
    }
    return key;
  };

  mainFrame(): FrameDriver {
    return new FrameDriver(this.page.mainFrame(), this.page, '', this.keyOf);
  }

  frames(): FrameDriver[] {
    return this.page
      .frames()
      .filter((frame) => !frame.detached)
      .map((frame) => new FrameDriver(frame, this.page, this.keyOf(frame), this.keyOf));
  }

  frame(key: string): FrameDriver | undefined {
    return this.frames().find((frame) => frame.key === key);
  }

  /** The frame at a Recorder step's `frame` path (child-frame indices from the main frame), if it is there. */
  frameAtPath(path: readonly number[]): FrameDriver | undefined {
    return this.mainFrame().child(path);
  }

  // --- dialogs (dialogs.ts) ----------------------------------------------------------------

  onDialog(listener: (info: DialogInfo) => void): () => void {
    return this.dialogs.onDialog(listener);
  }

  dialog(): DialogInfo | undefined {
    return this.dialogs.current();
  }

  handleDialog(accept: boolean, promptText?: string): Promise<DialogInfo> {
    return this.dialogs.answer(accept, promptText);
  }

  /** Resolves with 'dialog' as soon as a dialog opens (a dialog blocks the page's JavaScript). */
  unlessDialog<T>(promise: Promise<T>): Promise<T | 'dialog'> {
    return this.dialogs.unless(promise);
  }

  // --- navigation --------------------------------------------------------------------------

  async goto(url: string, timeout: number): Promise<LoadResult> {
    return this.load((signal) => this.page.goto(url, { waitUntil: 'load', timeout, signal }), url);
  }

  /** The URL of a load that timed out before its document came (and was stopped), in a tab that still shows about:blank. */
  stoppedLoad(): string | undefined {
    return this.stopped;
  }

  async history(direction: 'back' | 'forward' | 'reload', timeout: number): Promise<LoadResult> {
    return this.load((signal) => {
      const options = { waitUntil: 'load' as const, timeout, signal };
      return direction === 'back' ? this.page.goBack(options) : direction === 'forward' ? this.page.goForward(options) : this.page.reload(options);
    });
  }

  /**
   * Stops waiting for the current load (its timer goes too); the browser goes on loading. For a
   * load cut short by a dialog: its timeout must not fire later and stop another load.
   */
  abandonLoad(): void {
    this.currentLoad?.abort();
    this.currentLoad = undefined;
  }

  private async load(go: (signal: AbortSignal) => Promise<HTTPResponse | null>, url?: string): Promise<LoadResult> {
    this.currentLoad?.abort();
    const load = new AbortController();
    this.currentLoad = load;
    let committed = false;
    const commit = (frame: Frame) => {
      if (frame === this.page.mainFrame()) committed = true;
    };
    this.page.on('framenavigated', commit);
    try {
      const response = await go(load.signal).catch(async (error: unknown) => {
        // A timed-out load keeps going, and DevTools holds back every command to the page until
        // it commits: stop it, unless a newer load has taken over since.
        if (this.currentLoad === load && /timeout/i.test(errorMessage(error))) {
          await withTimeout(this.send('Page.stopLoading'), 2_000, 'Stopping the load').catch(() => undefined);
          // Only a tab that shows nothing is worth a note: one with a document still shows it.
          if (url && !committed && this.page.url() === 'about:blank') this.stopped = url;
        }
        throw error;
      });
      this.crashed = false;
      return { status: response ? response.status() : null, url: this.page.url() };
    } finally {
      this.page.off('framenavigated', commit);
      if (this.currentLoad === load) this.currentLoad = undefined;
    }
  }

  // --- input -------------------------------------------------------------------------------

  /** Presses a key or a combo such as `Control+A` or `Shift+ArrowDown`. */
  async press(combo: string): Promise<void> {
    const keys = parseKeyCombo(combo);
    const modifiers = keys.slice(0, -1) as KeyInput[];
    const key = keys[keys.length - 1] as KeyInput;
    try {
      for (const modifier of modifiers) await this.page.keyboard.down(modifier);
      await this.page.keyboard.press(key);
    } catch (error) {
      // puppeteer knows the key names: one it does not know is the caller's mistake, not the page's.
      throw new LegibleError(
        `Could not press ${quoteValue(combo)}: ${clip(errorMessage(error), 200)}`,
        'Use key names such as Enter, Tab, Escape, ArrowDown, Backspace, a, or combos such as Control+A or Shift+Tab.',
        { kind: /^Unknown key/.test(errorMessage(error)) ? 'usage' : 'action' },
      );
    } finally {
      for (const modifier of modifiers.reverse()) await this.page.keyboard.up(modifier).catch(() => undefined);
    }
  }

  /** Holds a key down (journeys replay key presses as separate down and up steps). */
  async keyDown(key: string): Promise<void> {
    const [name] = parseKeyCombo(key);
    await this.page.keyboard.down(name as KeyInput);
  }

  async keyUp(key: string): Promise<void> {
    const [name] = parseKeyCombo(key);
    await this.page.keyboard.up(name as KeyInput);
  }

  async setViewport(width: number, height: number, deviceScaleFactor = 1, device: { isMobile?: boolean; hasTouch?: boolean; isLandscape?: boolean } = {}): Promise<void> {
    const { isMobile = false, hasTouch = false, isLandscape = width > height } = device;
    await this.emulation.apply({ viewport: { width, height, deviceScaleFactor, isMobile, hasTouch, isLandscape } });
  }

  /** Throttles the tab's network (bytes per second, latency in ms); no bandwidth at all means offline, as Recorder has it. */
  async emulateNetworkConditions(conditions: { download: number; upload: number; latency: number }): Promise<void> {
    const { download, upload, latency } = conditions;
    // -1 is DevTools' "no throttling".
    if (download < 0 && upload < 0 && !latency) {
      await this.emulation.apply({ network: null });
      return;
    }
    const offline = !download && !upload;
    await this.emulation.apply({ network: { name: offline ? 'offline' : 'custom', offline, download, upload, latency } });
  }

  /** A tab this one opened starts with its environment and request rules (set before the tool sees it). */
  async inheritFrom(opener: PageDriver): Promise<void> {
    const settings = opener.emulation.settings();
    // The locale primed on puppeteer's session (BrowserSession.arrived) blocks another override: it makes way for this session's.
    if (settings.locale) await (this.page.target() as unknown as { _session?: () => CDPSession | undefined })._session?.()?.send('Emulation.setLocaleOverride', {}).catch(() => undefined);
    if (Object.keys(settings).length) await this.emulation.apply(settings).catch((error: unknown) => logWarn(`tab ${this.id} could not take its opener's settings: ${errorMessage(error)}`));
    for (const rule of opener.interceptor.rules()) await this.interceptor.add(rule).catch(() => undefined);
  }

  /** Drags with the mouse from one point to another (viewport CSS pixels), in small moves as a hand does. */
  async drag(from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
    const mouse = this.page.mouse;
    await mouse.move(from.x, from.y);
    await mouse.down();
    // A first small move starts the drag (HTML5 drag-and-drop and pointer libraries wait for a few pixels).
    await mouse.move(from.x + 3, from.y + 3, { steps: 2 });
    await mouse.move(to.x, to.y, { steps: 12 });
    await mouse.move(to.x, to.y);
    await mouse.up();
  }

  // --- PDF ---------------------------------------------------------------------------

  async pdf(): Promise<Buffer> {
    return Buffer.from(await this.page.pdf({ printBackground: true, preferCSSPageSize: true }));
  }

  // --- screenshots and tabs ----------------------------------------------------------------

  /**
   * A PNG of the viewport, or of the whole page up to MAX_CAPTURE_PX on each side: the browser
   * refuses larger captures ("Page is too large") only after trying for a long time, and no image
   * format Legible writes holds more. `cutFrom` is the page's full size when the capture was cut.
   */
  async capture(fullPage: boolean): Promise<{ data: Buffer; cutFrom?: { width: number; height: number } }> {
    if (!fullPage) return { data: Buffer.from(await this.page.screenshot({ type: 'png' })) };
    const { cssContentSize } = await this.send<{ cssContentSize: { width: number; height: number } }>('Page.getLayoutMetrics');
    const width = Math.ceil(cssContentSize.width);
    const height = Math.ceil(cssContentSize.height);
    if (width <= MAX_CAPTURE_PX && height <= MAX_CAPTURE_PX) return { data: Buffer.from(await this.page.screenshot({ type: 'png', fullPage: true, captureBeyondViewport: true })) };
    const clip = { x: 0, y: 0, width: Math.min(width, MAX_CAPTURE_PX), height: Math.min(height, MAX_CAPTURE_PX) };
    return { data: Buffer.from(await this.page.screenshot({ type: 'png', clip, captureBeyondViewport: true })), cutFrom: { width, height } };
  }

  /**
   * The viewport as the browser encodes it (WebP or JPEG), straight from CDP: no scrolling, no
   * viewport juggling, no decoding here. The fastest capture there is.
   */
  async captureViewport(format: 'webp' | 'jpeg', quality: number): Promise<Buffer> {
    const { data } = await this.send<{ data: string }>('Page.captureScreenshot', { format, quality, optimizeForSpeed: true });
    return Buffer.from(data, 'base64');
  }

  viewport(): { width: number; height: number; deviceScaleFactor?: number } | null {
    return this.page.viewport();
  }

  async bringToFront(): Promise<void> {
    await this.page.bringToFront();
  }

  async close(): Promise<void> {
    if (this.page.isClosed()) return;
    this.dialogs.forget();
    await this.page.close({ runBeforeUnload: false });
  }

  /** Whether `other` opened this tab (window.open, a link with target=_blank). */
  openedBy(other: PageDriver): boolean {
    return this.page.target().opener() === other.page.target();
  }

  onClose(listener: () => void): void {
    this.page.once('close', listener);
  }

  /** Listens for tabs this page opens, each handed over the moment the page asks for it (popups.ts). */
  onPopup(listener: (popup: Promise<PageDriver | undefined>, url: string) => void): () => void {
    return this.popups.listen(listener);
  }

  /** DevTools' id of this tab (puppeteer keeps it on its Target without a public getter). */
  targetId(): string | undefined {
    return targetIdOf(this.page.target());
  }

  /** Called by BrowserSession when the browser created a tab whose opener is this page, with the URL it was created for. */
  notePopup(popup: Promise<PageDriver | undefined>, url: string): void {
    this.popups.created(popup, url);
  }

  /** Runs `source` in every new document of this tab (all its frames), before the page's own scripts. */
  async addInitScript(source: string): Promise<void> {
    await this.page.evaluateOnNewDocument(source);
  }
}
