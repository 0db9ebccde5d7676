/**
 * How long a request and its tab may be apart. The browser reports a popup's request
 * (Page.windowOpen, on its opener's session) just before it creates the tab; one left unpaired
 * longer had no tab (or its tab went unseen) and must not be given to a later one.
 */
const PAIR_WITHIN_MS = 10_000;
/** Unpaired requests (or tabs) kept per opener, newest. */
const MAX_UNPAIRED = 20;

interface Entry {
  value: string;
  at: number;
}

/**
 * The URL each popup was opened for, while the browser does not say it: a tab whose first page
 * has not come (its server never answered) shows no URL in the browser's target list, and
 * puppeteer does not hand it over. Each tab is paired with its opener's request the moment the
 * browser creates it: the browser creates a page's popups in the order the page asked for them,
 * whereas its target list has no order at all, so pairing later, by list position, could swap two
 * popups' URLs. A tab that closes takes its URL with it.
 */
export class PopupUrls {
  /** Requests the browser has not created a tab for yet, by opener target id, oldest first. */
  private readonly asked = new Map<string, Entry[]>();
  /** Tabs created before their opener's request was seen (the two come on different sessions), by opener, oldest first. */
  private readonly unasked = new Map<string, Entry[]>();
  /** The URL of each popup, by its target id. */
  private readonly urls = new Map<string, string>();

  /** The page `openerId` asked for a new tab at `url`. */
  requested(openerId: string, url: string): void {
    const tab = this.take(this.unasked, openerId);
    if (tab) this.urls.set(tab, url);
    else this.keep(this.asked, openerId, url);
  }

  /** The browser created the tab `targetId`, opened by `openerId`. */
  created(targetId: string, openerId: string): void {
    const url = this.take(this.asked, openerId);
    if (url !== undefined) this.urls.set(targetId, url);
    else this.keep(this.unasked, openerId, targetId);
  }

  /** The tab closed: its URL goes, and so do the requests it made as an opener. */
  destroyed(targetId: string): void {
    this.urls.delete(targetId);
    this.asked.delete(targetId);
    this.unasked.delete(targetId);
    for (const [opener, tabs] of this.unasked) {
      const left = tabs.filter((tab) => tab.value !== targetId);
      if (left.length) this.unasked.set(opener, left);
      else this.unasked.delete(opener);
    }
  }

  /** The URL `targetId` was opened for, if its opener asked for one. */
  urlOf(targetId: string): string | undefined {
    return this.urls.get(targetId);
  }

  clear(): void {
    this.asked.clear();
    this.unasked.clear();
    this.urls.clear();
  }

  /** The oldest entry of `opener` still recent enough to pair. */
  private take(from: Map<string, Entry[]>, opener: string): string | undefined {
    const entries = (from.get(opener) ?? []).filter((entry) => Date.now() - entry.at <= PAIR_WITHIN_MS);
    const first = entries.shift();
    if (entries.length) from.set(opener, entries);
    else from.delete(opener);
    return first?.value;
  }

  private keep(into: Map<string, Entry[]>, opener: string, value: string): void {
    const entries = [...(into.get(opener) ?? []), { value, at: Date.now() }].slice(-MAX_UNPAIRED);
    into.set(opener, entries);
  }
}
