import type { NetworkEntry, NetworkLog } from '../capture/networkLog.js';
import type { FrameDriver } from '../cdp/frameDriver.js';
import type { PageDriver } from '../cdp/pageDriver.js';
import { sleep, withTimeout } from '../util/time.js';
import { pageActivity } from './activity.js';
import { endWatch, pageOwnFetches, waitForActivity, type FrameQuiet, type OwnFetches } from './activityQueries.js';

/**
 * How long the DOM must stay unchanged before an action counts as settled. Renders that follow a
 * response come within a task or an animation frame of it; requests, timers, animation frames
 * and CSS animations are awaited separately, so this window only has to cover those.
 */
const DOM_QUIET_MS = 30;
/**
 * A head start for the request events of what the action set off to reach Legible. A request
 * seen later is still waited for: the loop below checks again after the DOM went quiet.
 */
const GRACE_MS = 10;

export interface SettleLimits {
  /** Upper bound for waiting on requests the action started. */
  networkMs: number;
  /** Upper bound for waiting on the page to go quiet (DOM, timers, frames, animations). */
  domMs: number;
  /** Upper bound for a new document to finish loading. */
  loadMs: number;
  /**
   * Timers the action started with at most this delay are waited for; so are its animation-frame
   * chains and the CSS animations it started, up to this long (0: none of them).
   */
  timersMs: number;
}

export const DEFAULT_TIMER_WAIT_MS = 1_000;
export const DEFAULT_SETTLE: SettleLimits = { networkMs: 5_000, domMs: 1_500, loadMs: 10_000, timersMs: DEFAULT_TIMER_WAIT_MS };

/** Each frame's DOM mutation count (by frame key, '' for the main frame): cheap marks for "did the page change since?". */
export type PageMarks = Map<string, number>;

/** True when the page may have changed between two sets of marks (or either is unknown). */
export function marksDiffer(then: PageMarks | undefined, now: PageMarks | undefined): boolean {
  if (!then || !now || !now.has('')) return true;
  for (const [key, count] of now) if (then.get(key) !== count) return true;
  return false;
}

/**
 * Bounded, and given up as soon as a dialog opens: a dialog blocks the page's JavaScript, so an
 * evaluation would wait for the dialog to close.
 */
function inFrame<T>(page: PageDriver, work: Promise<T>, ms: number, what: string): Promise<T | 'dialog'> {
  return withTimeout(page.unlessDialog(work), ms, what);
}

/** Runs pageActivity in every frame; the marks of the frames that answered. */
async function activityInFrames(page: PageDriver, action: number, timersMs: number): Promise<PageMarks | undefined> {
  if (page.isCrashed() || page.dialog()) return undefined;
  const frames = page.frames();
  const counts = await Promise.all(
    frames.map((frame) => inFrame(page, frame.evaluate(pageActivity, action, timersMs), 2_000, 'Watching the page').catch(() => undefined)),
  );
  const marks: PageMarks = new Map();
  frames.forEach((frame, i) => {
    const count = counts[i];
    if (typeof count === 'number') marks.set(frame.key, count);
  });
  return marks;
}

/**
 * Makes every new document of the tab install the activity tracker before its own scripts run,
 * and installs it in the documents already there.
 */
export async function installActivityTracker(page: PageDriver, timersMs: number): Promise<void> {
  await page.addInitScript(`(${pageActivity.toString()})(0, ${JSON.stringify(timersMs)})`);
  await activityInFrames(page, 0, timersMs);
}

/** The page's mutation marks now (installing the tracker where a document has none). */
export function readMarks(page: PageDriver, timersMs: number): Promise<PageMarks | undefined> {
  return activityInFrames(page, 0, timersMs);
}

/** Starts watching `action` in every frame; returns the marks from just before it. */
export function watchActivity(page: PageDriver, action: number, timersMs: number): Promise<PageMarks | undefined> {
  return activityInFrames(page, action, timersMs);
}

/**
 * The page's own requests during an action (its polling), which settling does not wait for: the
 * requests (method and URL) that, by the trackers in the page, only chains other than the
 * action's fetched since it began, and that the page asked before too, unprompted (activity.ts).
 * Asked while requests keep settling waiting, at most every 100 ms; each answer replaces the
 * last, so a URL the action fetches too counts again from then on. Each frame answers for
 * itself; a URL the action fetched in any frame is the action's.
 */
export class PageOwnRequests {
  /** "METHOD url" of each. */
  requests: ReadonlySet<string> = new Set();
  private asking: Promise<void> | undefined;
  private askedAt = 0;

  constructor(
    private readonly page: PageDriver,
    private readonly action: number,
  ) {}

  /** Asks the page again, unless it was asked within the last 100 ms or is being asked now. */
  refresh(): void {
    if (!this.asking && Date.now() - this.askedAt >= 100) void this.ask();
  }

  /** An answer asked for now (after the one under way, if any). */
  async fresh(): Promise<void> {
    await this.asking;
    await this.ask();
  }

  /** Whether the page has been asked (and answered) during this action. */
  answered = false;

  private ask(): Promise<void> {
    this.askedAt = Date.now();
    const frames = this.page.frames();
    const asking = Promise.all(frames.map((frame) => inFrame(this.page, frame.evaluate(pageOwnFetches, this.action), 1_000, 'Asking the page for its own requests').catch(() => undefined)))
      .then((answers) => {
        this.answered = true;
        this.requests = joinOwnFetches(answers.filter((answer): answer is OwnFetches => typeof answer === 'object' && answer !== null && Array.isArray(answer.mine)));
      })
      .finally(() => {
        if (this.asking === asking) this.asking = undefined;
      });
    this.asking = asking;
    return asking;
  }

  /** Whether a request is the action's to wait for. */
  counts(entry: NetworkEntry): boolean {
    return !(entry.resourceType === 'Fetch' && this.requests.has(`${entry.method} ${entry.url}`));
  }

  /** Whether a request is one the page itself repeats, by the last answer (whether it is still loading or not). */
  isPageOwn(entry: NetworkEntry): boolean {
    return !this.counts(entry);
  }

  /** The requests among these left out as the page's own (by an answer that may be old). */
  leftOut(entries: NetworkEntry[]): NetworkEntry[] {
    return this.requests.size > 0 ? entries.filter((entry) => this.isPageOwn(entry)) : [];
  }
}

/** The page's own URLs by the frames' answers: what some frame's other chains fetched, less what the action fetched in any frame. */
export function joinOwnFetches(answers: OwnFetches[]): Set<string> {
  const mine = new Set(answers.flatMap((answer) => answer.mine));
  return new Set(answers.flatMap((answer) => answer.others).filter((url) => !mine.has(url)));
}

/** Tells every frame that the action's report is made (not awaited: a fetch in between is merely not noted as unprompted). */
export function endWatching(page: PageDriver, action: number): void {
  if (page.isClosed() || page.isCrashed() || page.dialog()) return;
  for (const frame of page.frames()) void inFrame(page, frame.evaluate(endWatch, action), 1_000, 'Ending the watch').catch(() => undefined);
}

/** The requests in flight that started after `since` (or sequence number `mark`), but the page's own. */
function inflight(network: NetworkLog, mark: number, since: number, own: PageOwnRequests | undefined): NetworkEntry[] {
  const all = network.inflightSince(mark, since);
  return own?.requests.size ? all.filter((entry) => own.counts(entry)) : all;
}

/** Waits until no request started after `since` is in flight (but the page's own), or until `maxMs`. */
export function waitForNetworkIdle(network: NetworkLog, mark: number, since: number, maxMs: number, stop: () => boolean, own?: PageOwnRequests): Promise<NetworkEntry[]> {
  return new Promise((resolve) => {
    const deadline = setTimeout(finish, maxMs);
    const off = network.onChange(check);
    // Requests can stop counting without an event (a body that stopped arriving); look again often.
    const poll = setInterval(check, 20);
    let finished = false;
    function finish() {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      clearInterval(poll);
      off();
      resolve(inflight(network, mark, since, own));
    }
    let confirming = false;
    function check() {
      if (stop()) return finish();
      if (confirming) return;
      const waiting = inflight(network, mark, since, own);
      if (waiting.length > 0) {
        // Fetches still going: some may be the page's own polling, which the page can tell.
        if (waiting.some((entry) => entry.resourceType === 'Fetch')) own?.refresh();
        return;
      }
      // Idle by the clock: first let any CDP messages already waiting on the socket in (a timer
      // can fire before pending I/O is read when this process was busy), then look again.
      confirming = true;
      setImmediate(() => {
        confirming = false;
        if (inflight(network, mark, since, own).length === 0) finish();
      });
    }
    check();
  });
}

interface PageQuiet {
  /** 'quiet', 'busy', 'new-document', 'loading', 'dialog' or 'timeout'. */
  state: string;
  busy: string[];
  marks: PageMarks;
}

/** waitForActivity in every frame at once; the main frame says whether the page navigated. */
async function waitForPageQuiet(page: PageDriver, action: number, maxMs: number): Promise<PageQuiet> {
  const frames: FrameDriver[] = page.frames();
  const results = await Promise.all(
    frames.map((frame) =>
      inFrame(page, frame.evaluate(waitForActivity, action, DOM_QUIET_MS, maxMs, frame.key === ''), maxMs + 2_000, 'Waiting for the page to go quiet').catch(
        (error: unknown): FrameQuiet | 'timeout' | undefined => (error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : undefined),
      ),
    ),
  );
  const marks: PageMarks = new Map();
  const busy = new Set<string>();
  let state = 'quiet';
  frames.forEach((frame, i) => {
    const result = results[i];
    const main = frame.key === '';
    if (result === 'dialog' || result === 'timeout') {
      if (main || state === 'quiet') state = result;
      return;
    }
    if (!result) {
      // The frame's document went away mid-wait: in the main frame, that is a navigation.
      if (main) state = 'new-document';
      return;
    }
    marks.set(frame.key, result.mutations);
    for (const what of result.busy) busy.add(what);
    if (main && result.state !== 'quiet') state = result.state;
    else if (result.state === 'busy' && state === 'quiet') state = 'busy';
  });
  return { state, busy: [...busy], marks };
}

export interface SettleResult {
  /** Requests still loading when waiting stopped. */
  pending: NetworkEntry[];
  /** Requests still loading then that were not waited for, as the page's own polling. */
  leftOut: NetworkEntry[];
  /** Whether a request of the action's time is the page's own polling (by the page's last answer). */
  pageOwn: (entry: NetworkEntry) => boolean;
  /** 'quiet', or what made waiting stop early ('busy', 'dialog', 'timeout'). */
  dom: string;
  /** What was still going on when waiting stopped early ('timers', 'animations', 'DOM changes', …). */
  busy: string[];
  /** The page's mutation marks when it went quiet (before the "after" outline is read). */
  marks: PageMarks | undefined;
}

/**
 * Waits for what action number `action` set off: requests it started, a new document it
 * navigated to, its short timers, animation-frame chains and CSS animations, and DOM mutations
 * going quiet. Every wait is bounded; an open dialog stops waiting at once.
 */
export async function settle(
  page: PageDriver,
  network: NetworkLog,
  mark: number,
  since: number,
  limits: SettleLimits,
  action: number,
  navigated: () => boolean,
): Promise<SettleResult> {
  const dialogOpen = () => page.dialog() !== undefined;
  const deadline = Date.now() + limits.networkMs + limits.domMs;
  await sleep(GRACE_MS);
  let pending: NetworkEntry[] = [];
  let quiet: PageQuiet = { state: 'quiet', busy: [], marks: new Map() };
  // Requests of the page's own polling (URLs its own loops fetch, unprompted too, and the action did not): not waited for once the page named them.
  const own = new PageOwnRequests(page, action);
  const stillLoading = () => inflight(network, mark, since, own);
  const result = (dom: string): SettleResult => ({
    pending,
    leftOut: own.leftOut(network.inflightSince(mark, since)),
    pageOwn: (entry) => own.isPageOwn(entry),
    dom,
    busy: quiet.busy,
    marks: dom === 'quiet' || dom === 'busy' ? quiet.marks : undefined,
  });
  // A new document is watched as soon as it has loaded, before its requests are waited for: its
  // polling then counts as its own (its loops asked the URLs while it loaded, unprompted), where
  // waiting first let every poll keep the network busy up to the limit (2 s for navigate).
  let watchedNew = false;
  const watchNewDocument = async () => {
    watchedNew = true;
    await waitForLoad(page, Math.min(limits.loadMs, Math.max(0, deadline - Date.now() + limits.loadMs)));
    await watchActivity(page, action, limits.timersMs);
  };
  for (let round = 0; round < 20; round++) {
    // (With a dialog open, watching returns at once: the page's JavaScript is blocked.)
    if (!watchedNew && navigated()) await watchNewDocument();
    if (dialogOpen()) return result('dialog');
    pending = await waitForNetworkIdle(network, mark, since, Math.max(0, Math.min(limits.networkMs, deadline - Date.now())), dialogOpen, own);
    if (dialogOpen()) return result('dialog');
    quiet = await waitForPageQuiet(page, action, Math.max(0, Math.min(limits.domMs, deadline - Date.now())));
    if (quiet.state === 'timeout') {
      pending = stillLoading();
      return result('timeout');
    }
    if (quiet.state === 'dialog') return result('dialog');
    if (quiet.state === 'loading' || quiet.state === 'new-document') {
      // A navigation replaced the document: wait for its load, then watch the new one. (The same
      // document, not watching this action: watching could not start, as when a dialog was open.)
      if (navigated()) await watchNewDocument();
      else await watchActivity(page, action, limits.timersMs);
      if (Date.now() >= deadline) break;
      continue;
    }
    // Before calling it settled, the page says again which requests are its own: the action may
    // have fetched one of those URLs itself since.
    if (own.leftOut(network.inflightSince(mark, since)).length) await own.fresh();
    if (stillLoading().length === 0 || Date.now() >= deadline) break;
  }
  pending = stillLoading();
  // Fetches that never held settling up were not asked about: the page's answer tells the report
  // which of them (and of those the report waits for next, a new tab's load) are its own polling.
  if (!own.answered && network.since(mark).some((entry) => entry.resourceType === 'Fetch') && !dialogOpen()) await own.fresh();
  return result(Date.now() >= deadline && quiet.state !== 'quiet' ? 'timeout' : quiet.state);
}

/** Waits, bounded, until the page's main document has loaded. */
export async function waitForLoad(page: PageDriver, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end && !page.dialog() && !page.isClosed()) {
    const state = await withTimeout(page.unlessDialog(page.mainFrame().evaluate(() => document.readyState)), 2_000, 'Reading the load state').catch(
      () => 'loading',
    );
    if (state === 'complete') return;
    await sleep(25);
  }
}
