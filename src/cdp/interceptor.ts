import type { Protocol } from 'devtools-protocol';
import { errorMessage } from '../util/errors.js';
import { logDebug } from '../util/log.js';

/** How a request that a rule decides ends: answered here, failed as the network would fail it, or sent on. */
export type InterceptOutcome =
  | { kind: 'fulfil'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'fail'; reason: FailReason }
  | { kind: 'continue' };

/** Network errors a rule can fail a request with, as the page will see them (net::ERR_…). */
export const FAIL_REASONS = {
  refused: 'ConnectionRefused',
  timeout: 'TimedOut',
  aborted: 'Aborted',
  failed: 'Failed',
  offline: 'InternetDisconnected',
} as const satisfies Record<string, Protocol.Network.ErrorReason>;
export type FailReason = keyof typeof FAIL_REASONS;

export interface InterceptRule {
  /** Unique on the tab (m1, m2, … for mocks). */
  id: string;
  /** One line for lists: `m1 **\/api/cart → 500`. */
  label: string;
  /** What the rule is about (a mock's URL pattern as given). */
  key?: string;
  /** Whether the rule applies to a request (`resourceType`: DevTools' Network.ResourceType, such as Document, Script, XHR). */
  test(url: string, method: string, resourceType: string): boolean;
  /** The nearest DevTools Fetch urlPattern (`*` wildcards): only matching requests pause. */
  fetchPattern: string;
  /** Held this long before the outcome. */
  delayMs?: number;
  /**
   * Added to the request when it is sent on (a `traceparent`, say); every matching rule's add up.
   * Read for each paused request (it may be a getter). A rule with headers, even none at the
   * moment (`{}`), only adds headers: it is not reported as mocking the request.
   */
  headers?: Record<string, string>;
  /** Like `headers`, made for each request from its URL and method (read once per request). */
  headersFor?: (url: string, method: string) => Record<string, string>;
  /**
   * What happens to the request. A `continue` rule without a delay only adds its headers and lets
   * the next rules decide; the first matching rule that fulfils, fails or delays decides.
   */
  outcome: InterceptOutcome;
}

/** A request a rule decided (or a pass-through mock saw), for the network log (by the Network domain's request id). */
export interface Intercepted {
  networkId: string;
  ruleId: string;
  outcome: InterceptOutcome['kind'];
}

type Send = <T>(method: string, params?: Record<string, unknown>) => Promise<T>;

/**
 * One tab's request interception: an ordered list of rules over DevTools' Fetch domain. Fetch is
 * enabled (with the rules' URL patterns) only while there are rules, so a tab without mocks pays
 * nothing per request. Every paused request is answered, whatever happens to the rules meanwhile.
 */
export class RequestInterceptor {
  private list: InterceptRule[] = [];
  private enabled = false;
  private readonly listeners = new Set<(event: Intercepted) => void>();
  /** Serialises Fetch.enable/disable so the last rules set wins. */
  private updating: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: Send,
    on: (event: 'Fetch.requestPaused', handler: (event: Protocol.Fetch.RequestPausedEvent) => void) => void,
  ) {
    on('Fetch.requestPaused', (event) => void this.onPaused(event));
  }

  rules(): readonly InterceptRule[] {
    return this.list;
  }

  /** Adds a rule at the end, or the start with `first` (or replaces the one with the same id, in place). */
  async add(rule: InterceptRule, options: { first?: boolean } = {}): Promise<void> {
    const at = this.list.findIndex((known) => known.id === rule.id);
    this.list = at >= 0 ? this.list.map((known, i) => (i === at ? rule : known)) : options.first ? [rule, ...this.list] : [...this.list, rule];
    await this.sync();
  }

  /** Removes the rules with these ids (all when none given); returns those removed. */
  async remove(ids?: readonly string[]): Promise<InterceptRule[]> {
    const removed = this.list.filter((rule) => !ids || ids.includes(rule.id));
    this.list = this.list.filter((rule) => !removed.includes(rule));
    await this.sync();
    return removed;
  }

  /** Calls `listener` for each request a rule decided; returns the unsubscribe function. */
  onIntercepted(listener: (event: Intercepted) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private sync(): Promise<void> {
    this.updating = this.updating.then(async () => {
      if (!this.list.length) {
        if (this.enabled) await this.send('Fetch.disable').catch(() => undefined);
        this.enabled = false;
        return;
      }
      const patterns = [...new Set(this.list.map((rule) => rule.fetchPattern))].map((urlPattern) => ({ urlPattern, requestStage: 'Request' }));
      await this.send('Fetch.enable', { patterns: patterns.some((p) => p.urlPattern === '*') ? [{ urlPattern: '*', requestStage: 'Request' }] : patterns });
      this.enabled = true;
    });
    return this.updating;
  }

  private async onPaused(event: Protocol.Fetch.RequestPausedEvent): Promise<void> {
    const { requestId, request } = event;
    const matching = this.list.filter((rule) => rule.test(request.url, request.method, event.resourceType));
    const deciding = matching.find((rule) => rule.outcome.kind !== 'continue' || rule.delayMs);
    // Each rule's headers read once per request (a getter may make a value per request).
    const added = matching.map((rule) => (rule.headersFor ? rule.headersFor(request.url, request.method) : rule.headers));
    const extra = Object.assign({}, ...added.map((headers) => headers ?? {})) as Record<string, string>;
    try {
      if (deciding?.delayMs) await new Promise((resolve) => setTimeout(resolve, deciding.delayMs));
      const outcome = deciding?.outcome ?? { kind: 'continue' as const };
      if (outcome.kind === 'fulfil') {
        await this.send('Fetch.fulfillRequest', {
          requestId,
          responseCode: outcome.status,
          responseHeaders: Object.entries(outcome.headers).map(([name, value]) => ({ name, value })),
          body: Buffer.from(outcome.body).toString('base64'),
        });
      } else if (outcome.kind === 'fail') {
        await this.send('Fetch.failRequest', { requestId, errorReason: FAIL_REASONS[outcome.reason] });
      } else if (Object.keys(extra).length) {
        const headers = { ...request.headers, ...extra };
        await this.send('Fetch.continueRequest', { requestId, headers: Object.entries(headers).map(([name, value]) => ({ name, value })) });
      } else {
        await this.send('Fetch.continueRequest', { requestId });
      }
      // A rule that only adds headers (a traceparent) does not mock the request: it is not reported.
      const ruleId = deciding?.id ?? matching.find((_rule, i) => !added[i])?.id;
      if (ruleId && event.networkId) {
        for (const listener of this.listeners) listener({ networkId: event.networkId, ruleId, outcome: outcome.kind });
      }
    } catch (error) {
      // The page went away or the request was cancelled meanwhile: nothing is left to answer.
      logDebug(`intercepted ${request.url}: ${errorMessage(error)}`);
    }
  }
}
