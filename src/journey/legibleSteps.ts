import { z } from 'zod';
import { dragElement, readableFiles, uploadFiles, type DragTarget } from '../actions/dragUpload.js';
import { addMock, mockSpecSchema, mocksOf } from '../actions/mocks.js';
import { performAction } from '../actions/perform.js';
import { clearStorage, loadState, setStorage } from '../actions/storage.js';
import type { EnvironmentChange } from '../cdp/emulation.js';
import { errorMessage } from '../util/errors.js';
import { plural } from '../util/text.js';
import { findElement, type StepOutcome } from './elementSteps.js';
import type { Step } from './schema.js';
import type { StepScope } from './targets.js';

/**
 * What Chrome's Recorder has no step for, kept in a journey as a `customStep` with a Legible name
 * (Recorder keeps it and skips it; Legible replays it): network mocks, the emulated environment
 * beyond setViewport and emulateNetworkConditions, cookies and storage, drags and file uploads.
 */
export const MOCK_STEP = 'legible.mock';
export const UNMOCK_STEP = 'legible.unmock';
export const EMULATE_STEP = 'legible.emulate';
export const STORAGE_STEP = 'legible.storage';
export const DRAG_STEP = 'legible.drag';
export const UPLOAD_STEP = 'legible.upload';

const selectors = z.array(z.union([z.string(), z.array(z.string()).min(1)])).min(1);
const clearable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const emulateStepSchema = z.strictObject({
  userAgent: clearable(z.string()),
  colorScheme: clearable(z.enum(['light', 'dark'])),
  reducedMotion: clearable(z.boolean()),
  locale: clearable(z.string()),
  timezone: clearable(z.string()),
  geolocation: clearable(z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) })),
  cpu: clearable(z.number().min(1)),
});

export const LEGIBLE_STEP_SCHEMAS: Record<string, z.ZodType> = {
  [MOCK_STEP]: mockSpecSchema,
  [UNMOCK_STEP]: z.strictObject({ url: z.string().optional() }),
  [EMULATE_STEP]: emulateStepSchema,
  [STORAGE_STEP]: z.strictObject({ load: z.string().optional(), set: z.array(z.string()).optional(), clear: z.boolean().optional() }),
  [DRAG_STEP]: z.strictObject({ selectors, to: selectors.optional(), offset: z.object({ x: z.number(), y: z.number() }).optional() }),
  [UPLOAD_STEP]: z.strictObject({ selectors, files: z.array(z.string()).min(1) }),
};

/** One line for the run report. */
export function describeLegibleStep(name: string, parameters: unknown): string | undefined {
  const p = (parameters ?? {}) as Record<string, unknown>;
  const first = (list: unknown) => (Array.isArray(list) ? [list[0]].flat()[0] : undefined);
  switch (name) {
    case MOCK_STEP:
      return `mock ${String(p.url)}${p.fail ? ` (fail: ${String(p.fail)})` : ` (${String(p.status ?? 200)})`}`;
    case UNMOCK_STEP:
      return p.url ? `remove the mock of ${String(p.url)}` : 'remove every mock';
    case EMULATE_STEP:
      return `emulate ${Object.entries(p)
        .map(([key, value]) => `${key} ${value === null ? 'off' : JSON.stringify(value)}`)
        .join(', ')}`;
    case STORAGE_STEP:
      return p.load ? `load browser state from ${String(p.load)}` : p.clear ? 'clear cookies and storage' : `set ${plural((p.set as unknown[] | undefined)?.length ?? 0, 'cookie or item', 'cookies and items')}`;
    case DRAG_STEP:
      return `drag ${String(first(p.selectors))} to ${p.to ? String(first(p.to)) : JSON.stringify(p.offset)}`;
    case UPLOAD_STEP:
      return `upload ${(p.files as string[]).join(', ')} into ${String(first(p.selectors))}`;
    default:
      return undefined;
  }
}

type Custom = Extract<Step, { type: 'customStep' }>;

/** Runs a Legible custom step; undefined when the step is not one (another tool's custom step). */
export async function runLegibleStep(scope: StepScope, step: Custom, timeout: number, options: { evaluate?: boolean } = {}): Promise<StepOutcome | undefined> {
  const schema = LEGIBLE_STEP_SCHEMAS[step.name];
  if (!schema) return undefined;
  const { state } = scope;
  const page = state.page;
  const p = schema.parse(step.parameters ?? {}) as Record<string, unknown>;
  switch (step.name) {
    case MOCK_STEP:
      // With --no-evaluate the mock's body never runs as script (a page or a script it matches loads from the server).
      await addMock(page, mockSpecSchema.parse(p), { scriptless: options.evaluate === false });
      return {};
    case UNMOCK_STEP: {
      const url = (p as { url?: string }).url;
      await page.interceptor.remove(mocksOf(page).filter((rule) => !url || rule.key === url).map((rule) => rule.id));
      return {};
    }
    case EMULATE_STEP:
      await page.emulation.apply(p as EnvironmentChange);
      return {};
    case STORAGE_STEP: {
      const { load, set, clear } = p as { load?: string; set?: string[]; clear?: boolean };
      if (clear) await clearStorage(state);
      if (set) await setStorage(state, set);
      if (load) {
        const loaded = await loadState(state, load);
        if (loaded.skipped) return { reason: `${plural(loaded.skipped, 'value was', 'values were')} saved redacted and not loaded` };
      }
      return {};
    }
    case DRAG_STEP:
    case UPLOAD_STEP:
      return runPointerStep(scope, step.name, p, step.frame, timeout);
  }
  return undefined;
}

async function runPointerStep(scope: StepScope, name: string, p: Record<string, unknown>, frame: number[] | undefined, timeout: number): Promise<StepOutcome> {
  const from = await findElement(scope, p.selectors as string[], frame, timeout);
  if (!from) return { status: 'not-found', reason: `no element matches ${(p.selectors as unknown[]).map((s) => [s].flat().join(' >> ')).join(' or ')}` };
  let to: DragTarget | undefined;
  try {
    if (name === DRAG_STEP) {
      if (p.to) {
        const element = await findElement(scope, p.to as string[], frame, timeout);
        if (!element) return { status: 'not-found', reason: `no drop target matches ${(p.to as unknown[]).map((s) => [s].flat().join(' >> ')).join(' or ')}` };
        to = { element };
      } else to = { offset: (p.offset as { x: number; y: number }) ?? { x: 0, y: 0 } };
      const target = to;
      return { effects: await performAction(scope.state, () => dragElement(scope.state.page, from, target), { what: describeLegibleStep(name, p) }) };
    }
    let files: string[];
    try {
      files = await readableFiles(p.files as string[]);
    } catch (error) {
      return { status: 'failed', reason: errorMessage(error) };
    }
    return { effects: await performAction(scope.state, () => uploadFiles(from, files, timeout), { what: describeLegibleStep(name, p) }) };
  } finally {
    await from.dispose();
    if (to && 'element' in to) await to.element.dispose();
  }
}

/** Checks a Legible custom step's parameters when a journey is read; the problem, or undefined. */
export function legibleStepProblem(name: string, parameters: unknown): string | undefined {
  const schema = LEGIBLE_STEP_SCHEMAS[name];
  if (!schema) return undefined;
  const parsed = schema.safeParse(parameters ?? {});
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join('.') || 'parameters'}: ${issue?.message}`;
}

