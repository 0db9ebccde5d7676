import type { InterceptRule } from '../cdp/interceptor.js';
import type { PageState } from './pageState.js';

/**
 * The `traceparent` of each action, on the requests a tab sends to the apps' own origins: one
 * interceptor rule per running app's origin (so Fetch pauses only those requests; with no app
 * running there is no rule and Fetch stays off), whose headers are made per request by the
 * action under way (`state.watch`): the action's trace id and a new parent span id. Between
 * actions the rules add nothing. Added at the network layer, after the browser decided whether
 * the request needs a CORS preflight: the page's request is sent as the page made it, plus one
 * header, and other origins never see it.
 */

const PREFIX = 'traceparent ';

/** Rules this module made for each tab (a tab opened by another copies its rules: those are replaced). */
const made = new WeakMap<PageState, Set<InterceptRule>>();

function traceRule(state: PageState, origin: string): InterceptRule {
  return {
    id: `${PREFIX}${origin}`,
    label: `traceparent → ${origin}`,
    key: origin,
    test: (url) => originOf(url) === origin,
    fetchPattern: `${origin}/*`,
    headersFor(url, method): Record<string, string> {
      const traceparent = state.watch?.traceparent(origin, { url, method });
      return traceparent ? { traceparent } : {};
    },
    outcome: { kind: 'continue' },
  };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Makes the tab's traceparent rules those of `origins` (the running apps'); cheap when nothing changed. */
export async function syncTraceRules(state: PageState, origins: Iterable<string>): Promise<void> {
  const interceptor = state.page.interceptor;
  const mine = made.get(state) ?? new Set<InterceptRule>();
  made.set(state, mine);
  const wanted = new Set(origins);
  const current = interceptor.rules().filter((rule) => rule.id.startsWith(PREFIX));
  const stale = current.filter((rule) => !wanted.has(rule.key ?? '')).map((rule) => rule.id);
  if (stale.length) await interceptor.remove(stale);
  for (const rule of current) if (stale.includes(rule.id)) mine.delete(rule);
  for (const origin of wanted) {
    const existing = current.find((rule) => rule.key === origin);
    if (existing && mine.has(existing)) continue;
    const rule = traceRule(state, origin);
    // Appended (mocks go first and still decide); one with the same id, copied from an opener, is replaced in place.
    await interceptor.add(rule);
    mine.add(rule);
  }
}
