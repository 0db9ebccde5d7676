import { navigate, normaliseUrl } from '../actions/navigation.js';
import { performAction } from '../actions/perform.js';
import type { PageState } from '../actions/pageState.js';
import type { ConsoleEntry } from '../capture/consoleLog.js';
import type { NetworkEntry } from '../capture/networkLog.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { article } from '../util/text.js';
import { sleep } from '../util/time.js';
import { APPS_STEP, describeAppsStep } from './appUrls.js';
import { NO_EVALUATE_FLAG, pageScriptUrl } from '../util/urlScheme.js';
import { checkAssertedEvents } from './assertedEvents.js';
import { describeStep } from './describe.js';
import { runElementStep, type StepOutcome } from './elementSteps.js';
import { runLegibleStep } from './legibleSteps.js';
import { checkExpectation, checkSelectors, consoleErrors, failedRequests, notChecked, type ExpectationVerdict } from './expectations.js';
import { poll, withRunSignal } from './poll.js';
import { EXPECTATION_HINT, EXPECT_STEP, expectationSchema, unknownFields, type Expectation, type Journey, type Step } from './schema.js';
import { fillSecrets, missingSecret } from './secrets.js';
import { findTarget, frameIn, type StepScope, type TabLister } from './targets.js';
import { decideVerdict, type Counts, type StepVerdict, type Verdict } from './verdict.js';
import { checkServerExpectation, type ServerSide } from './serverChecks.js';
import { isServerExpectation } from './serverKinds.js';
import { collectServer } from './serverCollect.js';
import { MAX_STEP_LINES, type RunServer, type ServerLine, type StepServer } from './serverRecord.js';
import type { ServerActivity } from '../telemetry/activity.js';
import type { LoggedLine } from '../telemetry/logs/recent.js';
import { waitForElement, waitForExpression } from './waitSteps.js';

export { describeStep } from './describe.js';
export type { StepStatus, StepVerdict, Verdict } from './verdict.js';

export interface RunResult {
  title: string;
  source: string;
  startedAt: number;
  endedAt: number;
  url: string;
  steps: StepVerdict[];
  expectations: ExpectationVerdict[];
  verdict: Verdict;
  counts: Counts;
  /** What was not checked or not run, one line each (empty for a passed or failed run that checked everything). */
  unchecked: string[];
  /** True when no step acted or asserted and no expectation was checked. */
  checkedNothing: boolean;
  /** Why the journey could not reach the app (for an `error` verdict). */
  environment?: string;
  console: ConsoleEntry[];
  network: NetworkEntry[];
  /** What the apps did during the run (a run with apps under test): spans, log lines, start-ups. */
  server?: RunServer;
}

export interface RunOptions {
  /** Expectations given at run time, checked after the journey's own. */
  expect?: Expectation[];
  /** What to do with a step type Legible does not run: report it not run (the run is then incomplete), or fail. */
  onUnsupported?: 'skip' | 'fail';
  navigationTimeout: number;
  /** False with --no-evaluate: a navigate step to a URL that brings script (a data: page, a blob:) is not run either. */
  evaluate?: boolean;
  /** How long to look for a step's element before calling it not found (a step's own timeout wins). */
  findTimeout?: number;
  /** Pause after each acting step, so a recording shows each state long enough to follow. */
  paceMs?: number;
  /** The browser's open tabs, for steps whose target is another tab (a popup) or an out-of-process frame. */
  tabs: TabLister;
  /**
   * Brings a step's tab to the front (a background tab renders no frames, so a click there would
   * wait forever), unless it is known to be there still: the browser session's, which hears of
   * every tab the browser creates, as each takes the front (even a popup that never loads).
   */
  showTab: (state: PageState) => Promise<void>;
  /** The value of a secret a step refers to (`${LEGIBLE_SECRET_…}`); default: the environment. */
  secret?: (variable: string) => string | undefined;
  /** Where an app runs now (its URL), for the `legible.apps` step's line; undefined when it does not run. */
  appUrl?: (app: string) => string | undefined;
  /** Told each secret a change step typed from the file itself into a secret field, so this session can replay what refers to it. */
  remember?: (variable: string, value: string) => void;
  /** The apps' backends and start-ups, for the server expectations; without it they are not checked. */
  server?: ServerSide;
  /**
   * Stops the run (the call was cancelled, or the run reached its time limit): the step under way
   * stops waiting, the rest are not run, and the reason (the signal's) is given with them.
   */
  signal?: AbortSignal;
}

/** No step waits longer than this for its element or condition, whatever its timeout says. */
export const MAX_STEP_TIMEOUT_MS = 60_000;

/**
 * Expectations about the page (text, element, js) are checked again until they hold, as
 * Playwright's assertions are, for at most this long in all (only when every step passed).
 */
const EXPECT_WAIT_MS = 1_500;
const ON_PAGE = new Set<Expectation['type']>(['text', 'element', 'js']);

/** A load that never reached the server (nothing listening, no such host, timed out): the environment, not the app. */
function unreachable(error: unknown): boolean {
  const text = `${errorMessage(error)} ${error instanceof Error && error.cause ? errorMessage(error.cause) : ''}`;
  return /net::ERR_(?!ABORTED|BLOCKED)|did not finish loading|Navigation timeout/i.test(text);
}

/** What the steps of one run share: whether the journey closed its tab, the tabs it used. */
interface Replay {
  main: PageState;
  options: RunOptions;
  /** The step that closed the journey's own tab (it closes when the run ends). */
  closedAt?: number;
  /** Called with each tab before a step runs in it, so its logs count for the run. */
  enter(tab: PageState): void;
}

/** Runs one step in its scope; returns its outcome or throws. */
async function runStep(scope: StepScope, step: Step, timeout: number, replay: Replay, index: number): Promise<StepOutcome> {
  const { options } = replay;
  const { state } = scope;
  // Secrets the step refers to (journey/secrets.ts), filled in before anything runs.
  const filled = step.type === 'change' || step.type === 'navigate' ? fillSecrets(step.type === 'change' ? step.value : step.url, options.secret ?? ((name) => process.env[name])) : undefined;
  if (filled?.missing) return { status: 'failed', reason: missingSecret(filled.missing) };
  switch (step.type) {
    case 'click':
    case 'doubleClick':
    case 'hover':
      return runElementStep(scope, step, timeout);
    case 'change':
      return runElementStep(scope, step, timeout, filled?.value);
    case 'scroll': {
      if (step.selectors) return runElementStep(scope, { ...step, selectors: step.selectors }, timeout);
      const frame = frameIn(scope, step.frame);
      if (!frame) return { status: 'failed', reason: `there is no frame [${step.frame?.join(', ')}]` };
      await frame.evaluate((x: number, y: number) => window.scrollTo({ left: x, top: y, behavior: 'instant' }), step.x ?? 0, step.y ?? 0);
      return {};
    }
    case 'setViewport':
      await state.page.setViewport(step.width, step.height, step.deviceScaleFactor ?? 1, { isMobile: step.isMobile, hasTouch: step.hasTouch, isLandscape: step.isLandscape });
      return {};
    case 'emulateNetworkConditions':
      await state.page.emulateNetworkConditions(step);
      return {};
    case 'navigate': {
      // The checks the navigate tool makes (normaliseUrl, the URL read as the browser reads it):
      // a javascript: URL would run code, not load a page, so it is not run; nor, with
      // --no-evaluate, a URL that brings script of its own (a secret filled in may be one); nor a
      // scheme a tab cannot open. A bare host gets http://.
      let url: string;
      try {
        url = normaliseUrl(filled?.value ?? step.url, { evaluate: options.evaluate });
      } catch (error) {
        if (!(error instanceof LegibleError)) throw error;
        const script = pageScriptUrl(filled?.value ?? step.url);
        // How to run code instead fits the mode: with --no-evaluate nothing does (a secret filled in may still be such a URL).
        const instead = options.evaluate === false ? `this server runs ${NO_EVALUATE_FLAG}, so nothing runs JavaScript in the page` : 'a waitForExpression step can run code';
        if (script?.inPage) return { status: 'not-run', reason: `${script.label} runs code in the page instead of loading one (${instead})` };
        return { status: 'not-run', reason: error.message };
      }
      return { effects: (await navigate(state, { url }, options.navigationTimeout)).effects };
    }
    case 'keyDown':
      await state.page.keyDown(step.key);
      return {};
    case 'keyUp':
      return { effects: await performAction(state, () => state.page.keyUp(step.key), { what: `key ${step.key}` }) };
    case 'close':
      if (scope.root) return { status: 'not-run', reason: 'a frame cannot be closed, only a tab' };
      if (!step.target || step.target === 'main') {
        // The expectations still need the page: the journey's own tab closes when the run ends.
        replay.closedAt = index;
        return { reason: 'the tab closes when the run ends, after the expectations' };
      }
      await state.page.close();
      return {};
    case 'waitForElement':
      return waitForElement(scope, step, timeout);
    case 'waitForExpression':
      return waitForExpression(scope, step, timeout);
    case 'customStep':
      return (await runLegibleStep(scope, step, timeout, { evaluate: options.evaluate })) ?? { status: 'not-run', reason: `Legible does not know the custom step ${JSON.stringify(step.name)}` };
  }
}

function serverLine(line: LoggedLine): ServerLine {
  return {
    timeMs: line.timeMs,
    app: line.labels.app ?? line.labels.service_name ?? 'app',
    ...(line.labels.stream ? { stream: line.labels.stream } : {}),
    level: line.level,
    line: line.line,
    ...(line.traceId ? { traceId: line.traceId } : {}),
  };
}

/** What a step keeps of its Server section: its trace id and lines (the run adds its spans at the end). */
function stepServer(activity: ServerActivity | undefined): StepServer | undefined {
  if (!activity) return undefined;
  const lines = [...(activity.trace?.logs ?? []), ...activity.logs].map(serverLine);
  const more = (activity.trace?.logsMore ?? 0) + activity.more + Math.max(0, lines.length - MAX_STEP_LINES);
  return { ...(activity.traceId ? { traceId: activity.traceId } : {}), spans: [], spansMore: 0, logs: lines.slice(0, MAX_STEP_LINES), logsMore: more };
}

/** Runs a step with its target, asserted events and the fields Legible does not know; fills the verdict. */
async function runOne(replay: Replay, step: Step, verdict: StepVerdict, timeout: number): Promise<void> {
  const target = (step as { target?: string }).target;
  if (replay.closedAt !== undefined && (!target || target === 'main')) {
    verdict.status = 'failed';
    verdict.reason = `the journey closed its tab at step ${replay.closedAt}`;
    return;
  }
  const scope = await findTarget(replay.main, target, replay.options.tabs, timeout);
  if (typeof scope === 'string') {
    verdict.status = 'not-found';
    verdict.reason = scope;
    return;
  }
  replay.enter(scope.state);
  if (step.type !== 'setViewport' && step.type !== 'emulateNetworkConditions') await replay.options.showTab(scope.state);
  const outcome = await runStep(scope, step, timeout, replay, verdict.index);
  if (outcome.status) verdict.status = outcome.status;
  if (outcome.reason) verdict.reason = outcome.reason;
  if (outcome.description) verdict.description = outcome.description;
  if (outcome.secret) {
    verdict.secret = outcome.secret.variable;
    replay.options.remember?.(outcome.secret.variable, outcome.secret.value);
  }
  const unchecked = [...(outcome.unchecked ?? []), ...unknownFields(step).map((field) => `field ${JSON.stringify(field)}`)];
  if (outcome.effects) {
    const server = stepServer(outcome.effects.server);
    if (server) verdict.server = server;
    verdict.errors = consoleErrors(outcome.effects.console);
    verdict.failedRequests = failedRequests(outcome.effects.network);
    if (outcome.effects.dialog) {
      await scope.state.page.handleDialog(true).catch(() => undefined);
      verdict.reason = `${article(outcome.effects.dialog.type)} dialog opened (${JSON.stringify(outcome.effects.dialog.message)}) and was accepted`;
    }
  }
  if (verdict.status === 'passed' && step.assertedEvents?.length) {
    if (step.type === 'close') unchecked.push('assertedEvents of a close step');
    else {
      const events = await checkAssertedEvents(scope, step.assertedEvents, (step as { frame?: number[] }).frame, timeout);
      unchecked.push(...events.unchecked);
      if (events.failure) {
        verdict.status = 'failed';
        verdict.reason = events.failure;
      }
    }
  }
  if (unchecked.length && verdict.status === 'passed') verdict.unchecked = unchecked;
}

/**
 * Replays a journey on a page and gives a verdict per step and overall. Steps run until one
 * fails or its element cannot be found (the rest are skipped); expectations are checked against
 * the page as the run left it and what the run logged, and are "not checked" when the journey
 * stopped before its end (except log expectations that already failed).
 */
export async function runJourney(state: PageState, journey: Journey, source: string, options: RunOptions): Promise<RunResult> {
  const startedAt = Date.now();
  // Logs that count for the run: the journey's own tab's since now, and those of every other tab
  // it ran steps in: since now for a tab that was already open, from its start for one the run opened.
  const openBefore = new Set((await options.tabs().catch(() => [] as PageState[])).map((tab) => tab.page.id));
  const marks = new Map<PageState, { console: number; network: number }>();
  const enter = (tab: PageState) => {
    if (marks.has(tab)) return;
    const fresh = tab !== state && !openBefore.has(tab.page.id);
    marks.set(tab, fresh ? { console: 0, network: 0 } : { console: tab.console.mark(), network: tab.network.mark() });
  };
  enter(state);
  const steps: StepVerdict[] = [];
  const expectations: Expectation[] = [];
  for (const step of journey.steps) {
    if (!('unsupported' in step) && step.type === 'customStep' && step.name === EXPECT_STEP) expectations.push(expectationSchema.parse(step.parameters));
  }
  const all = [...expectations, ...(options.expect ?? [])];
  await checkSelectors(state, all, EXPECTATION_HINT);
  const replay: Replay = { main: state, options, enter };
  let stopped: StepVerdict | undefined;
  /** Why the run stopped before its end, when its signal aborted (time limit, cancellation). */
  let stopReason: string | undefined;
  let reachedPage = false;
  for (const [i, step] of journey.steps.entries()) {
    // Steps are numbered as the file counts them. Expectations are checked at the end, and listed
    // with them; the apps' origins were dealt with before the run (runApps.ts): that step is
    // listed as it was used, so a saved journey's steps are shown from 1.
    if (!('unsupported' in step) && step.type === 'customStep' && step.name === EXPECT_STEP) continue;
    if (!('unsupported' in step) && step.type === 'customStep' && step.name === APPS_STEP) {
      const description = options.appUrl ? describeAppsStep(step.parameters, options.appUrl) : describeStep(step);
      steps.push({ index: i + 1, type: step.type, description, status: 'passed', setup: true, errors: [], failedRequests: [], ms: 0 });
      continue;
    }
    const verdict: StepVerdict = { index: i + 1, type: step.type, description: describeStep(step), status: 'passed', errors: [], failedRequests: [], ms: 0 };
    steps.push(verdict);
    if (!stopped && !stopReason && options.signal?.aborted) stopReason = errorMessage(options.signal.reason);
    if (!stopped && stopReason) {
      verdict.status = 'not-run';
      verdict.reason = stopReason;
      continue;
    }
    if (stopped) {
      verdict.status = 'skipped';
      verdict.reason = `step ${stopped.index} ${stopped.status === 'not-found' ? 'found no element' : 'failed'}`;
      continue;
    }
    const began = Date.now();
    verdict.at = began;
    if ('unsupported' in step) {
      verdict.status = options.onUnsupported === 'fail' ? 'failed' : 'not-run';
      verdict.reason = `Legible does not run "${step.type}" steps`;
    } else {
      const own = step.timeout;
      const timeout = Math.min(typeof own === 'number' && own > 0 ? own : (journey.timeout ?? options.findTimeout ?? 5_000), MAX_STEP_TIMEOUT_MS);
      try {
        await withRunSignal(options.signal, () => runOne(replay, step, verdict, timeout));
      } catch (error) {
        verdict.status = 'failed';
        verdict.reason = errorMessage(error);
        if (step.type === 'navigate' && !reachedPage && unreachable(error)) {
          verdict.environment = true;
          // What to do about it ("Start the dev server, or check the port") is worth as much as what happened.
          if (error instanceof LegibleError && error.hint) verdict.reason += ` ${error.hint}`;
        }
      }
      if (step.type === 'navigate' && verdict.status === 'passed') reachedPage = true;
    }
    if (options.signal?.aborted && verdict.status !== 'passed') verdict.reason = `${errorMessage(options.signal.reason)} during this step`;
    verdict.ms = Date.now() - began;
    if (options.paceMs && verdict.status === 'passed' && step.type !== 'setViewport' && step.type !== 'keyDown') await sleep(options.paceMs);
    if (verdict.status === 'failed' || verdict.status === 'not-found') stopped = verdict;
  }
  if (!state.page.isClosed()) await options.showTab(state);

  // What the page shows first, given a moment to come true (the app may still be rendering); then
  // the logs, read after that moment so late errors count too. Verdicts keep the given order.
  const onPage = new Map<Expectation, ExpectationVerdict>();
  const why = stopped?.environment
    ? 'the journey never reached its first page'
    : stopped
      ? `the journey stopped at step ${stopped.index}`
      : stopReason
        ? `the run stopped early: ${stopReason}`
        : undefined;
  for (const expectation of all.filter((e) => ON_PAGE.has(e.type))) {
    if (why) {
      onPage.set(expectation, notChecked(expectation, why));
      continue;
    }
    const waitUntil = Date.now() + EXPECT_WAIT_MS;
    const check = () => checkExpectation(state, expectation, { console: [], network: [] });
    onPage.set(expectation, await poll(check, (verdict) => verdict.passed, Math.max(0, waitUntil - Date.now())));
  }
  const log = { console: [] as ConsoleEntry[], network: [] as NetworkEntry[] };
  for (const [tab, at] of marks) {
    log.console.push(...tab.console.since(at.console));
    log.network.push(...tab.network.since(at.network));
  }
  // The server's, over the run's time range, once what the apps export at its end has arrived.
  const onServer = new Map<Expectation, ExpectationVerdict>();
  const serverSide = all.filter(isServerExpectation);
  let server: RunServer | undefined;
  if (options.server) {
    await options.server.settle({ metrics: serverSide.some((e) => e.type === 'metric') });
    const window = { startMs: startedAt, endMs: Date.now() };
    for (const expectation of serverSide) onServer.set(expectation, await checkServerExpectation(options.server, expectation, window));
    server = await collectServer(options.server, steps, window);
  }
  const checked: ExpectationVerdict[] = [];
  for (const expectation of all) {
    const verdict =
      onPage.get(expectation) ??
      onServer.get(expectation) ??
      (isServerExpectation(expectation) ? notChecked(expectation, 'this run has no apps under test to ask (no server side)') : await checkExpectation(state, expectation, log));
    // A log that is clean only because the journey stopped early proves nothing; one with errors does.
    const proves = verdict.status === 'failed' && !stopped?.environment;
    checked.push(why && !proves ? notChecked(expectation, why) : verdict);
  }
  const summary = decideVerdict(steps, checked);
  return {
    title: journey.title,
    source,
    startedAt,
    endedAt: Date.now(),
    url: state.page.isClosed() ? '' : state.page.url(),
    steps,
    expectations: checked,
    ...summary,
    console: log.console,
    network: log.network,
    ...(server ? { server } : {}),
  };
}
