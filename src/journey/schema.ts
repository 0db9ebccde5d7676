import { Script } from 'node:vm';
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { clip, printable, quoteValue, truncate } from '../util/text.js';
import { APPS_STEP, appsStepSchema } from './appUrls.js';
import { legibleStepProblem } from './legibleSteps.js';
import { parseServerKind, SERVER_EXPECTATION_HINT, serverExpectationSchemas } from './serverKinds.js';

/**
 * Journeys are Chrome DevTools Recorder user flows (the @puppeteer/replay schema): a person can
 * import one into the Recorder panel and replay it there. Legible's expectations travel in the
 * same file as `customStep` steps named `legible.expect`, which Recorder keeps but does not run.
 */

/** Each selector is a string or a chain of strings, each link looked up inside the previous one's shadow root. */
const selectors = z.array(z.union([z.string(), z.array(z.string()).min(1)])).min(1);

export const expectationSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('text'), text: z.string().min(1), visible: z.boolean().optional() }),
    z.strictObject({ type: z.literal('element'), selector: z.string().min(1), present: z.boolean().optional() }),
    z.strictObject({ type: z.literal('noConsoleErrors') }),
    z.strictObject({ type: z.literal('noFailedRequests'), pattern: z.string().min(1).optional() }),
    z.strictObject({ type: z.literal('js'), expression: z.string().min(1) }),
    ...serverExpectationSchemas,
  ])
  .superRefine((expectation, context) => {
    const problem = syntaxProblem(expectation);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });
export type Expectation = z.infer<typeof expectationSchema>;

/** A `/regex/flags` pattern's parts, or undefined for a plain substring. */
export function regexParts(pattern: string): { source: string; flags: string } | undefined {
  const match = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  return match ? { source: match[1]!, flags: match[2]! } : undefined;
}

/** How a js expectation runs in the page (checked for syntax with the same wrapping). */
export function jsExpectationSource(expression: string): string {
  return `(() => Boolean(${expression}))()`;
}

/**
 * What is wrong with an expectation that can be told without a page: a js expression that does
 * not parse (compiled, never run, by the same engine the page uses), a /regex/ that is not one.
 * Selectors need a document: see `checkSelectors` in expectations.ts.
 */
export function syntaxProblem(expectation: { type: string; expression?: string; pattern?: string }): string | undefined {
  if (expectation.type === 'js' && expectation.expression) {
    try {
      new Script(jsExpectationSource(expectation.expression));
    } catch (error) {
      return `The js expression ${JSON.stringify(truncate(expectation.expression, 100))} does not parse: ${error instanceof Error ? error.message : String(error)}.`;
    }
  }
  const regex = expectation.type === 'noFailedRequests' && expectation.pattern ? regexParts(expectation.pattern) : undefined;
  if (regex) {
    try {
      new RegExp(regex.source, regex.flags);
    } catch (error) {
      return `${JSON.stringify(truncate(expectation.pattern!, 100))} is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}.`;
    }
  }
  return undefined;
}

export const EXPECT_STEP = 'legible.expect';

/**
 * Expectations as tool arguments are short strings (they cost far fewer tokens in tools/list than
 * a JSON schema of the objects): "text:Added", "!text:Error", "element:<selector>", "!element:…",
 * "noConsoleErrors", "noFailedRequests", "noFailedRequests:<pattern>", "js:<expression>", and the
 * server's (serverKinds.ts): "noServerErrors[:app]", "[!]log:<LogQL>", "[!]trace:<TraceQL>",
 * "metric:<PromQL> < 0.3", "startup:<app> < 800ms". Their queries are parsed with the real
 * grammars by `checkExpectationQueries` (async: the grammars load on first use).
 */
export function parseExpectation(text: string): Expectation {
  const trimmed = text.trim();
  const negated = trimmed.startsWith('!');
  const body = negated ? trimmed.slice(1) : trimmed;
  const colon = body.indexOf(':');
  const kind = colon < 0 ? body : body.slice(0, colon);
  const arg = colon < 0 ? '' : body.slice(colon + 1).trim();
  const need = () => {
    if (!arg) throw new UsageError(`The expectation ${quoteValue(text)} needs something after "${kind}:".`, EXPECTATION_HINT);
    return arg;
  };
  if (negated && !NEGATABLE.has(kind)) throw new UsageError(`Only text, element, log and trace expectations can be negated with "!", not ${quoteValue(text)}.`, EXPECTATION_HINT);
  const expectation = parseKind(kind, negated, need, arg, text);
  const problem = syntaxProblem(expectation);
  if (problem) throw new UsageError(problem, EXPECTATION_HINT);
  return expectation;
}

const NEGATABLE = new Set(['text', 'element', 'log', 'trace']);

function parseKind(kind: string, negated: boolean, need: () => string, arg: string, text: string): Expectation {
  const server = parseServerKind(kind, negated, arg, text);
  if (server) return server;
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
      throw new UsageError(`Unknown expectation ${quoteValue(text)}.`, EXPECTATION_HINT);
  }
}

export const EXPECTATION_HINT = `Write expectations as "text:Added to basket", "!text:Error", "element:aria/Total[role=\\"status\\"]", "!element:#spinner", "noConsoleErrors", "noFailedRequests" or "noFailedRequests:/api/", "js:document.title === 'Shop'". ${SERVER_EXPECTATION_HINT}`;

/** A viewport side in CSS pixels: a 0×0 viewport shows nothing, a huge one takes the browser down. */
const viewportSide = z.number().int().min(100).max(10_000);

/** A journey with more steps than this is refused (a long hand-made flow has a few hundred). */
export const MAX_STEPS = 2_000;

/**
 * What a step expects to happen: Recorder writes a navigation (the URL and title it reached) on
 * every step that loaded a page. Other kinds are kept, and reported as not checked.
 */
const assertedEvent = z.object({ type: z.string(), url: z.string().optional(), title: z.string().optional() }).loose();
export type AssertedEvent = z.infer<typeof assertedEvent>;

/** `target`: "main" (the journey's tab), or the URL of another tab (a popup) or of an out-of-process iframe. */
const base = { timeout: z.number().optional(), assertedEvents: z.array(assertedEvent).optional(), target: z.string().optional() };
const inFrame = { ...base, frame: z.array(z.number().int().min(0)).optional() };
const target = { ...inFrame, selectors };
const pointer = {
  offsetX: z.number().optional(),
  offsetY: z.number().optional(),
  button: z.enum(['primary', 'auxiliary', 'secondary', 'back', 'forward']).optional(),
  deviceType: z.enum(['mouse', 'pen', 'touch']).optional(),
  duration: z.number().min(0).optional(),
};
const json: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));

export const stepSchemas = {
  setViewport: z
    .object({
      type: z.literal('setViewport'),
      ...base,
      width: viewportSide,
      height: viewportSide,
      deviceScaleFactor: z.number().min(0.25).max(5).optional(),
      isMobile: z.boolean().optional(),
      hasTouch: z.boolean().optional(),
      isLandscape: z.boolean().optional(),
    })
    .loose(),
  navigate: z.object({ type: z.literal('navigate'), url: z.string().min(1), ...base }).loose(),
  click: z.object({ type: z.literal('click'), ...target, ...pointer }).loose(),
  doubleClick: z.object({ type: z.literal('doubleClick'), ...target, ...pointer }).loose(),
  hover: z.object({ type: z.literal('hover'), ...target }).loose(),
  change: z.object({ type: z.literal('change'), ...target, value: z.string() }).loose(),
  keyDown: z.object({ type: z.literal('keyDown'), key: z.string().min(1), ...base }).loose(),
  keyUp: z.object({ type: z.literal('keyUp'), key: z.string().min(1), ...base }).loose(),
  scroll: z.object({ type: z.literal('scroll'), ...inFrame, x: z.number().optional(), y: z.number().optional(), selectors: selectors.optional() }).loose(),
  close: z.object({ type: z.literal('close'), ...base }).loose(),
  emulateNetworkConditions: z.object({ type: z.literal('emulateNetworkConditions'), ...base, download: z.number().min(-1), upload: z.number().min(-1), latency: z.number().min(0) }).loose(),
  waitForElement: z
    .object({
      type: z.literal('waitForElement'),
      ...target,
      operator: z.enum(['>=', '==', '<=']).optional(),
      count: z.number().int().min(0).optional(),
      visible: z.boolean().optional(),
      properties: z.record(z.string(), json).optional(),
      attributes: z.record(z.string(), z.string()).optional(),
    })
    .loose(),
  waitForExpression: z.object({ type: z.literal('waitForExpression'), expression: z.string().min(1), ...inFrame }).loose(),
  customStep: z.object({ type: z.literal('customStep'), name: z.string(), parameters: z.unknown(), ...inFrame }).loose(),
} as const;

/** Fields of a step that its type does not have (kept by the loose schemas, so a run can say it did not honour them). */
export function unknownFields(step: Step): string[] {
  const known = (stepSchemas[step.type] as unknown as { shape: Record<string, unknown> }).shape;
  return Object.keys(step).filter((key) => !(key in known));
}

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
  /** The flow's default step timeout in ms (Recorder's `timeout`), if it has one. */
  timeout?: number;
}

function fail(message: string, hint = 'A journey is a Chrome DevTools Recorder JSON export: {"title": "...", "steps": [{"type": "navigate", "url": "..."}, ...]}.'): never {
  throw new UsageError(message, hint);
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
  const flow = data as { title?: unknown; steps?: unknown; timeout?: unknown };
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
      if (custom.name === APPS_STEP) {
        const apps = appsStepSchema.safeParse(custom.parameters);
        if (!apps.success) fail(`Step ${i + 1} of ${source} is a ${APPS_STEP} step that does not parse: ${clip(apps.error.issues[0]?.message ?? 'unknown', 200)}.`, 'Its parameters name each app and the origin it served: {"web": "http://localhost:5173"}.');
      }
      const problem = legibleStepProblem(custom.name, custom.parameters);
      if (problem) fail(`Step ${i + 1} of ${source} is a ${custom.name} step that does not parse: ${problem}.`);
    }
    return parsed.data as Step;
  });
  const timeout = typeof flow.timeout === 'number' && flow.timeout > 0 ? flow.timeout : undefined;
  return timeout ? { title, steps, timeout } : { title, steps };
}

/** " (line 3, column 14)" from the parser's error position, when it gives one. */
function jsonErrorPlace(text: string, error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  return ` (line ${line}, column ${Number(position) - before.lastIndexOf('\n')})`;
}
