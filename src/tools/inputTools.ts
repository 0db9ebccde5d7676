import { z } from 'zod';
import { selectOptions, typeInto } from '../actions/elements.js';
import { performAction } from '../actions/perform.js';
import { quote } from '../util/text.js';
import { maskTyped } from '../util/redact.js';
import { keySteps } from '../journey/log.js';
import { focusedPasswordField, passwordVariable, secretReference } from '../journey/secrets.js';
import { domSelectors } from '../journey/selectors.js';
import type { Step } from '../journey/schema.js';
import { mayTypeText, parseKeyCombo } from '../cdp/keys.js';
import { actOnRef, clickOffset, refParam, reportEffects, textParam } from './common.js';
import { UsageError } from '../util/errors.js';
import { dragTo, fillFields, uploadInto } from './formInput.js';
import type { PageState } from '../actions/pageState.js';
import type { ToolContext } from './context.js';
import type { ToolResponse } from './response.js';
import { defineTool } from './tool.js';

export const clickTool = defineTool({
  name: 'click',
  title: 'Click',
  description:
    "Click a ref (hover: only hover it), wait for what it set off, report the effects: outline changes, console errors, failed requests, dialogs, new tabs.",
  input: {
    ref: refParam,
    hover: z.boolean().optional(),
    double: z.boolean().optional(),
    button: z.enum(['left', 'right', 'middle']).optional(),
    to: z.string().min(1).optional().describe('Drag to ref or by dx,dy px.'),
  },
  kind: 'action',
  openWorld: true,
  scope: 'page',
  async handle({ params, state, context, response }) {
    if (params.hover) {
      if (params.double || params.button || params.to) throw new UsageError('A hover moves the mouse over the element and presses nothing: leave out double, button and to.', 'Call click {"ref":…,"hover":true} alone.');
      await hoverRef(state, context, response, params.ref);
      return;
    }
    if (params.to) {
      if (params.double || params.button) throw new UsageError('A drag uses the left button once: leave out double and button.', 'Call click {"ref":…,"to":…} alone.');
      await dragTo(state, context, response, params.ref, params.to);
      return;
    }
    // Measured before clicking: a click that opens a dialog does not return until it is answered.
    let box = { x: 1, y: 1 };
    const { target, locator, effects } = await actOnRef(state, params.ref, (target) => `Clicking ${target}`, async (element) => {
      box = await clickOffset(element);
      await element.click({ button: params.button, clickCount: params.double ? 2 : 1 });
    });
    const button = params.button === 'right' ? 'secondary' : params.button === 'middle' ? 'auxiliary' : 'primary';
    context.journey(state).add(
      params.double
        ? { type: 'doubleClick', ...locator, offsetX: box.x, offsetY: box.y }
        : { type: 'click', ...locator, offsetX: box.x, offsetY: box.y, ...(button !== 'primary' ? { button } : {}) },
    );
    reportEffects(response, `Clicked ${target}.`, effects);
  },
});

export const typeTool = defineTool({
  name: 'type',
  title: 'Type text',
  description:
    "Type into a ref (replacing its text unless clear is false); submit presses Enter; key: press a key or combo (Enter, Control+A) on the focused element; files: upload; fields: fill a form {ref: value}. Reports effects.",
  input: {
    ref: refParam.optional(),
    text: textParam.optional(),
    key: z.string().min(1).optional(),
    submit: z.boolean().optional(),
    clear: z.boolean().optional(),
    files: z.array(z.string().min(1)).min(1).optional(),
    fields: z.record(z.string(), z.string()).pipe(z.record(z.string().regex(/^(f\d+)?e\d+$/, 'keys are refs such as e12'), z.string().max(10_000))).optional(),
  },
  kind: 'action',
  openWorld: true,
  scope: 'page',
  async handle({ params: given, state, context, response }) {
    if (given.key !== undefined) {
      if (given.ref || given.text !== undefined || given.files || given.fields || given.submit !== undefined || given.clear !== undefined) {
        throw new UsageError('key presses a key on the focused element: give it alone.', 'Focus a field by clicking it (or typing into it) first, then call type {"key":"Enter"}.');
      }
      await pressKey(state, context, response, given.key);
      return;
    }
    if (given.fields) {
      if (given.ref || given.text !== undefined || given.files) throw new UsageError('Give fields alone: each field is a ref and its value.', 'Call type {"fields":{"e3":"Ann","e7":"true"}}.');
      await fillFields(state, context, response, given.fields);
      return;
    }
    if (!given.ref) throw new UsageError('type needs a ref (or fields, or key).', 'Call type {"ref":"e3","text":"…"}, type {"ref":"e5","files":["a.pdf"]}, type {"fields":{…}} or type {"key":"Enter"}.');
    if (given.files) {
      if (given.text !== undefined) throw new UsageError('Give text or files, not both.', 'Upload with type {"ref":…,"files":[…]}, type text in another call.');
      await uploadInto(state, context, response, given.ref, given.files);
      return;
    }
    if (given.text === undefined) throw new UsageError('type needs text (or files, or fields).', 'Call type {"ref":"e3","text":"…"}.');
    const params = { ...given, ref: given.ref, text: given.text };
    // A password field's value is masked, as the snapshot masks it; journeys refer to it by variable.
    let secret: string | undefined;
    const shown = (max: number) => (secret ? maskTyped(params.text) : params.text.length > max ? `${params.text.slice(0, max)}…` : params.text);
    const { target, locator, effects, result } = await actOnRef(
      state,
      params.ref,
      async (target, element) => {
        secret = await passwordVariable(element);
        return `Typing ${quote(shown(40))} into ${target}${params.submit ? ' + Enter' : ''}`;
      },
      (element) => typeInto(state.page, element, params.text, { clear: params.clear ?? true, submit: params.submit ?? false }),
    );
    if (secret) context.secrets().remember(secret, params.text);
    context.journey(state).add({ type: 'change', ...locator, value: secret ? secretReference(secret) : params.text }, ...(params.submit ? keySteps('Enter') : []));
    const note = secret ? ` (a password: journeys keep ${secretReference(secret)} instead)` : '';
    // "Typed", or for a date, colour, slider or checkbox the verb of what was done to it ("Set", "Checked").
    const verb = result ?? 'Typed';
    const what = verb === 'Checked' || verb === 'Unchecked' ? `${verb} ${target}` : `${verb} ${quote(shown(80))} ${verb === 'Set' ? 'in' : 'into'} ${target}`;
    reportEffects(response, `${what}${params.submit ? ' and pressed Enter' : ''}${note}.`, effects);
  },
});

/** type {key}: a key or combo on the focused element, with its effects. */
async function pressKey(state: PageState, context: ToolContext, response: ToolResponse, combo: string): Promise<void> {
  // A password typed key by key is masked as typing is: in the answer, the action's label
  // (captions, filmstrips) and the journey, which keeps one change step naming the secret. Any
  // key that may type a character is masked ("KeyA" and "Digit1" type too); whether the press
  // edited the field is read from the field's value, so a paste or a cut counts as well.
  const field = await focusedPasswordField(state.page);
  try {
    const typing = !!field && mayTypeText(parseKeyCombo(combo));
    const shown = typing ? maskTyped('x') : combo;
    const where = field ? ' in a password field' : '';
    const valueOf = async () => field?.element.evaluate((el: Element) => (el as HTMLInputElement).value).catch(() => undefined);
    const before = await valueOf();
    const effects = await performAction(state, () => state.page.press(combo), { what: `Pressing ${shown}${where}` });
    const value = field ? await valueOf() : undefined;
    if (field && value !== undefined && (typing || value !== before)) {
      context.secrets().remember(field.variable, value);
      const path = field.frame.path();
      const step: Step = { type: 'change', selectors: await domSelectors(field.element), ...(path.length ? { frame: path } : {}), value: secretReference(field.variable) };
      // Each key of the password updates the one step (and the remembered value), never adds one.
      if (JSON.stringify(context.journey(state).last()) !== JSON.stringify(step)) context.journey(state).add(step);
      reportEffects(response, `Pressed ${shown}${where} (a password: journeys keep ${secretReference(field.variable)} instead).`, effects);
      return;
    }
    // A key that may type a character journals no key step spelling it out, even when the field is gone.
    if (!typing) context.journey(state).add(...keySteps(combo));
    reportEffects(response, `Pressed ${shown}${where}.`, effects);
  } finally {
    await field?.element.dispose();
  }
}

/** click {hover}: the mouse over a ref, with its effects. */
async function hoverRef(state: PageState, context: ToolContext, response: ToolResponse, ref: string): Promise<void> {
  const { target, locator, effects } = await actOnRef(state, ref, (target) => `Hovering ${target}`, (element) => element.hover());
  context.journey(state).add({ type: 'hover', ...locator });
  reportEffects(response, `Hovered ${target}.`, effects);
}

export const selectOptionTool = defineTool({
  name: 'select_option',
  title: 'Select option',
  description:
    "Choose <select> options by value or label. Reports effects.",
  input: {
    ref: refParam,
    values: z.array(z.string()).min(1),
  },
  kind: 'action',
  openWorld: true,
  scope: 'page',
  async handle({ params, state, context, response }) {
    const { target, locator, effects, result: chosen = [] } = await actOnRef(
      state,
      params.ref,
      (target) => `Selecting ${params.values.map(quote).join(', ')} in ${target}`,
      (element) => selectOptions(element, params.values),
    );
    if (chosen[0] !== undefined) context.journey(state).add({ type: 'change', ...locator, value: chosen[0] });
    reportEffects(response, `Selected ${chosen.map(quote).join(', ')} in ${target}.`, effects);
  },
});
