import { UsageError } from '../util/errors.js';
import { quoteValue } from '../util/text.js';

/** Friendly spellings mapped to the key names Chromium's input layer expects. */
const ALIASES: Record<string, string> = {
  ctrl: 'Control',
  control: 'Control',
  cmd: 'Meta',
  command: 'Meta',
  meta: 'Meta',
  win: 'Meta',
  super: 'Meta',
  option: 'Alt',
  alt: 'Alt',
  shift: 'Shift',
  esc: 'Escape',
  escape: 'Escape',
  del: 'Delete',
  delete: 'Delete',
  return: 'Enter',
  enter: 'Enter',
  space: 'Space',
  tab: 'Tab',
  backspace: 'Backspace',
  up: 'ArrowUp',
  down: 'ArrowDown',
  left: 'ArrowLeft',
  right: 'ArrowRight',
  pageup: 'PageUp',
  pagedown: 'PageDown',
  home: 'Home',
  end: 'End',
  plus: '+',
};

/** Splits `Control+Shift+K` into ['Control', 'Shift', 'K'], normalising common aliases. */
export function parseKeyCombo(combo: string): string[] {
  const trimmed = combo.trim();
  if (!trimmed) throw new UsageError('The key is empty.', 'Give a key such as Enter or a combo such as Control+A.');
  // A lone "+" or a combo ending in "+" ("Control++") means the plus key itself.
  const parts = trimmed === '+' ? ['+'] : trimmed.endsWith('++') ? [...trimmed.slice(0, -2).split('+'), '+'] : trimmed.split('+');
  if (parts.some((part) => part.trim() === '')) {
    throw new UsageError(`${quoteValue(combo)} is not a key combo.`, 'Write combos as Modifier+Key, for example Control+A.');
  }
  return parts.map((part) => {
    const name = part.trim();
    return ALIASES[name.toLowerCase()] ?? name;
  });
}

/** Keys that never type a character: editing, moving, modifiers, function keys (by their key or code names). */
const NON_TYPING =
  /^(?:Enter|NumpadEnter|Tab|Escape|Backspace|Delete|Insert|Arrow(?:Up|Down|Left|Right)|Home|End|Page(?:Up|Down)|(?:Shift|Control|Alt|Meta)(?:Left|Right)?|AltGraph|CapsLock|NumLock|ScrollLock|Pause|PrintScreen|ContextMenu|F\d{1,2})$/;

/**
 * Whether pressing this combo (parseKeyCombo's keys) may type a character: a character key ("a",
 * "Shift+A") or a key named by its code ("KeyA", "Digit1", "Numpad1", "Space"), with no modifier but
 * Shift. Errs on the side of yes, so that in a password field no typed character is shown by name.
 */
export function mayTypeText(keys: string[]): boolean {
  return keys.slice(0, -1).every((modifier) => modifier === 'Shift') && !NON_TYPING.test(keys.at(-1)!);
}
