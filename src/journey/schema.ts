import { z } from 'zod';
import { LegibleError } from '../util/errors.js';
import { clip, printable, quoteValue } from '../util/text.js';

/**
 * Journeys are Chrome DevTools Recorder user flows (the @puppeteer/replay schema): a person can
 * import one into the Recorder panel and replay it there. Legible's expectations travel in the
 * same file as `customStep` steps named `legible.expect`, which Recorder keeps but does not run.
 */

/** Each selector is a string or a chain of strings, each link looked up inside the previous one's shadow root. */
const selectors = z.array(z.union([z.string(), z.array(z.string()).min(1)])).min(1);

export const expectationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().min(1), visible: z.boolean().optional() }),
  z.strictObject({ type: z.literal('element'), selector: z.string().min(1), present: z.boolean().optional() }),
  z.strictObject({ type: z.literal('noConsoleErrors') }),
  z.strictObject({ type: z.literal('noFailedRequests'), pattern: z.string().min(1).optional() }),
  z.strictObject({ type: z.literal('js'), expression: z.string().min(1) }),
]);
export type Expectation = z.infer<typeof expectationSchema>;

export const EXPECT_STEP = 'legible.expect';

/**
 * Expectations as tool arguments are short strings (they cost far fewer tokens in tools/list than
 * a JSON schema of the objects): "text:Added", "!text:Error", "element:<selector>", "!element:…",
 * "noConsoleErrors", "noFailedRequests", "noFailedRequests:<pattern>", "js:<expression>".
 */
export function parseExpectation(text: string): Expectation {
  const trimmed = text.trim();
  const negated = trimmed.startsWith('!');
  const body = negated ? trimmed.slice(1) : trimmed;
  const colon = body.indexOf(':');
  const kind = colon < 0 ? body : body.slice(0, colon);
  const arg = colon < 0 ? '' : body.slice(colon + 1).trim();
  const need = () => {
    if (!arg) throw new LegibleError(`The expectation ${quoteValue(text)} needs something after "${kind}:".`, EXPECTATION_HINT);
    return arg;
  };
  if (negated && kind !== 'text' && kind !== 'element') throw new LegibleError(`Only text and element expectations can be negated with "!", not ${quoteValue(text)}.`, EXPECTATION_HINT);
  switch (kind) {
    case 'text':
      return negated ? { type: 'text', text: need(), visible: false } : { type: 'text', text: need() };
    case 'element':
      return negated ? { type: 'element', selector: need(), present: false } : { type: 'element', selector: need() };
    case 'noConsoleErrors':
      return { type: 'noConsoleErrors' };
    case 'noFailedRequests':
      return arg ? { type: 'noFailedRequests', pattern: arg } : { type: 'noFailedRequests' };
    case 'js':
      return { type: 'js', expression: need() };
    default:
      throw new LegibleError(`Unknown expectation ${quoteValue(text)}.`, EXPECTATION_HINT);
  }
}

export const EXPECTATION_HINT =
  'Write expectations as "text:Added to basket", "!text:Error", "element:aria/Total[role=\\"status\\"]", "!element:#spinner", "noConsoleErrors", "noFailedRequests" or "noFailedRequests:/api/", "js:document.title === \'Shop\'".';

const base = { timeout: z.number().optional(), assertedEvents: z.array(z.unknown()).optional() };
/** A viewport side in CSS pixels: a 0×0 viewport shows nothing, a huge one takes the browser down. */
const viewportSide = z.number().int().min(100).max(10_000);

/** A journey with more steps than this is refused (a long hand-made flow has a few hundred). */
export const MAX_STEPS = 2_000;
const target = { ...base, selectors, target: z.string().optional(), frame: z.array(z.number()).optional() };

export const stepSchemas = {
  setViewport: z
    .object({ type: z.literal('setViewport'), width: viewportSide, height: viewportSide, deviceScaleFactor: z.number().min(0.25).max(5).optional() })
    .loose(),
  navigate: z.object({ type: z.literal('navigate'), url: z.string().min(1), ...base }).loose(),
  click: z.object({ type: z.literal('click'), ...target, offsetX: z.number().optional(), offsetY: z.number().optional(), button: z.enum(['primary', 'auxiliary', 'secondary', 'back', 'forward']).optional() }).loose(),
  doubleClick: z.object({ type: z.literal('doubleClick'), ...target }).loose(),
  hover: z.object({ type: z.literal('hover'), ...target }).loose(),
  change: z.object({ type: z.literal('change'), ...target, value: z.string() }).loose(),
  keyDown: z.object({ type: z.literal('keyDown'), key: z.string().min(1), ...base }).loose(),
  keyUp: z.object({ type: z.literal('keyUp'), key: z.string().min(1), ...base }).loose(),
  scroll: z.object({ type: z.literal('scroll'), x: z.number().optional(), y: z.number().optional(), selectors: selectors.optional() }).loose(),
  waitForElement: z
    .object({ type: z.literal('waitForElement'), ...target, operator: z.enum(['>=', '==', '<=']).optional(), count: z.number().int().min(0).optional(), visible: z.boolean().optional() })
    .loose(),
  waitForExpression: z.object({ type: z.literal('waitForExpression'), expression: z.string().min(1), ...base }).loose(),
  customStep: z.object({ type: z.literal('customStep'), name: z.string(), parameters: z.unknown() }).loose(),
} as const;

export type StepType = keyof typeof stepSchemas;
export type Step = { [K in StepType]: z.infer<(typeof stepSchemas)[K]> }[StepType];
/** A step whose type Legible does not run (kept so it can be reported or skipped). */
export interface UnsupportedStep {
  type: string;
  unsupported: true;
  raw: unknown;
}

export interface Journey {
  title: string;
  steps: (Step | UnsupportedStep)[];
}

function fail(message: string, hint = 'A journey is a Chrome DevTools Recorder JSON export: {"title": "...", "steps": [{"type": "navigate", "url": "..."}, ...]}.'): never {
  throw new LegibleError(message, hint);
}

/** Parses a journey file's text, with errors that name the step and what is wrong with it. */
export function parseJourney(text: string, source: string): Journey {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // Where, never what: the parser's message quotes the file, which may hold anything.
    fail(`${source} is not valid JSON${jsonErrorPlace(text, error)}.`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) fail(`${source} is not a user flow: it should be a JSON object with "title" and "steps".`);
  const flow = data as { title?: unknown; steps?: unknown };
  if (!Array.isArray(flow.steps)) fail(`${source} is not a user flow: it has no "steps" array.`);
  if (flow.steps.length > MAX_STEPS) fail(`${source} has ${flow.steps.length.toLocaleString('en-US')} steps; a journey has at most ${MAX_STEPS.toLocaleString('en-US')}.`, 'Split it into shorter journeys.');
  // The title is shown in every answer and report about a run: one printable line of bounded length.
  const title = typeof flow.title === 'string' && flow.title ? printable(clip(flow.title.replace(/\s+/g, ' '), 200)) : source;
  const steps = flow.steps.map((raw, i) => {
    const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
    if (typeof type !== 'string') fail(`Step ${i + 1} of ${source} has no "type".`);
    const schema = Object.hasOwn(stepSchemas, type) ? (stepSchemas as Record<string, z.ZodType>)[type] : undefined;
    if (!schema) return { type: printable(clip(type, 60)), unsupported: true as const, raw };
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(`Step ${i + 1} (${type}) of ${source} is malformed: ${clip(issue?.path.join('.') || 'step', 100)}: ${clip(issue?.message ?? 'does not match', 200)}.`);
    }
    if (type === 'customStep') {
      const custom = parsed.data as { name: string; parameters: unknown };
      if (custom.name === EXPECT_STEP) {
        const expectation = expectationSchema.safeParse(custom.parameters);
        if (!expectation.success) fail(`Step ${i + 1} of ${source} is a Legible expectation that does not parse: ${clip(expectation.error.issues[0]?.message ?? 'unknown', 200)}.`);
      }
    }
    return parsed.data as Step;
  });
  return { title, steps };
}

/** " (line 3, column 14)" from the parser's error position, when it gives one. */
function jsonErrorPlace(text: string, error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  return ` (line ${line}, column ${Number(position) - before.lastIndexOf('\n')})`;
}
