import { selectOptions, typeInto } from '../actions/elements.js';
import { performAction, type Effects } from '../actions/perform.js';
import type { ElementRef, MouseButton } from '../cdp/elementRef.js';
import { errorMessage } from '../util/errors.js';
import { maskTyped } from '../util/redact.js';
import { describeStep } from './describe.js';
import { poll } from './poll.js';
import type { Step } from './schema.js';
import { passwordVariable } from './secrets.js';
import { InvalidSelectorError, resolveSelectors } from './selectors.js';
import { frameIn, missingFrame, type StepScope } from './targets.js';

/** What running one step came to; no status means it passed. */
export interface StepOutcome {
  effects?: Effects;
  status?: 'failed' | 'not-found' | 'not-run';
  reason?: string;
  /** Fields of the step that Legible did not honour. */
  unchecked?: string[];
  /** The step as the report shows it, when that differs from its own description (a masked password). */
  description?: string;
  /** A change step that typed the file's own value into a secret field: the variable to refer to it by, and the value. */
  secret?: { variable: string; value: string };
}

type ElementStep = Extract<Step, { type: 'click' | 'doubleClick' | 'hover' | 'change' }> | (Extract<Step, { type: 'scroll' }> & { selectors: (string | string[])[] });

/** Recorder's pointer buttons as the mouse sends them. */
const BUTTONS: Record<string, MouseButton> = { primary: 'left', auxiliary: 'middle', secondary: 'right', back: 'back', forward: 'forward' };

export async function findElement(scope: StepScope, selectors: (string | string[])[], path: number[] | undefined, timeout: number): Promise<ElementRef | undefined> {
  // A page between documents answers with errors for a moment: asked again. Selectors that do not parse never will.
  const found = await poll(
    () =>
      resolveSelectors(scope.state, selectors, frameIn(scope, path)).catch((error: unknown) => {
        if (error instanceof InvalidSelectorError) throw error;
        return { element: undefined };
      }),
    (answer) => !!answer.element,
    timeout,
  );
  return found.element;
}

/**
 * Steps that find an element by its selectors and act on it: click, doubleClick, hover, change
 * (with `value`: the step's value with its secrets filled in), and scroll of an element.
 */
export async function runElementStep(scope: StepScope, step: ElementStep, timeout: number, value?: string): Promise<StepOutcome> {
  const { selectors, frame } = step;
  const element = await findElement(scope, selectors, frame, timeout);
  if (!element) {
    const noFrame = missingFrame(scope, frame);
    const where = noFrame ? `: ${noFrame}` : frame?.length ? ` in frame [${frame.join(', ')}]` : '';
    return { status: 'not-found', reason: `no element matches ${selectors.map((s) => [s].flat().join(' >> ')).join(' or ')}${where}` };
  }
  const unchecked: string[] = [];
  if ((step.type === 'click' || step.type === 'doubleClick') && step.deviceType && step.deviceType !== 'mouse') {
    unchecked.push(`deviceType "${step.deviceType}" (clicked with the mouse)`);
  }
  // A secret typed from the file itself (no reference) into what the page calls a secret field,
  // whatever the selectors say: masked in the step's description, as the snapshot masks it, and
  // named to the run (StepVerdict.secret) so what it writes refers to it by variable (protectFlow).
  const typed = step.type === 'change' ? (value ?? step.value) : '';
  const variable = step.type === 'change' && typed === step.value && typed ? await passwordVariable(element).catch(() => undefined) : undefined;
  const description = variable && step.type === 'change' ? describeStep({ ...step, value: maskTyped(step.value) }) : undefined;
  const secret = variable ? { secret: { variable, value: typed } } : {};
  try {
    const effects = await performAction(
      scope.state,
      async () => {
        switch (step.type) {
          case 'click':
          case 'doubleClick': {
            const offset = step.offsetX !== undefined && step.offsetY !== undefined ? { x: step.offsetX, y: step.offsetY } : undefined;
            await element.click({ button: BUTTONS[step.button ?? 'primary'], clickCount: step.type === 'doubleClick' ? 2 : 1, offset, delay: step.duration });
            break;
          }
          case 'hover':
            await element.hover();
            break;
          case 'change':
            if (await element.evaluate((el) => el instanceof HTMLSelectElement)) await selectOptions(element, [typed]);
            else await typeInto(scope.state.page, element, typed, { clear: true, submit: false });
            break;
          case 'scroll':
            await element.evaluate((el, x, y) => el.scrollTo({ left: x, top: y, behavior: 'instant' }), step.x ?? 0, step.y ?? 0);
            break;
        }
      },
      { what: description ?? describeStep(step) },
    );
    return { effects, unchecked, description, ...secret };
  } catch (error) {
    // A failed step's value is in the file all the same: still masked, still named.
    if (!variable) throw error;
    return { status: 'failed', reason: errorMessage(error), description, ...secret };
  } finally {
    await element.dispose();
  }
}
