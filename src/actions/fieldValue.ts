import type { ElementRef } from '../cdp/elementRef.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { quote, truncate } from '../util/text.js';

/**
 * Fields that take a value but not keystrokes as typed text: date and time pickers, colour
 * pickers, sliders, checkboxes and radio buttons. Typing "2024-02-29" into a date field fills
 * its segments in the locale's order (and gives 40229-02-02); a user picks the date instead, so
 * the value is set as the picker sets it: through the native setter (a framework's value
 * tracker, such as React's, then sees the change) followed by the input and change events.
 * Checkboxes and radios are clicked, as a user does. Each value is read back afterwards: one
 * that the field refused or the page put back is an error, never a silent success.
 */

export type PickerKind = 'date' | 'month' | 'week' | 'time' | 'datetime-local' | 'color' | 'range';
export type FieldKind = PickerKind | 'checkbox' | 'radio' | 'switch' | 'other';

const PICKERS: Record<PickerKind, { what: string; format: string; example: string }> = {
  date: { what: 'date', format: 'yyyy-mm-dd', example: '2024-02-29' },
  month: { what: 'month', format: 'yyyy-mm', example: '2024-02' },
  week: { what: 'week', format: 'yyyy-Www', example: '2024-W09' },
  time: { what: 'time', format: 'hh:mm or hh:mm:ss, 24-hour', example: '14:30' },
  'datetime-local': { what: 'date and time', format: 'yyyy-mm-ddThh:mm', example: '2024-02-29T14:30' },
  color: { what: 'colour', format: '#rrggbb', example: '#ff8800' },
  range: { what: 'slider', format: 'a number', example: '50' },
};

/** Runs in the page: which kind of value the element takes. */
export function fieldKind(el: Element): FieldKind {
  if (el instanceof HTMLInputElement) {
    if (['date', 'month', 'week', 'time', 'datetime-local', 'color', 'range', 'checkbox', 'radio'].includes(el.type)) return el.type as FieldKind;
    return 'other';
  }
  const role = el.getAttribute('role');
  return role === 'checkbox' || role === 'radio' || role === 'switch' ? role : 'other';
}

interface PickResult {
  /** 'refused': the field does not take the value; 'stepped': a slider would round it; 'set': it was set. */
  outcome: 'refused' | 'stepped' | 'set';
  /** The value the field shows afterwards (read through the native getter). */
  value: string;
  /** What the field makes of the wanted value on its own ('' when it does not take it). */
  normalised: string;
  min: string;
  max: string;
  step: string;
}

/** Runs in the page: sets a picker's value as the picker itself would, then reads it back a moment later. */
async function pickValue(el: Element, wanted: string): Promise<PickResult> {
  const input = el as HTMLInputElement;
  const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!;
  // A copy without listeners (same type, min, max and step) shows what the browser makes of the value.
  const probe = input.cloneNode() as HTMLInputElement;
  native.set!.call(probe, wanted);
  const normalised = native.get!.call(probe) as string;
  const result = { value: native.get!.call(input) as string, normalised, min: input.min, max: input.max, step: input.step };
  const refused =
    (wanted !== '' && normalised === '') ||
    (input.type === 'color' && normalised !== wanted.toLowerCase()) ||
    (input.type === 'range' && (wanted.trim() === '' || Number.isNaN(Number(wanted))));
  if (refused) return { outcome: 'refused', ...result };
  if (input.type === 'range' && Number(normalised) !== Number(wanted)) return { outcome: 'stepped', ...result };
  input.focus();
  native.set!.call(input, normalised);
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
  // Handlers that put a value back may do it at once or a task later.
  await new Promise((resolve) => setTimeout(resolve, 0));
  return { outcome: 'set', ...result, value: native.get!.call(input) as string };
}

/** Runs in the page: whether a checkbox, radio or switch is on ('mixed' for an indeterminate one), and its own value. */
function checkState(el: Element): { on: boolean | 'mixed'; value: string } {
  if (el instanceof HTMLInputElement) return { on: el.indeterminate ? 'mixed' : el.checked, value: el.value };
  const aria = el.getAttribute('aria-checked');
  return { on: aria === 'mixed' ? 'mixed' : aria === 'true', value: '' };
}

const ON = new Set(['true', 'on', 'checked', 'yes', '1']);
const OFF = new Set(['false', 'off', 'unchecked', 'no', '0', '']);

async function setChecked(element: ElementRef, kind: 'checkbox' | 'radio' | 'switch', value: string): Promise<string> {
  const state = await element.evaluate(checkState);
  const word = value.trim().toLowerCase();
  const wanted = ON.has(word) || (state.value !== '' && value === state.value) ? true : OFF.has(word) ? false : undefined;
  if (wanted === undefined) {
    throw new UsageError(
      `A ${kind} takes "true" (checked) or "false" (unchecked)${state.value && state.value !== 'on' ? ` or its value ${quote(state.value)}` : ''}, not ${quote(truncate(value, 100))}.`,
      'Give "true" to check it or "false" to uncheck it.',
    );
  }
  if (kind === 'radio' && !wanted) {
    throw new UsageError('A radio button cannot be unchecked by clicking it.', 'Check another option of its group instead.');
  }
  if (state.on !== wanted) {
    // As a user does: a click. An input hidden behind a styled label cannot be clicked where it
    // is; it is clicked in the page then, which fires the same click, input and change events.
    await element.click().catch(() => element.evaluate((el) => (el as HTMLElement).click()));
    const after = await element.evaluate(async (el) => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return el instanceof HTMLInputElement ? el.checked : el.getAttribute('aria-checked') === 'true';
    });
    if (after !== wanted) {
      throw new LegibleError(`The ${kind} is still ${after ? 'checked' : 'unchecked'} after a click: the page kept it so.`, 'Check what the page does on click (a snapshot shows its state); something may need to happen first.');
    }
  }
  return wanted ? 'Checked' : 'Unchecked';
}

async function pick(element: ElementRef, kind: PickerKind, value: string): Promise<string> {
  const picker = PICKERS[kind];
  const result = await element.evaluate(pickValue, value);
  const shown = quote(truncate(value, 100));
  if (result.outcome === 'refused') {
    throw new UsageError(
      `The ${picker.what} field does not take ${shown}: it takes ${picker.format}, such as ${picker.example}.`,
      `Give the value as ${picker.format}.`,
    );
  }
  if (result.outcome === 'stepped') {
    const step = result.step === 'any' ? 'any' : result.step || '1';
    throw new UsageError(
      `The slider cannot take ${shown}: it moves in steps of ${step} from ${result.min || '0'} to ${result.max || '100'}; the nearest value is ${result.normalised}.`,
      `Give a value it can take, such as ${result.normalised}.`,
    );
  }
  if (result.value !== result.normalised) {
    throw new LegibleError(
      `The ${picker.what} field did not keep ${quote(result.normalised)}: the page set it to ${quote(truncate(result.value, 100))}.`,
      'The app refused the value (a controlled field, or its own validation): check what it accepts.',
    );
  }
  return 'Set';
}

/**
 * Sets a field that takes a value rather than typed text; returns the verb for the report
 * ("Set", "Checked", "Unchecked"), or undefined when the element takes typed text (or nothing).
 */
export async function setFieldValue(element: ElementRef, value: string): Promise<string | undefined> {
  const kind = await element.evaluate(fieldKind);
  if (kind === 'other') return undefined;
  if (kind === 'checkbox' || kind === 'radio' || kind === 'switch') return setChecked(element, kind, value);
  return pick(element, kind, value);
}
