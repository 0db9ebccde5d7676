/** How long a tab the page asked for may take to be created and tracked before it counts as never opened. */
const POPUP_WAIT_MS = 10_000;
/** Tabs created before their page's request was seen, kept for that request. */
const MAX_EARLY = 10;
/** Requests whose tab did not come within POPUP_WAIT_MS, remembered (the newest) while their tab may still come. */
const MAX_LATE = 20;

/**
 * Pairs the tabs a page asks for (Page.windowOpen: window.open, a target=_blank link, a form with
 * a target) with the tabs the browser creates for them, whichever is seen first, and hands each
 * to the listeners the moment the page asks: as a promise of its driver, which settles once the
 * browser created and Legible tracked the tab (undefined if that did not happen within 10 s).
 * The browser may announce two tabs in another order than the page asked for them, so a created
 * tab goes to the request for its URL, else to the oldest one.
 */
export class PopupMatcher<Tab> {
  private readonly listeners = new Set<(popup: Promise<Tab | undefined>, url: string) => void>();
  /** Tabs the page asked for that the browser has not created yet, oldest first. */
  private readonly asked: { url: string; take: (tab: Promise<Tab | undefined>) => void }[] = [];
  /** Tabs the browser created before the page's request for them was seen. */
  private readonly early: { url: string; popup: Promise<Tab | undefined> }[] = [];
  /**
   * The URLs of requests whose tab did not come in time, oldest first: a tab whose server never
   * answers is handed over only once its first page arrives, if ever.
   */
  private readonly late: string[] = [];

  /** Calls `listener` for every tab the page asks for; returns a function that stops it. */
  listen(listener: (popup: Promise<Tab | undefined>, url: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The browser created a tab this page opened, for `url`. */
  created(popup: Promise<Tab | undefined>, url: string): void {
    const at = Math.max(0, this.asked.findIndex((asked) => asked.url === url));
    const waiting = this.asked.splice(at, 1)[0];
    const late = waiting ? -1 : this.late.indexOf(url);
    if (waiting) waiting.take(popup);
    // The tab of a request that stopped waiting for it (its server took long to answer): no one else's.
    else if (late >= 0) this.late.splice(late, 1);
    else {
      this.early.push({ url, popup });
      if (this.early.length > MAX_EARLY) this.early.shift();
    }
  }

  /** The page asked for a tab at `url`. */
  requested(url: string): void {
    const at = this.early.findIndex((created) => created.url === url);
    const created = this.early.splice(at < 0 ? 0 : at, 1)[0]?.popup;
    const popup =
      created ??
      new Promise<Tab | undefined>((resolve) => {
        const asked = {
          url,
          take: (tab: Promise<Tab | undefined>) => {
            clearTimeout(timer);
            resolve(tab);
          },
        };
        const timer = setTimeout(() => {
          const index = this.asked.indexOf(asked);
          if (index >= 0) {
            this.asked.splice(index, 1);
            this.late.push(url);
            if (this.late.length > MAX_LATE) this.late.shift();
          }
          resolve(undefined);
        }, POPUP_WAIT_MS);
        timer.unref();
        this.asked.push(asked);
      });
    for (const listener of this.listeners) listener(popup, url);
  }
}
