import { selectOptions, typeInto } from '../actions/elements.js';
import { navigate } from '../actions/navigation.js';
import { performAction, type Effects } from '../actions/perform.js';
import type { PageState } from '../actions/pageState.js';
import type { ConsoleEntry } from '../capture/consoleLog.js';
import type { NetworkEntry } from '../capture/networkLog.js';
import type { ElementRef } from '../cdp/elementRef.js';
import { errorMessage } from '../util/errors.js';
import { article } from '../util/text.js';
import { sleep, withTimeout } from '../util/time.js';
import { checkExpectation, consoleErrors, failedRequests, type ExpectationVerdict } from './expectations.js';
import { EXPECT_STEP, expectationSchema, type Expectation, type Journey, type Step, type UnsupportedStep } from './schema.js';
import { countMatches, parseAriaSelector, resolveSelectors } from './selectors.js';

export type StepStatus = 'passed' | 'failed' | 'not-found' | 'skipped' | 'not-run';

export interface StepVerdict {
  index: number;
  type: string;
  description: string;
  status: StepStatus;
  reason?: string;
  /** Console errors and failed requests that came during this step. */
  errors: ConsoleEntry[];
  failedRequests: NetworkEntry[];
  ms: number;
}

export interface RunResult {
  title: string;
  source: string;
  startedAt: number;
  endedAt: number;
  url: string;
  steps: StepVerdict[];
  expectations: ExpectationVerdict[];
  verdict: 'passed' | 'failed';
  console: ConsoleEntry[];
  network: NetworkEntry[];
}

export interface RunOptions {
  /** Expectations given at run time, checked after the journey's own. */
  expect?: Expectation[];
  /** What to do with a step type Legible does not run. */
  onUnsupported?: 'skip' | 'fail';
  navigationTimeout: number;
  /** How long to look for a step's element before calling it not found. */
  findTimeout?: number;
  /** Pause after each acting step, so a recording shows each state long enough to follow. */
  paceMs?: number;
  /**
   * Stops the run (the call was cancelled, or the run reached its time limit): the step under way
   * stops waiting, the rest are not run, and the reason (the signal's) is given with them.
   */
  signal?: AbortSignal;
}

/** No step waits longer than this for its element or condition, whatever its timeout says. */
export const MAX_STEP_TIMEOUT_MS = 60_000;

/** Steps that find an element by its selectors and act on it. */
const ELEMENT_STEPS = new Set(['click', 'doubleClick', 'hover', 'change']);

/** A selector as a person reads it: `aria/Add[role="button"]` becomes `button "Add"`. */
function readableSelector(selector: string): string {
  const aria = parseAriaSelector(selector);
  return aria?.role ? `${aria.role} ${JSON.stringify(aria.name)}` : selector;
}

export function describeStep(step: Step | UnsupportedStep): string {
  if ('unsupported' in step) return `${step.type} (not supported by Legible)`;
  const selectors = (step as { selectors?: (string | string[])[] }).selectors;
  const target = selectors?.length ? ` ${readableSelector([selectors[0]!].flat()[0]!)}` : '';
  switch (step.type) {
    case 'navigate':
      return `navigate to ${step.url}`;
    case 'change':
      return `change${target} to ${JSON.stringify(step.value)}`;
    case 'keyDown':
    case 'keyUp':
      return `${step.type} ${step.key}`;
    case 'setViewport':
      return `set viewport ${step.width}×${step.height}`;
    case 'waitForExpression':
      return `wait for ${step.expression}`;
    case 'waitForElement':
      return `wait for${target}${step.count !== undefined ? ` (${step.operator ?? '>='} ${step.count})` : ''}`;
    case 'customStep':
      return step.name === EXPECT_STEP ? 'expectation' : `custom step ${step.name}`;
    default:
      return `${step.type}${target}`;
  }
}

/**
 * Expectations about the page (text, element, js) are checked again until they hold, as
 * Playwright's assertions are, for at most this long in all (only when every step passed).
 */
const EXPECT_WAIT_MS = 1_500;
const ON_PAGE = new Set<Expectation['type']>(['text', 'element', 'js']);

/** Asks `probe` every 150 ms until `done` holds for its answer or `timeout` ms have passed; returns the last answer. */
async function poll<T>(probe: () => Promise<T>, done: (answer: T) => boolean, timeout: number, signal?: AbortSignal): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const answer = await probe();
    if (done(answer) || Date.now() >= end || signal?.aborted) return answer;
    await sleep(150);
  }
}

/** "there is no frame [1, 0]" when a step names a frame the page does not have; undefined otherwise. */
function missingFrame(state: PageState, frame: number[] | undefined): string | undefined {
  return frame?.length && !state.page.frameAtPath(frame) ? `there is no frame [${frame.join(', ')}]` : undefined;
}

async function findElement(state: PageState, selectors: (string | string[])[], frame: number[] | undefined, timeout: number): Promise<ElementRef | undefined> {
  const found = await poll(() => resolveSelectors(state, selectors, frame).catch(() => ({ element: undefined })), (answer) => !!answer.element, timeout, state.signal);
  return found.element;
}

function compare(count: number, operator: '>=' | '==' | '<=', wanted: number): boolean {
  return operator === '==' ? count === wanted : operator === '<=' ? count <= wanted : count >= wanted;
}

/** Runs one supported step; returns the action's effects (when it acted) or throws. */
async function runStep(state: PageState, step: Step, options: RunOptions): Promise<{ effects?: Effects; status?: StepStatus; reason?: string }> {
  const own = (step as { timeout?: unknown }).timeout;
  const findTimeout = Math.min(typeof own === 'number' && own > 0 ? own : (options.findTimeout ?? 5_000), MAX_STEP_TIMEOUT_MS);
  if (ELEMENT_STEPS.has(step.type)) {
    const { selectors, frame } = step as { selectors: (string | string[])[]; frame?: number[] };
    const element = await findElement(state, selectors, frame, findTimeout);
    if (!element) {
      const noFrame = missingFrame(state, frame);
      const where = noFrame ? `: ${noFrame}` : frame?.length ? ` in frame [${frame.join(', ')}]` : '';
      return { status: 'not-found', reason: `no element matches ${selectors.map((s) => [s].flat().join(' >> ')).join(' or ')}${where}` };
    }
    try {
      const effects = await performAction(
        state,
        async () => {
          if (step.type === 'click') await element.click({ button: step.button === 'secondary' ? 'right' : step.button === 'auxiliary' ? 'middle' : 'left' });
          else if (step.type === 'doubleClick') await element.click({ clickCount: 2 });
          else if (step.type === 'hover') await element.hover();
          else if (step.type === 'change') {
            const isSelect = await element.evaluate((el) => el instanceof HTMLSelectElement);
            if (isSelect) await selectOptions(element, [step.value]);
            else await typeInto(state.page, element, step.value, { clear: true, submit: false });
          }
        },
        { what: describeStep(step) },
      );
      return { effects };
    } finally {
      await element.dispose();
    }
  }
  switch (step.type) {
    case 'setViewport':
      await state.page.setViewport(step.width, step.height, step.deviceScaleFactor ?? 1);
      return {};
    case 'navigate':
      return { effects: (await navigate(state, { url: step.url }, options.navigationTimeout)).effects };
    case 'keyDown':
      await state.page.keyDown(step.key);
      return {};
    case 'keyUp':
      return { effects: await performAction(state, () => state.page.keyUp(step.key), { what: `key ${step.key}` }) };
    case 'scroll':
      await state.page.mainFrame().evaluate((x: number, y: number) => window.scrollTo(x, y), step.x ?? 0, step.y ?? 0);
      return {};
    case 'waitForElement': {
      const operator = step.operator ?? '>=';
      const wanted = step.count ?? 1;
      const count = await poll(() => countMatches(state, step.selectors, step.frame).catch(() => 0), (answer) => compare(answer, operator, wanted), findTimeout, options.signal);
      if (compare(count, operator, wanted)) return {};
      const noFrame = missingFrame(state, step.frame);
      return { status: 'failed', reason: `${count} matching elements after ${findTimeout} ms, wanted ${operator} ${wanted}${noFrame ? ` (${noFrame})` : ''}` };
    }
    case 'waitForExpression': {
      const expression = `(async () => Boolean(await (${step.expression})))()`;
      const value = await poll(
        () => withTimeout(state.page.mainFrame().evaluateExpression(expression), state.callTimeout, 'The expression').catch(() => false),
        (answer) => answer === true,
        findTimeout,
        options.signal,
      );
      if (value === true) return {};
      return { status: 'failed', reason: `still false after ${findTimeout} ms` };
    }
    default:
      return { status: 'skipped', reason: 'nothing to do' };
  }
}

/**
 * Replays a journey on a page and gives a verdict per step and overall. Steps run until one
 * fails or its element cannot be found (the rest are "not run"); expectations are always
 * checked, against the page as the run left it and what the run logged.
 */
export async function runJourney(state: PageState, journey: Journey, source: string, options: RunOptions): Promise<RunResult> {
  const startedAt = Date.now();
  const consoleMark = state.console.mark();
  const networkMark = state.network.mark();
  const steps: StepVerdict[] = [];
  const expectations: Expectation[] = [];
  let stopped = false;
  let stopReason: string | undefined;
  for (const [i, step] of journey.steps.entries()) {
    const verdict: StepVerdict = { index: i + 1, type: step.type, description: describeStep(step), status: 'passed', errors: [], failedRequests: [], ms: 0 };
    if (!('unsupported' in step) && step.type === 'customStep') {
      if (step.name === EXPECT_STEP) {
        expectations.push(expectationSchema.parse(step.parameters));
        continue;
      }
    }
    if (!stopped && options.signal?.aborted) {
      stopped = true;
      stopReason = errorMessage(options.signal.reason);
    }
    if (stopped) {
      verdict.status = 'not-run';
      if (stopReason) verdict.reason = stopReason;
      steps.push(verdict);
      continue;
    }
    const began = Date.now();
    if ('unsupported' in step) {
      verdict.status = options.onUnsupported === 'fail' ? 'failed' : 'skipped';
      verdict.reason = `Legible does not run "${step.type}" steps`;
    } else {
      try {
        const outcome = await runStep(state, step, options);
        if (outcome.status) verdict.status = outcome.status;
        if (outcome.reason) verdict.reason = outcome.reason;
        if (outcome.effects) {
          verdict.errors = consoleErrors(outcome.effects.console);
          verdict.failedRequests = failedRequests(outcome.effects.network);
          if (outcome.effects.dialog) {
            await state.page.handleDialog(true).catch(() => undefined);
            verdict.reason = `${article(outcome.effects.dialog.type)} dialog opened (${JSON.stringify(outcome.effects.dialog.message)}) and was accepted`;
          }
        }
      } catch (error) {
        verdict.status = 'failed';
        verdict.reason = errorMessage(error);
      }
    }
    if (options.signal?.aborted && verdict.status !== 'passed') {
      stopReason = errorMessage(options.signal.reason);
      verdict.reason = `${stopReason} during this step`;
    }
    verdict.ms = Date.now() - began;
    if (options.paceMs && verdict.status === 'passed' && step.type !== 'setViewport' && step.type !== 'keyDown') await sleep(options.paceMs);
    if (verdict.status === 'failed' || verdict.status === 'not-found') stopped = true;
    steps.push(verdict);
  }
  const all = [...expectations, ...(options.expect ?? [])];
  // What the page shows first, given a moment to come true (the app may still be rendering); then
  // the logs, read after that moment so late errors count too. Verdicts keep the given order.
  const onPage = new Map<Expectation, ExpectationVerdict>();
  const waitUntil = stopped ? 0 : Date.now() + EXPECT_WAIT_MS;
  for (const expectation of all.filter((e) => ON_PAGE.has(e.type))) {
    const check = () => checkExpectation(state, expectation, { console: [], network: [] });
    onPage.set(expectation, await poll(check, (verdict) => verdict.passed, Math.max(0, waitUntil - Date.now())));
  }
  const log = { console: state.console.since(consoleMark), network: state.network.since(networkMark) };
  const checked: ExpectationVerdict[] = [];
  for (const expectation of all) checked.push(onPage.get(expectation) ?? (await checkExpectation(state, expectation, log)));
  const passed = steps.every((step) => step.status === 'passed' || step.status === 'skipped') && checked.every((check) => check.passed);
  return {
    title: journey.title,
    source,
    startedAt,
    endedAt: Date.now(),
    url: state.page.url(),
    steps,
    expectations: checked,
    verdict: passed ? 'passed' : 'failed',
    console: log.console,
    network: log.network,
  };
}
