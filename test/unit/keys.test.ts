import { describe, expect, it } from 'vitest';
import { mayTypeText, parseKeyCombo } from '../../src/cdp/keys.js';
import { LegibleError } from '../../src/util/errors.js';

describe('parseKeyCombo', () => {
  it('passes a single key through', () => {
    expect(parseKeyCombo('Enter')).toEqual(['Enter']);
    expect(parseKeyCombo('a')).toEqual(['a']);
    expect(parseKeyCombo('F5')).toEqual(['F5']);
  });

  it('splits combos into modifiers and the key', () => {
    expect(parseKeyCombo('Control+Shift+K')).toEqual(['Control', 'Shift', 'K']);
    expect(parseKeyCombo('Shift+Tab')).toEqual(['Shift', 'Tab']);
  });

  it('maps friendly aliases, in any case, to the names Chromium expects', () => {
    expect(parseKeyCombo('ctrl+a')).toEqual(['Control', 'a']);
    expect(parseKeyCombo('CMD+z')).toEqual(['Meta', 'z']);
    expect(parseKeyCombo('option+left')).toEqual(['Alt', 'ArrowLeft']);
    expect(parseKeyCombo('esc')).toEqual(['Escape']);
    expect(parseKeyCombo('return')).toEqual(['Enter']);
    expect(parseKeyCombo('del')).toEqual(['Delete']);
    expect(parseKeyCombo('pagedown')).toEqual(['PageDown']);
    expect(parseKeyCombo('space')).toEqual(['Space']);
    expect(parseKeyCombo('Control+plus')).toEqual(['Control', '+']);
  });

  it('ignores white space around the parts', () => {
    expect(parseKeyCombo('  Shift + tab ')).toEqual(['Shift', 'Tab']);
  });

  it('reads a lone or trailing "+" as the plus key', () => {
    expect(parseKeyCombo('+')).toEqual(['+']);
    expect(parseKeyCombo('Control++')).toEqual(['Control', '+']);
  });

  it('refuses empty keys and broken combos with a hint', () => {
    for (const bad of ['', '   ', 'Control+', '+a+', 'a++b', '++']) {
      let error: unknown;
      try {
        parseKeyCombo(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error, `parseKeyCombo(${JSON.stringify(bad)}) should throw`).toBeInstanceOf(LegibleError);
      expect((error as LegibleError).hint).toMatch(/Enter|Control\+A/);
    }
  });
});

describe('mayTypeText', () => {
  it('counts characters, and keys named by their code, as typing (so a password field masks them)', () => {
    for (const combo of ['a', 'Shift+A', '7', 'KeyQ', 'Digit4', 'Numpad8', 'Space', 'space', 'Shift+KeyZ', '+', 'Equal']) expect(mayTypeText(parseKeyCombo(combo)), combo).toBe(true);
  });

  it('does not count keys that edit, move or submit, nor shortcuts', () => {
    for (const combo of ['Enter', 'Tab', 'Shift+Tab', 'Backspace', 'Delete', 'ArrowLeft', 'Home', 'Escape', 'F5', 'Control+A', 'Meta+v', 'Alt+x', 'Shift', 'NumpadEnter']) expect(mayTypeText(parseKeyCombo(combo)), combo).toBe(false);
  });
});
