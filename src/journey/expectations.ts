import type { PageState } from '../actions/pageState.js';
import { isAppMessage, type ConsoleEntry } from '../capture/consoleLog.js';
import { isFailed, isFavicon, type NetworkEntry } from '../capture/networkLog.js';
import { UsageError, errorMessage } from '../util/errors.js';
import { truncate } from '../util/text.js';
import { withTimeout } from '../util/time.js';
import { jsExpectationSource, regexParts, type Expectation } from './schema.js';
import { countMatches, parseAriaSelector, selectorSyntaxError } from './selectors.js';
import { describeServerExpectation, isServerExpectation } from './serverKinds.js';

export interface ExpectationVerdict {
  expectation: Expectation;
  description: string;
  /** 'not-checked' when the run could not check it (the detail says why); never counted as passed. */
  status: 'passed' | 'failed' | 'not-checked';
  /** status === 'passed', for readers of older run records. */
  passed: boolean;
  detail?: string;
  /** What a server expectation found: offending spans or lines (bounded), each with its trace id. */
  found?: string[];
}

/** An expectation the run could not check, and why. */
export function notChecked(expectation: Expectation, why: string): ExpectationVerdict {
  return { expectation, description: describeExpectation(expectation), status: 'not-checked', passed: false, detail: why };
}


export function describeExpectation(expectation: Expectation): string {
  if (isServerExpectation(expectation)) return describeServerExpectation(expectation);
  switch (expectation.type) {
    case 'text':
      return `text ${JSON.stringify(expectation.text)} is ${expectation.visible === false ? 'not ' : ''}visible`;
    case 'element':
      return `element ${expectation.selector} is ${expectation.present === false ? 'absent' : 'present'}`;
    case 'noConsoleErrors':
      return 'no console errors';
    case 'noFailedRequests':
      return expectation.pattern ? `no failed requests matching ${JSON.stringify(expectation.pattern)}` : 'no failed requests';
    case 'js':
      return `${expectation.expression} is true`;
  }
}

/** Runs in the page: whether the visible text contains `text`. */
function pageHasText(text: string): boolean {
  return (document.body?.innerText ?? '').includes(text);
}

export function consoleErrors(entries: ConsoleEntry[]): ConsoleEntry[] {
  return entries.filter((entry) => entry.level === 'error' && isAppMessage(entry));
}

export function failedRequests(entries: NetworkEntry[]): NetworkEntry[] {
  return entries.filter((entry) => isFailed(entry) && !isFavicon(entry.url));
}

function matches(pattern: string, url: string): boolean {
  const regex = regexParts(pattern);
  // Patterns are checked when parsed (syntaxProblem), so the RegExp compiles.
  return regex ? new RegExp(regex.source, regex.flags).test(url) : url.includes(pattern);
}

/**
 * Checks that the selectors of element expectations parse, in a real document (the page's own
 * parser: CSS and XPath), so a broken one is refused when the journey is saved or starts, not
 * passed silently as "absent". Throws a UsageError naming the selector.
 */
export async function checkSelectors(state: PageState, expectations: Expectation[], hint: string): Promise<void> {
  for (const expectation of expectations) {
    if (expectation.type !== 'element') continue;
    const { selector } = expectation;
    const aria = selector.startsWith('aria/') && !parseAriaSelector(selector) ? 'an aria/ selector is aria/<name> or aria/<name>[role="<role>"]' : null;
    const problem = aria ?? (await withTimeout(state.page.mainFrame().evaluate(selectorSyntaxError, selector), state.callTimeout, 'Checking a selector'));
    if (problem) throw new UsageError(`${JSON.stringify(truncate(selector, 100))} is not a valid selector: ${problem}`, hint);
  }
}

/** Checks one expectation against the page now and what the run logged. */
export async function checkExpectation(state: PageState, expectation: Expectation, log: { console: ConsoleEntry[]; network: NetworkEntry[] }): Promise<ExpectationVerdict> {
  const description = describeExpectation(expectation);
  const verdict = (passed: boolean, detail?: string): ExpectationVerdict => ({ expectation, description, status: passed ? 'passed' : 'failed', passed, detail });
  // The server's are checked against the apps' telemetry (serverChecks.ts), not the page.
  if (isServerExpectation(expectation)) return notChecked(expectation, 'a server expectation needs the apps and their telemetry');
  try {
    switch (expectation.type) {
      case 'text': {
        // Text inside iframes counts too: a person sees it on the page.
        // Each frame on its own clock: a hung third-party frame counts as not showing the text.
        const inFrames = state.page.frames().map((frame) =>
          withTimeout(frame.evaluate(pageHasText, expectation.text), state.callTimeout, 'Reading the page text').catch(() => false),
        );
        const present = (await Promise.all(inFrames)).some(Boolean);
        const wanted = expectation.visible !== false;
        return verdict(present === wanted, present === wanted ? undefined : `the text is ${present ? '' : 'not '}on the page`);
      }
      case 'element': {
        const count = await countMatches(state, [expectation.selector]);
        const wanted = expectation.present !== false;
        return verdict(wanted ? count > 0 : count === 0, `${count} matching element${count === 1 ? '' : 's'}`);
      }
      case 'noConsoleErrors': {
        const errors = consoleErrors(log.console);
        return verdict(errors.length === 0, errors.length ? errors.slice(0, 3).map((e) => e.text).join(' | ') : undefined);
      }
      case 'noFailedRequests': {
        const failed = failedRequests(log.network).filter((entry) => !expectation.pattern || matches(expectation.pattern, entry.url));
        return verdict(failed.length === 0, failed.length ? failed.slice(0, 3).map((e) => `${e.method} ${e.url} → ${e.failure ?? e.status}`).join(' | ') : undefined);
      }
      case 'js': {
        const value = await withTimeout(state.page.mainFrame().evaluateExpression(jsExpectationSource(expectation.expression)), state.callTimeout, 'The expectation');
        return verdict(value === true, value === true ? undefined : 'it was false');
      }
    }
  } catch (error) {
    return verdict(false, `could not check: ${errorMessage(error)}`);
  }
}
