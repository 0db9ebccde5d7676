import { APPS_STEP } from './appUrls.js';
import { EXPECT_STEP, type Step, type UnsupportedStep } from './schema.js';
import { describeLegibleStep } from './legibleSteps.js';
import { parseAriaSelector } from './selectors.js';

/** A selector as a person reads it: `aria/Add[role="button"]` becomes `button "Add"`. */
function readableSelector(selector: string): string {
  const aria = parseAriaSelector(selector);
  return aria?.role ? `${aria.role} ${JSON.stringify(aria.name)}` : selector;
}

/** Where a step runs when not in the journey's own tab: ` (in <url>)`. */
function where(step: Step): string {
  const target = (step as { target?: string }).target;
  return target && target !== 'main' && step.type !== 'close' ? ` (in ${target})` : '';
}

/** One line per step, as the run report and journey_save show it. */
export function describeStep(step: Step | UnsupportedStep): string {
  if ('unsupported' in step) return `${step.type} (not supported by Legible)`;
  return `${describeAction(step)}${where(step)}`;
}

function describeAction(step: Step): string {
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
      return `wait for${target}${step.count !== undefined ? ` (${step.operator ?? '>='} ${step.count})` : ''}${step.visible === false ? ' to be hidden' : ''}`;
    case 'scroll':
      return `scroll${target || ' the page'} to ${step.x ?? 0}, ${step.y ?? 0}`;
    case 'close':
      return `close ${step.target && step.target !== 'main' ? step.target : "the journey's tab"}`;
    case 'emulateNetworkConditions':
      if (step.download < 0 && step.upload < 0) return 'stop throttling the network';
      return step.download || step.upload ? `throttle the network (${step.download} B/s down, ${step.upload} B/s up, ${step.latency} ms)` : 'take the network offline';
    case 'customStep':
      if (step.name === APPS_STEP) return `apps: ${Object.entries((step.parameters ?? {}) as Record<string, unknown>).map(([app, origin]) => `${app} at ${String(origin)}`).join(', ')}`;
      return step.name === EXPECT_STEP ? 'expectation' : (describeLegibleStep(step.name, step.parameters) ?? `custom step ${step.name}`);
    default:
      return `${step.type}${target}`;
  }
}
