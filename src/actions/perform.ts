import type { ConsoleEntry } from '../capture/consoleLog.js';
import type { NetworkEntry } from '../capture/networkLog.js';
import type { DialogInfo } from '../cdp/pageDriver.js';
import type { ServerActivity } from '../telemetry/activity.js';
import { diffOutlines, type OutlineDiff } from '../snapshot/diff.js';
import type { Outline } from '../snapshot/outline.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { logDebug } from '../util/log.js';
import { guard } from './guard.js';
import type { PageState } from './pageState.js';
import { DEFAULT_SETTLE, settle, watchDom, type SettleLimits } from './settle.js';

/** What an action set off, for the effects report. */
export interface Effects {
  urlBefore: string;
  urlAfter: string;
  titleBefore: string;
  titleAfter: string;
  /** The main frame committed a new document. */
  navigated: boolean;
  diff?: OutlineDiff;
  outline?: Outline;
  console: ConsoleEntry[];
  network: NetworkEntry[];
  pending: NetworkEntry[];
  dialog?: DialogInfo;
  popups: number;
  /** What the apps printed meanwhile (warnings and errors); absent when nothing. */
  server?: ServerActivity;
  /** 'quiet' when everything settled; otherwise why waiting stopped. */
  settled: string;
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

/**
 * Runs one action and reports its effects. Every action tool goes through here, so the report is
 * the same everywhere: take (or reuse) the "before" outline, mark the logs, act, wait for the
 * page to settle, then collect URL/title change, outline diff, new console and network entries,
 * and any dialog that opened.
 */
export async function performAction(state: PageState, action: () => Promise<unknown>, options: ActionOptions = {}): Promise<Effects> {
  const { page } = state;
  const started = Date.now();
  const wantDiff = options.diff ?? true;
  // While a dialog is open the page's JavaScript is blocked, so no outline can be read before.
  const before = wantDiff ? (state.lastOutline() ?? (page.dialog() ? undefined : await state.outline())) : undefined;
  const version = state.documentVersion;
  const urlBefore = page.url();
  const titleBefore = await page.title().catch(() => '');
  const consoleMark = state.console.mark();
  const networkMark = state.network.mark();
  const dialogsBefore = state.dialogs.length;
  if (options.what) state.logAction(options.what);
  const observed = state.observer?.begin();
  let popups = 0;
  const offPopup = page.onPopup(() => popups++);
  if (!page.isCrashed()) await watchDom(page);

  // A dialog blocks the action's own promise (the click does not return until it closes), so
  // the action races the dialog; its later result is ignored.
  let offDialog: () => void = () => undefined;
  const dialogOpened = new Promise<void>((resolve) => {
    offDialog = page.onDialog(() => resolve());
  });
  const tAct = Date.now();
  const acting = action();
  try {
    await guard(page, Promise.race([acting, dialogOpened]), options.timeoutMs ?? state.callTimeout, options.what ?? 'The action');
  } finally {
    offDialog();
  }
  const limits = { ...DEFAULT_SETTLE, ...options.limits };
  const tSettle = Date.now();
  const settled = await settle(page, state.network, networkMark, started, limits);
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
      outline = await state.outline();
      if (before && !navigated) diff = diffOutlines(before.lines, outline.lines);
    } catch (error) {
      // The page may be mid-navigation; the report still carries the rest.
      logDebug(`no outline after ${options.what ?? 'the action'}: ${errorMessage(error)}`);
    }
  }
  logDebug(`${options.what ?? 'action'}: before ${tAct - started} ms, act ${tSettle - tAct} ms, settle ${tSettled - tSettle} ms (${settled.dom}), after ${Date.now() - tSettled} ms`);
  const dialog = state.dialogs.length > dialogsBefore ? state.dialogs[state.dialogs.length - 1] : undefined;
  const server = await observed?.();
  return {
    urlBefore,
    urlAfter: page.url(),
    titleBefore,
    titleAfter: await page.title().catch(() => titleBefore),
    navigated,
    diff,
    outline,
    console: state.console.since(consoleMark),
    network: state.network.since(networkMark),
    pending: settled.pending,
    dialog,
    popups,
    ...(server ? { server } : {}),
    settled: settled.dom,
    elapsedMs: Date.now() - started,
  };
}
