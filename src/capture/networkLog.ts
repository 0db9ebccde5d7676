import type { Protocol } from 'devtools-protocol';
import type { PageDriver } from '../cdp/pageDriver.js';

export interface NetworkEntry {
  /** Short id for the network tool: r1, r2, … */
  id: string;
  requestId: string;
  method: string;
  url: string;
  resourceType: string;
  status?: number;
  statusText?: string;
  mimeType?: string;
  startedAt: number;
  /** When the response headers came. */
  respondedAt?: number;
  /** When the latest piece of the response body came. */
  dataAt?: number;
  endedAt?: number;
  /** Bytes on the wire, when the load finished. */
  size?: number;
  /** Network error text (net::ERR_…) or block reason. */
  failure?: string;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  hasPostData: boolean;
  postData?: string;
  /**
   * The response body of a failed request, text only, redacted and cut (report/failedBodies.ts
   * keeps it for a journey run's report before the run's tabs close).
   */
  responseBody?: { text: string; bytes: number; truncated: boolean };
  /**
   * Whether the network stack's extra info (the raw headers: Cookie, Set-Cookie, …) has come.
   * Chrome says in responseReceived whether it will; it can come a few ms after loadingFinished.
   */
  extraInfo: 'none' | 'expected' | 'received';
  /** The rule (a network mock, m1) that answered, failed or held this request. */
  mockedBy?: string;
  /** The document that asked for it (DevTools' loader id; a navigation's own request has the new document's). */
  loaderId?: string;
  /** Still loading when the tab left the document that asked for it: no longer waited for. */
  leftBehind?: boolean;
  seq: number;
}

/** How long the network tool waits for extra info that Chrome announced but has not sent yet. */
const EXTRA_INFO_WAIT_MS = 1_000;

/**
 * A response whose body the page never reads may never finish loading (a POST whose error status
 * made the app skip .json(), say): Chrome receives the body (Network.dataReceived) but sends no
 * loadingFinished. Such a response stops holding an action's report back once no body data has
 * come for BODY_IDLE_MS, or, if none came at all, UNREAD_BODY_MS after its headers. A body that
 * keeps streaming in (a chat reply, a download) counts for at most STREAMING_BODY_MS.
 */
const BODY_IDLE_MS = 100;
const UNREAD_BODY_MS = 300;
const STREAMING_BODY_MS = 1_000;

/** Resource types whose in-flight requests an action waits for. */
const AWAITED = new Set(['Document', 'XHR', 'Fetch', 'Script', 'Stylesheet', 'Other', 'Image', 'Font']);

export function isFailed(entry: NetworkEntry): boolean {
  return !!entry.failure || (entry.status !== undefined && entry.status >= 400);
}

/** Browsers ask for /favicon.ico on their own; a missing one is not the app's bug. */
export function isFavicon(url: string | undefined): boolean {
  return !!url && /\/favicon\.ico(\?|$)/.test(url);
}

/** Headers came and the body has stopped arriving (or never started): see BODY_IDLE_MS. */
function bodyStalled(entry: NetworkEntry, now: number): boolean {
  if (entry.respondedAt === undefined) return false;
  if (now - entry.respondedAt > STREAMING_BODY_MS) return true;
  return entry.dataAt !== undefined ? now - entry.dataAt > BODY_IDLE_MS : now - entry.respondedAt > UNREAD_BODY_MS;
}

export function isFinished(entry: NetworkEntry): boolean {
  return entry.endedAt !== undefined;
}

/**
 * The requests of one page, from Legible's own CDP session: method, URL, status, type, timing,
 * size, headers and failures. Bounded; counts what it dropped. Also knows which requests are in
 * flight, so an action can wait for the ones it set off.
 */
export class NetworkLog {
  private readonly entries = new Map<string, NetworkEntry>();
  private readonly byRequestId = new Map<string, NetworkEntry>();
  private readonly inflight = new Set<NetworkEntry>();
  private readonly waiters = new Set<() => void>();
  /** Hops (a request and its redirects share an id) whose announced raw response headers have not come, by CDP request id. */
  private readonly awaitingExtraInfo = new Map<string, NetworkEntry[]>();
  /** Extra-info headers whose request has not been announced yet, by CDP request id (bounded). */
  private readonly earlyHeaders = new Map<string, Pick<NetworkEntry, 'requestHeaders' | 'responseHeaders'>>();
  /** Rules that decided a request before the request was announced, by CDP request id (bounded). */
  private readonly earlyMocks = new Map<string, string>();
  private nextId = 1;
  private seq = 0;
  private dropped = 0;
  private readCursor = 0;

  constructor(
    private readonly page: PageDriver,
    private readonly capacity = 1000,
  ) {}

  static async attach(page: PageDriver, capacity?: number): Promise<NetworkLog> {
    const log = new NetworkLog(page, capacity);
    page.onCdp('Network.requestWillBeSent', (event: Protocol.Network.RequestWillBeSentEvent) => log.onRequest(event));
    // Extra info (cookies, the headers as sent and received) comes from the network stack and may
    // arrive before requestWillBeSent: a fast local response can even beat it with its own.
    page.onCdp('Network.requestWillBeSentExtraInfo', (event: Protocol.Network.RequestWillBeSentExtraInfoEvent) =>
      log.addExtraHeaders(event.requestId, 'requestHeaders', event.headers),
    );
    page.onCdp('Network.responseReceived', (event: Protocol.Network.ResponseReceivedEvent) => {
      const entry = log.byRequestId.get(event.requestId);
      if (!entry) return;
      entry.status = event.response.status;
      entry.statusText = event.response.statusText;
      entry.respondedAt = Date.now();
      entry.mimeType = event.response.mimeType;
      if (event.hasExtraInfo && entry.extraInfo === 'none') log.expectExtraInfo(entry);
      Object.assign(entry.responseHeaders, event.response.headers);
      log.touch(entry);
    });
    page.onCdp('Network.responseReceivedExtraInfo', (event: Protocol.Network.ResponseReceivedExtraInfoEvent) =>
      log.addExtraHeaders(event.requestId, 'responseHeaders', event.headers),
    );
    page.onCdp('Network.dataReceived', (event: Protocol.Network.DataReceivedEvent) => {
      const entry = log.byRequestId.get(event.requestId);
      if (entry && entry.endedAt === undefined) entry.dataAt = Date.now();
    });
    page.onCdp('Network.loadingFinished', (event: Protocol.Network.LoadingFinishedEvent) => {
      const entry = log.byRequestId.get(event.requestId);
      if (!entry) return;
      entry.size = event.encodedDataLength;
      log.finish(entry);
    });
    page.onCdp('Network.loadingFailed', (event: Protocol.Network.LoadingFailedEvent) => {
      const entry = log.byRequestId.get(event.requestId);
      if (!entry) return;
      entry.failure = event.blockedReason ? `blocked: ${event.blockedReason}` : event.canceled ? 'canceled' : event.errorText;
      log.finish(entry);
    });
    page.onCdp('Page.frameNavigated', (event: Protocol.Page.FrameNavigatedEvent) => {
      if (!event.frame.parentId) log.documentReplaced(event.frame.loaderId);
    });
    page.interceptor.onIntercepted(({ networkId, ruleId }) => log.noteMocked(networkId, ruleId));
    await page.send('Network.enable', { maxPostDataSize: 65_536 });
    return log;
  }

  private onRequest(event: Protocol.Network.RequestWillBeSentEvent): void {
    if (event.request.url.startsWith('data:')) return;
    const previous = this.byRequestId.get(event.requestId);
    if (previous && event.redirectResponse) {
      previous.status = event.redirectResponse.status;
      previous.statusText = event.redirectResponse.statusText;
      Object.assign(previous.responseHeaders, event.redirectResponse.headers);
      // The redirect's own raw headers (its Set-Cookie) may still come, after this next hop's start.
      if (event.redirectHasExtraInfo && previous.extraInfo === 'none') this.expectExtraInfo(previous);
      this.finish(previous);
    }
    const entry: NetworkEntry = {
      id: `r${this.nextId++}`,
      requestId: event.requestId,
      method: event.request.method,
      url: event.request.url,
      resourceType: event.type ?? 'Other',
      startedAt: Date.now(),
      requestHeaders: { ...event.request.headers },
      responseHeaders: {},
      hasPostData: !!event.request.hasPostData,
      postData: event.request.postData,
      extraInfo: 'none',
      loaderId: event.loaderId,
      seq: ++this.seq,
    };
    this.entries.set(entry.id, entry);
    this.byRequestId.set(event.requestId, entry);
    const early = this.earlyHeaders.get(event.requestId);
    if (early) {
      Object.assign(entry.requestHeaders, early.requestHeaders);
      Object.assign(entry.responseHeaders, early.responseHeaders);
      if (Object.keys(early.responseHeaders).length) entry.extraInfo = 'received';
      this.earlyHeaders.delete(event.requestId);
    }
    const mockedBy = this.earlyMocks.get(event.requestId);
    if (mockedBy) {
      entry.mockedBy = mockedBy;
      this.earlyMocks.delete(event.requestId);
    }
    if (AWAITED.has(entry.resourceType)) this.inflight.add(entry);
    if (this.entries.size > this.capacity) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, NetworkEntry];
      this.entries.delete(oldestId);
      if (this.byRequestId.get(oldest.requestId) === oldest) this.byRequestId.delete(oldest.requestId);
      this.awaitingExtraInfo.delete(oldest.requestId);
      this.inflight.delete(oldest);
      this.dropped++;
    }
    this.notify();
  }

  private noteMocked(requestId: string, ruleId: string): void {
    const entry = this.byRequestId.get(requestId);
    if (entry) {
      entry.mockedBy = ruleId;
      return;
    }
    this.earlyMocks.set(requestId, ruleId);
    if (this.earlyMocks.size > 100) this.earlyMocks.delete(this.earlyMocks.keys().next().value!);
  }

  /** Chrome announced raw headers for this response (or redirect) that have not come yet. */
  private expectExtraInfo(entry: NetworkEntry): void {
    entry.extraInfo = 'expected';
    const waiting = this.awaitingExtraInfo.get(entry.requestId);
    if (waiting) waiting.push(entry);
    else this.awaitingExtraInfo.set(entry.requestId, [entry]);
  }

  private addExtraHeaders(requestId: string, side: 'requestHeaders' | 'responseHeaders', headers: Protocol.Network.Headers): void {
    // Raw response headers go to the oldest hop that was announced to have some (a redirect's
    // can come after the next hop started), else to the request's current hop.
    const waiting = side === 'responseHeaders' ? this.awaitingExtraInfo.get(requestId) : undefined;
    const entry = waiting?.shift() ?? this.byRequestId.get(requestId);
    if (waiting && !waiting.length) this.awaitingExtraInfo.delete(requestId);
    if (entry) {
      Object.assign(entry[side], headers);
      if (side === 'responseHeaders') {
        entry.extraInfo = 'received';
        this.notify();
      }
      return;
    }
    let early = this.earlyHeaders.get(requestId);
    if (!early) {
      early = { requestHeaders: {}, responseHeaders: {} };
      this.earlyHeaders.set(requestId, early);
      if (this.earlyHeaders.size > 100) this.earlyHeaders.delete(this.earlyHeaders.keys().next().value!);
    }
    Object.assign(early[side], headers);
  }

  private touch(entry: NetworkEntry): void {
    entry.seq = ++this.seq;
  }

  private finish(entry: NetworkEntry): void {
    entry.endedAt ??= Date.now();
    this.touch(entry);
    this.inflight.delete(entry);
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Calls `listener` whenever a request starts or ends; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.waiters.add(listener);
    return () => this.waiters.delete(listener);
  }

  /** Requests still loading that started after sequence number `seq` (see BODY_IDLE_MS). */
  inflightSince(seq: number, startedAfter: number): NetworkEntry[] {
    const now = Date.now();
    return [...this.inflight].filter((entry) => (entry.startedAt >= startedAfter || entry.seq > seq) && !bodyStalled(entry, now));
  }

  /**
   * The tab's main frame committed a new document (`loaderId`): what the documents it replaced
   * (the old page and its iframes) still had in flight stops counting. Chrome may never end those
   * (a poll whose answer had not come when the page was left stayed pending for good), and
   * navigate waited for them up to its limit.
   */
  private documentReplaced(loaderId: string): void {
    let dropped = false;
    for (const entry of this.inflight) {
      if (entry.loaderId === undefined || entry.loaderId === loaderId) continue;
      this.inflight.delete(entry);
      entry.leftBehind = true;
      dropped = true;
    }
    if (dropped) this.notify();
  }

  mark(): number {
    return this.seq;
  }

  since(seq: number): NetworkEntry[] {
    return [...this.entries.values()].filter((entry) => entry.seq > seq);
  }

  readNew(): NetworkEntry[] {
    const entries = this.since(this.readCursor);
    this.readCursor = this.seq;
    return entries;
  }

  all(): NetworkEntry[] {
    this.readCursor = this.seq;
    return [...this.entries.values()];
  }

  get(id: string): NetworkEntry | undefined {
    return this.entries.get(id);
  }

  droppedCount(): number {
    return this.dropped;
  }

  /** Waits (briefly) for the raw headers of a request whose extra info Chrome announced but has not sent. */
  async completeHeaders(entry: NetworkEntry, timeoutMs = EXTRA_INFO_WAIT_MS): Promise<void> {
    if (entry.extraInfo !== 'expected') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const off = this.onChange(() => {
        if (entry.extraInfo !== 'expected') done();
      });
    });
  }

  /** The response body, if Chrome still has it. */
  async responseBody(entry: NetworkEntry): Promise<{ body: Buffer; base64: boolean } | undefined> {
    try {
      const result = await this.page.send<Protocol.Network.GetResponseBodyResponse>('Network.getResponseBody', { requestId: entry.requestId });
      return { body: Buffer.from(result.body, result.base64Encoded ? 'base64' : 'utf8'), base64: result.base64Encoded };
    } catch {
      return undefined;
    }
  }

  async requestBody(entry: NetworkEntry): Promise<string | undefined> {
    if (entry.postData !== undefined || !entry.hasPostData) return entry.postData;
    try {
      const result = await this.page.send<Protocol.Network.GetRequestPostDataResponse>('Network.getRequestPostData', { requestId: entry.requestId });
      return result.postData;
    } catch {
      return undefined;
    }
  }
}
