import { plural } from '../util/text.js';
import { withTimeout } from '../util/time.js';
import type { StepOutcome } from './elementSteps.js';
import { poll } from './poll.js';
import type { Step } from './schema.js';
import { InvalidSelectorError, inspectMatches, type Inspection } from './selectors.js';
import { frameIn, missingFrame, type StepScope } from './targets.js';

type WaitForElement = Extract<Step, { type: 'waitForElement' }>;

function compare(count: number, operator: '>=' | '==' | '<=', wanted: number): boolean {
  return operator === '==' ? count === wanted : operator === '<=' ? count <= wanted : count >= wanted;
}

/**
 * waitForElement as Recorder means it: the visible matches are counted (at least one by
 * default), each must have the wanted attributes and properties, and `visible: false` turns the
 * whole condition around (wait until it no longer holds). Asked again until the timeout.
 */
export async function waitForElement(scope: StepScope, step: WaitForElement, timeout: number): Promise<StepOutcome> {
  const operator = step.operator ?? '>=';
  const wanted = step.count ?? 1;
  const shown = step.visible !== false;
  const holds = (found: Inspection) => compare(found.visible, operator, wanted) && !found.mismatch;
  // A page between documents answers with errors for a moment: undefined, and asked again (it
  // never counts as "no match", which would pass a visible:false step). Selectors that do not parse never will.
  const probe = (): Promise<(Inspection & { selector?: string }) | undefined> =>
    inspectMatches(scope.state, step.selectors, frameIn(scope, step.frame), { properties: step.properties, attributes: step.attributes }).catch((error: unknown) => {
      if (error instanceof InvalidSelectorError) throw error;
      return undefined;
    });
  const found = await poll(probe, (answer) => !!answer && holds(answer) === shown, timeout);
  if (!found) return { status: 'failed', reason: `the page could not be read for ${timeout} ms` };
  if (holds(found) === shown) return {};
  const noFrame = missingFrame(scope, step.frame);
  const selector = found.selector ?? [step.selectors[0]!].flat().join(' >> ');
  if (!shown) return { status: 'failed', reason: `${selector} still ${found.visible === 1 ? 'shows' : `shows ${found.visible} matches`} after ${timeout} ms` };
  const hidden = found.total - found.visible;
  const counted = compare(found.visible, operator, wanted)
    ? undefined
    : found.visible === 0
      ? `no visible element matches ${selector}${hidden ? ` (${hidden} hidden)` : ''}`
      : `${plural(found.visible, 'visible element')} ${found.visible === 1 ? 'matches' : 'match'} ${selector}, wanted ${operator} ${wanted}`;
  const problems = [counted, found.mismatch, noFrame].filter(Boolean).join('; ');
  return { status: 'failed', reason: `${problems} (after ${timeout} ms)` };
}

/** waitForExpression: the expression (awaited) is truthy in the step's frame, asked again until the timeout. */
export async function waitForExpression(scope: StepScope, step: Extract<Step, { type: 'waitForExpression' }>, timeout: number): Promise<StepOutcome> {
  const expression = `(async () => Boolean(await (${step.expression})))()`;
  const value = await poll(
    async () => {
      const frame = frameIn(scope, step.frame);
      return frame ? withTimeout(frame.evaluateExpression(expression), scope.state.callTimeout, 'The expression').catch(() => false) : false;
    },
    (answer) => answer === true,
    timeout,
  );
  if (value === true) return {};
  const noFrame = missingFrame(scope, step.frame);
  return { status: 'failed', reason: `still false after ${timeout} ms${noFrame ? ` (${noFrame})` : ''}` };
}
