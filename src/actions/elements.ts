import type { ElementRef } from '../cdp/elementRef.js';
import type { PageDriver } from '../cdp/pageDriver.js';
import { LegibleError } from '../util/errors.js';
import { quoteValue } from '../util/text.js';
import { setFieldValue } from './fieldValue.js';

/** Selects a field's whole content (runs in the page); returns false for non-editable elements. */
function selectContents(el: Element): boolean {
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    el.focus();
    el.select();
    return el.value.length > 0;
  }
  if (el instanceof HTMLElement && el.isContentEditable) {
    el.focus();
    const range = document.createRange();
    range.selectNodeContents(el);
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return (el.textContent ?? '').length > 0;
  }
  return false;
}

function isEditable(el: Element): boolean {
  if (el instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'image', 'range', 'color', 'hidden'].includes(el.type);
  return el instanceof HTMLTextAreaElement || (el instanceof HTMLElement && el.isContentEditable);
}

/**
 * Types into a field like a person: optionally clears it first, optionally presses Enter. A field
 * that takes a value rather than keystrokes (a date, a colour, a slider, a checkbox) gets the
 * value set as its picker or a click would set it (see setFieldValue). Returns the verb for the
 * report: "Typed", "Set", "Checked" or "Unchecked".
 */
export async function typeInto(page: PageDriver, element: ElementRef, text: string, options: { clear: boolean; submit: boolean }): Promise<string> {
  if (await element.evaluate((el) => (el as HTMLInputElement).disabled === true || (el as HTMLInputElement).readOnly === true)) {
    throw new LegibleError('That field is disabled or read-only.', 'Check the page state (a snapshot shows [disabled]); something may need to happen first.');
  }
  const set = await setFieldValue(element, text);
  if (set) {
    if (options.submit) await page.press('Enter');
    return set;
  }
  if (!(await element.evaluate(isEditable))) {
    throw new LegibleError('That element does not take text.', 'Pick a textbox, searchbox or editable element from the snapshot.');
  }
  await element.focus();
  if (options.clear && (await element.evaluate(selectContents))) await page.press('Backspace');
  if (text) await element.type(text);
  if (options.submit) await page.press('Enter');
  return 'Typed';
}

interface OptionMatch {
  values: string[];
  missing: string[];
  available: string[];
  isSelect: boolean;
}

/** Maps wanted options (by value or visible label) to values; runs in the page. */
function matchOptions(el: Element, wanted: string[]): OptionMatch {
  if (!(el instanceof HTMLSelectElement)) return { values: [], missing: wanted, available: [], isSelect: false };
  const options = Array.from(el.options);
  const values: string[] = [];
  const missing: string[] = [];
  for (const want of wanted) {
    const option = options.find((o) => o.value === want) ?? options.find((o) => o.text.trim() === want.trim()) ?? options.find((o) => o.text.trim().toLowerCase() === want.trim().toLowerCase());
    if (option) values.push(option.value);
    else missing.push(want);
  }
  return { values, missing, available: options.slice(0, 30).map((o) => o.text.trim() || o.value), isSelect: true };
}

export async function selectOptions(element: ElementRef, wanted: string[]): Promise<string[]> {
  const match = await element.evaluate(matchOptions, wanted);
  if (!match.isSelect) {
    throw new LegibleError(
      'select_option works on <select> elements (role combobox or listbox with options).',
      'For a custom dropdown, click it to open it, then click the option.',
    );
  }
  if (match.missing.length) {
    throw new LegibleError(
      `No option matches ${match.missing.slice(0, 5).map((m) => quoteValue(m)).join(', ')}${match.missing.length > 5 ? ` and ${match.missing.length - 5} more` : ''}.`,
      `Options are: ${match.available.map((a) => quoteValue(a, 60)).join(', ')}.`,
    );
  }
  return element.select(match.values);
}

/** Polls in the page until the condition holds or `timeout` passes; runs in the page. */
export function waitInPage(condition: { text?: string; gone: boolean; ref?: string }, timeout: number): Promise<boolean> {
  const registry = (window as unknown as Record<symbol, { refs: Map<string, WeakRef<Element>> } | undefined>)[Symbol.for('legible.refs')];
  const holds = (): boolean => {
    let present: boolean;
    if (condition.ref) {
      const el = registry?.refs.get(condition.ref)?.deref();
      present = !!el && el.isConnected && (typeof el.checkVisibility !== 'function' || el.checkVisibility());
    } else {
      present = (document.body?.innerText ?? '').includes(condition.text ?? '');
    }
    return condition.gone ? !present : present;
  };
  const start = performance.now();
  return new Promise((resolve) => {
    const tick = () => {
      if (holds()) return resolve(true);
      if (performance.now() - start >= timeout) return resolve(false);
      setTimeout(tick, 50);
    };
    tick();
  });
}
