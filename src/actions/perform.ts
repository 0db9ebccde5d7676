import type { ConsoleEntry } from '../capture/consoleLog.js';
import type { NetworkEntry } from '../capture/networkLog.js';
import type { DialogInfo, PageDriver } from '../cdp/pageDriver.js';
import type { ServerActivity } from '../telemetry/activity.js';
import { diffOutlines, type OutlineDiff } from '../snapshot/diff.js';
import type { Outline } from '../snapshot/outline.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { logDebug } from '../util/log.js';
import { redactText } from '../util/redact.js';
import { abortable, withTimeout } from '../util/time.js';
import { guard } from './guard.js';
import { syncTraceRules } from './traceHeaders.js';
import type { PageState } from './pageState.js';
import { DEFAULT_SETTLE, endWatching, marksDiffer, settle, waitForLoad, watchActivity, type PageMarks, type SettleLimits } from './settle.js';

/** A tab the action opened. */
export interface NewTab {
  /** None yet: the browser made the tab, but its first page has not arrived (Legible tracks a tab from then on). */
  id: string | undefined;
  url: string;
  title: string;
  /** Its page had not finished loading when the report was made. */
  loading: boolean;
}

/** What changed on the page after the last report or snapshot, before this action began. */
export interface ChangedBefore {
  /** The outline diff, when the same document is still there. */
  diff?: OutlineDiff;
  /** The page had loaded another document (this URL). */
  loaded?: string;
}

/** What an action set off, for the effects report. */
export interface Effects {
  urlBefore: string;
  urlAfter: string;
  titleBefore: string;
  titleAfter: string;
  /** The main frame committed a new document. */
  navigated: boolean;
  /** Changes that came after the last call and before this action (never counted as the action's). */
  changedBefore?: ChangedBefore;
  diff?: OutlineDiff;
  outline?: Outline;
  console: ConsoleEntry[];
  network: NetworkEntry[];
  pending: NetworkEntry[];
  /** Requests still loading that settling did not wait for, as the page's own polling (named, so the report does not look finished when one was the action's). */
  notWaitedFor: NetworkEntry[];
  /** The requests in `network` that are the page's own polling (not the action's doing; listed apart). */
  pagePolling: NetworkEntry[];
  dialog?: DialogInfo;
  newTabs: NewTab[];
  /** What the apps printed meanwhile (warnings and errors); absent when nothing. */
  server?: ServerActivity;
  /** 'quiet' when everything settled; otherwise why waiting stopped. */
  settled: string;
  /** What was still going on when waiting stopped early ('timers', 'animations', 'DOM changes', …). */
  busy: string[];
  elapsedMs: number;
}

export interface ActionOptions {
  limits?: Partial<SettleLimits>;
  /** Compute the outline diff (off for navigation, where the whole page is new). */
  diff?: boolean;
  /** Upper bound for the action itself (default: the page's call timeout). */
  timeoutMs?: number;
  /** Names the action in a timeout error ("Clicking e12"). */
  what?: string;
}

/** How long a new tab's page may take to load before the report names it as still loading. */
const NEW_TAB_LOAD_MS = 3_000;

/**
 * The "before" outline: the last one the agent saw, if the page has not changed since (the
 * mutation marks tell cheaply); else a fresh one, and what changed in between is reported apart.
 */
async function outlineBefore(state: PageState, marks: PageMarks | undefined): Promise<{ before?: Outline; changedBefore?: ChangedBefore }> {
  const seen = state.lastSeen();
  // While a dialog is open the page's JavaScript is blocked, so no outline can be read.
  if (state.page.dialog()) return { before: seen?.current ? seen.outline : undefined };
  if (seen?.current && seen.outline && !marksDiffer(seen.marks, marks)) return { before: seen.outline };
  const before = await state.outline(undefined, marks);
  if (!seen) return { before };
  if (!seen.current) return { before, changedBefore: { loaded: state.page.url() } };
  return { before, changedBefore: seen.outline ? { diff: diffOutlines(seen.outline.lines, before.lines) } : undefined };
}

/**
 * Names the tabs the action opened, once each is tracked and loaded (each wait bounded). A tab
 * whose first page has not arrived yet (its server takes the connection and does not answer) is
 * not tracked yet: it is named by the URL the page asked for, still loading.
 */
async function describeNewTabs(popups: { tab: Promise<PageDriver | undefined>; url: string }[]): Promise<NewTab[]> {
  if (!popups.length) return [];
  const end = Date.now() + NEW_TAB_LOAD_MS;
  const tabs = await Promise.all(
    popups.map(async ({ tab, url }): Promise<NewTab | undefined> => {
      const driver = await withTimeout(tab, NEW_TAB_LOAD_MS, 'Tracking the new tab').catch(() => 'untracked' as const);
      if (driver === 'untracked') return { id: undefined, url, title: '', loading: true };
      if (!driver || driver.isClosed()) return undefined;
      await waitForLoad(driver, Math.max(0, end - Date.now()));
      const loading = !driver.isClosed() && (await withTimeout(driver.mainFrame().evaluate(() => document.readyState), 1_000, 'Reading the load state').catch(() => 'loading')) !== 'complete';
      return { id: driver.id, url: driver.url(), title: await driver.title().catch(() => ''), loading };
    }),
  );
  return tabs.filter((tab): tab is NewTab => tab !== undefined);
}

/**
 * Runs one action and reports its effects. Every action tool goes through here, so the report is
 * the same everywhere: watch the page, take (or reuse) the "before" outline, mark the logs, act,
 * wait for the page to settle, then collect URL/title change, outline diff, new console and
 * network entries, new tabs, and any dialog that opened.
 */
export async function performAction(state: PageState, action: () => Promise<unknown>, options: ActionOptions = {}): Promise<Effects> {
  const actionId = state.nextAction();
  try {
    return await act(state, actionId, action, options);
  } finally {
    // Requests after the action (or after it failed) carry no trace of it, and what the page
    // fetches until the next action, it fetches unprompted.
    state.watch = undefined;
    endWatching(state.page, actionId);
  }
}

async function act(state: PageState, actionId: number, action: () => Promise<unknown>, options: ActionOptions): Promise<Effects> {
  const { page } = state;
  const started = Date.now();
  const wantDiff = options.diff ?? true;
  const limits = { ...DEFAULT_SETTLE, timersMs: state.timerWaitMs, ...options.limits };
  // Watching starts before the "before" outline, so its marks tell whether the page changed since the last look.
  const marks = await watchActivity(page, actionId, limits.timersMs);
  const { before, changedBefore } = wantDiff ? await outlineBefore(state, marks) : {};
  const version = state.documentVersion;
  const urlBefore = page.url();
  const titleBefore = await page.title().catch(() => '');
  const consoleMark = state.console.mark();
  const networkMark = state.network.mark();
  const dialogsBefore = state.dialogs.length;
  if (options.what) state.logAction(options.what);
  const watch = state.observer?.begin(options.what ? redactText(options.what) : undefined);
  state.watch = watch;
  // Requests to the running apps carry this action's trace id (a CDP round trip only when the apps changed).
  if (watch) await syncTraceRules(state, watch.origins.keys());
  const popups: { tab: Promise<PageDriver | undefined>; url: string }[] = [];
  const offPopup = page.onPopup((tab, url) => popups.push({ tab, url }));

  // A dialog blocks the action's own promise (the click does not return until it closes), so
  // the action races the dialog; its later result is ignored.
  let offDialog: () => void = () => undefined;
  const dialogOpened = new Promise<void>((resolve) => {
    offDialog = page.onDialog(() => resolve());
  });
  const tAct = Date.now();
  const acting = action();
  try {
    await guard(page, abortable(Promise.race([acting, dialogOpened]), state.signal), options.timeoutMs ?? state.callTimeout, options.what ?? 'The action', {
      // A tab out of front renders no frames and takes no input. Legible brings its tab to the
      // front before each call and after each new tab, but cannot see a page bring another tab
      // forward (its popup's focus()) or a window outside it: the failed call makes the next one bring it back.
      waiting: {
        message: `The browser did not complete the input: ${page.id} is not rendering, as happens when another tab or window took the front (a popup its page brought forward, a window outside Legible).`,
        hint: `Legible brings ${page.id} back to the front at the next call (pages {"action":"select","id":"${page.id}"} does it now, and pages {"action":"list"} shows the open tabs); take a snapshot to see whether the input took effect, then repeat it if it did not.`,
      },
    });
  } finally {
    offDialog();
  }
  const tSettle = Date.now();
  const settled = await abortable(settle(page, state.network, networkMark, started, limits, actionId, () => state.documentVersion !== version), state.signal);
  const tSettled = Date.now();
  offPopup();

  if (page.isCrashed()) {
    throw new LegibleError(
      `The page crashed during the action (its renderer process died).`,
      'Reload it with navigate {"go":"reload"} or navigate to a URL; the console tool may show what led up to it.',
    );
  }
  const navigated = state.documentVersion !== version;
  let outline: Outline | undefined;
  let diff: OutlineDiff | undefined;
  if (wantDiff && !page.dialog()) {
    try {
      outline = await state.outline(undefined, settled.marks);
      if (before && !navigated) diff = diffOutlines(before.lines, outline.lines);
    } catch (error) {
      // The page may be mid-navigation; the report still carries the rest.
      logDebug(`no outline after ${options.what ?? 'the action'}: ${errorMessage(error)}`);
    }
  } else if (!wantDiff && !page.dialog()) {
    state.sawWithoutOutline(settled.marks);
  }
  const newTabs = await describeNewTabs(popups);
  logDebug(
    `${options.what ?? 'action'}: before ${tAct - started} ms, act ${tSettle - tAct} ms, settle ${tSettled - tSettle} ms (${settled.dom}${settled.busy.length ? `: ${settled.busy.join(', ')}` : ''}), after ${Date.now() - tSettled} ms`,
  );
  const dialog = state.dialogs.length > dialogsBefore ? state.dialogs[state.dialogs.length - 1] : undefined;
  state.watch = undefined;
  const server = await watch?.finish();
  const network = state.network.since(networkMark);
  return {
    urlBefore,
    urlAfter: page.url(),
    titleBefore,
    titleAfter: await page.title().catch(() => titleBefore),
    navigated,
    changedBefore,
    diff,
    outline,
    console: state.console.since(consoleMark),
    network,
    pending: settled.pending,
    notWaitedFor: settled.leftOut,
    pagePolling: network.filter(settled.pageOwn),
    dialog,
    newTabs,
    ...(server ? { server } : {}),
    settled: settled.dom,
    busy: settled.busy,
    elapsedMs: Date.now() - started,
  };
}
