import type { NetworkEntry, NetworkLog } from '../capture/networkLog.js';
import type { PageDriver } from '../cdp/pageDriver.js';
import { sleep, withTimeout } from '../util/time.js';

/**
 * How long the DOM must stay unchanged before an action counts as settled. Renders that follow a
 * response come within a task or an animation frame of it; requests are awaited separately, so
 * this window only has to cover those, not the network.
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
  /** Upper bound for waiting on the DOM to go quiet. */
  domMs: number;
  /** Upper bound for a new document to finish loading. */
  loadMs: number;
}

export const DEFAULT_SETTLE: SettleLimits = { networkMs: 5_000, domMs: 1_500, loadMs: 10_000 };

/** Installed before an action: records when the DOM last changed. Runs in the page. */
export function installMutationClock(): void {
  const key = Symbol.for('legible.mutations');
  const host = window as unknown as Record<symbol, { last: number; observer: MutationObserver } | undefined>;
  host[key]?.observer.disconnect();
  const clock = { last: performance.now(), observer: new MutationObserver(() => (clock.last = performance.now())) };
  clock.observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  Object.defineProperty(window, key, { value: clock, configurable: true, enumerable: false });
}

/**
 * Installs the mutation clock in the main frame. Bounded, and given up as soon as a dialog opens:
 * a dialog blocks the page's JavaScript, so the evaluation would wait for the dialog to close.
 */
export async function watchDom(page: PageDriver): Promise<void> {
  await withTimeout(page.unlessDialog(page.mainFrame().evaluate(installMutationClock)), 2_000, 'Watching the DOM').catch(() => undefined);
}

/**
 * Resolves in the page once the DOM has been quiet for `quietMs`, or after `maxMs`. Returns
 * 'quiet', 'busy' (still changing at the limit), or 'new-document' (the clock is gone: the page
 * navigated and the new document is loading or loaded).
 */
export function waitForDomQuiet(quietMs: number, maxMs: number): Promise<string> {
  const clock = (window as unknown as Record<symbol, { last: number } | undefined>)[Symbol.for('legible.mutations')];
  if (!clock) return Promise.resolve(document.readyState === 'complete' ? 'new-document' : 'loading');
  const start = performance.now();
  return new Promise((resolve) => {
    const check = () => {
      const now = performance.now();
      if (now - clock.last >= quietMs) return resolve('quiet');
      if (now - start >= maxMs) return resolve('busy');
      setTimeout(check, Math.max(5, quietMs - (now - clock.last)));
    };
    check();
  });
}

/** Waits until no request started after `since` is in flight, or until `maxMs`. */
export function waitForNetworkIdle(network: NetworkLog, mark: number, since: number, maxMs: number, stop: () => boolean): Promise<NetworkEntry[]> {
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
      resolve(network.inflightSince(mark, since));
    }
    let confirming = false;
    function check() {
      if (stop()) return finish();
      if (confirming || network.inflightSince(mark, since).length > 0) return;
      // Idle by the clock: first let any CDP messages already waiting on the socket in (a timer
      // can fire before pending I/O is read when this process was busy), then look again.
      confirming = true;
      setImmediate(() => {
        confirming = false;
        if (network.inflightSince(mark, since).length === 0) finish();
      });
    }
    check();
  });
}

export interface SettleResult {
  /** Requests still loading when waiting stopped. */
  pending: NetworkEntry[];
  /** 'quiet', or what made waiting stop early ('busy', 'dialog', 'timeout'). */
  dom: string;
}

/**
 * Waits for what an action set off: requests it started, a new document it navigated to, and
 * DOM mutations going quiet. Every wait is bounded; an open dialog stops waiting at once.
 */
export async function settle(page: PageDriver, network: NetworkLog, mark: number, since: number, limits: SettleLimits): Promise<SettleResult> {
  const dialogOpen = () => page.dialog() !== undefined;
  const deadline = Date.now() + limits.networkMs + limits.domMs;
  await sleep(GRACE_MS);
  let pending: NetworkEntry[] = [];
  let dom = 'quiet';
  for (let round = 0; round < 20; round++) {
    if (dialogOpen()) return { pending, dom: 'dialog' };
    pending = await waitForNetworkIdle(network, mark, since, Math.max(0, Math.min(limits.networkMs, deadline - Date.now())), dialogOpen);
    if (dialogOpen()) return { pending, dom: 'dialog' };
    const budget = Math.max(0, Math.min(limits.domMs, deadline - Date.now()));
    dom = await withTimeout(
      page.unlessDialog(page.mainFrame().evaluate(waitForDomQuiet, DOM_QUIET_MS, budget)),
      budget + 2_000,
      'Waiting for the page to go quiet',
    ).catch((error: unknown) => (error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'new-document'));
    if (dom === 'timeout') return { pending: network.inflightSince(mark, since), dom };
    if (dom === 'dialog') return { pending, dom };
    if (dom === 'loading' || dom === 'new-document') {
      // A navigation replaced the document: wait for its load, then watch the new DOM.
      await waitForLoad(page, Math.min(limits.loadMs, Math.max(0, deadline - Date.now() + limits.loadMs)));
      await watchDom(page);
      continue;
    }
    if (network.inflightSince(mark, since).length === 0 || Date.now() >= deadline) break;
  }
  return { pending: network.inflightSince(mark, since), dom: Date.now() >= deadline && dom !== 'quiet' ? 'timeout' : dom };
}

async function waitForLoad(page: PageDriver, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  while (Date.now() < end && !page.dialog()) {
    const state = await withTimeout(page.unlessDialog(page.mainFrame().evaluate(() => document.readyState)), 2_000, 'Reading the load state').catch(
      () => 'loading',
    );
    if (state === 'complete') return;
    await sleep(25);
  }
}
