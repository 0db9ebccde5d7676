import { UsageError } from '../util/errors.js';
import { truncate } from '../util/text.js';
import { NO_EVALUATE_FLAG, pageScriptUrl } from '../util/urlScheme.js';
import { EXPECT_STEP, expectationSchema, type Expectation, type Journey } from './schema.js';

export { NO_EVALUATE_FLAG };

/**
 * The parts of a journey (and of extra expectations) that would run JavaScript of their own in
 * the page: `js` expectations, waitForExpression steps, and navigate steps to URLs that bring
 * script of their own (pageScriptUrl: javascript:, however spelt; data: of a scriptable type; blob:).
 */
export function pageScriptRoutes(journey: Pick<Journey, 'steps'>, expectations: Expectation[] = []): string[] {
  const routes: string[] = [];
  for (const [i, step] of journey.steps.entries()) {
    if ('unsupported' in step) continue;
    if (step.type === 'waitForExpression') routes.push(`step ${i + 1} (waitForExpression)`);
    else if (step.type === 'navigate' && pageScriptUrl(step.url)) routes.push(`step ${i + 1} (navigate to ${pageScriptUrl(step.url)!.label})`);
    else if (step.type === 'customStep' && step.name === EXPECT_STEP && expectationSchema.safeParse(step.parameters).data?.type === 'js') {
      routes.push(`step ${i + 1} (a js expectation)`);
    }
  }
  for (const expectation of expectations) if (expectation.type === 'js') routes.push(`the expectation ${JSON.stringify(truncate(`js:${expectation.expression}`, 60))}`);
  return routes;
}

/**
 * With --no-evaluate, refuses a journey or expectations that would run page JavaScript, before
 * anything runs. The one gate journey_save, journey_run and `legible-mcp run` go through.
 */
export function refusePageScript(journey: Pick<Journey, 'steps'>, expectations: Expectation[] = []): void {
  const routes = pageScriptRoutes(journey, expectations);
  if (!routes.length) return;
  const shown = routes.length > 5 ? [...routes.slice(0, 5), `${routes.length - 5} more`] : routes;
  throw new UsageError(
    `${NO_EVALUATE_FLAG} forbids running JavaScript in the page, and ${shown.join(', ')} would run some; nothing was run.`,
    `Check the page with text: and element: expectations and waitForElement steps instead, or start Legible without ${NO_EVALUATE_FLAG}.`,
  );
}
