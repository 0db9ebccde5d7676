import type { Labels } from '../../model.js';
import { UsageError } from '../../../util/errors.js';

/**
 * The part of Go's text/template that line_format and label_format queries use: `{{.label}}`,
 * `{{__line__}}`, `{{__timestamp__}}`, and pipes through a few functions (`{{.path | ToUpper}}`,
 * `{{.msg | trunc 80}}`, `{{.user | default "-"}}`). Conditionals and ranges are refused with a
 * message that says so.
 */

export interface Template {
  render(labels: Labels, line: string, timeMs: number): string;
  /** The label names it reads. */
  references: string[];
}

type Fn = (value: string, args: string[]) => string;

const FUNCTIONS: Record<string, Fn> = {
  ToUpper: (value) => value.toUpperCase(),
  ToLower: (value) => value.toLowerCase(),
  upper: (value) => value.toUpperCase(),
  lower: (value) => value.toLowerCase(),
  title: (value) => value.replace(/\b\w/g, (c) => c.toUpperCase()),
  trim: (value) => value.trim(),
  TrimSpace: (value) => value.trim(),
  trunc: (value, [n]) => {
    const count = Number(n);
    return count >= 0 ? value.slice(0, count) : value.slice(count);
  },
  default: (value, [fallback]) => (value === '' ? (fallback ?? '') : value),
  replace: (value, [from, to]) => value.split(from ?? '').join(to ?? ''),
  len: (value) => String(value.length),
};

type Part = string | { source: string; fns: { name: string; args: string[] }[] };

export function compileTemplate(text: string): Template {
  const parts: Part[] = [];
  const references = new Set<string>();
  let at = 0;
  for (const match of text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/gs)) {
    parts.push(text.slice(at, match.index));
    at = match.index + match[0].length;
    const [head, ...pipes] = splitPipes(match[1]!);
    const source = head!.trim();
    if (!/^(\.[A-Za-z_]\w*|__line__|__timestamp__)$/.test(source)) {
      throw new UsageError(
        `LogQL template: {{${match[1]}}} is not supported; Legible's templates take {{.label}}, {{__line__}}, {{__timestamp__}}, and pipes through ${Object.keys(FUNCTIONS).join(', ')}.`,
        'For example: | line_format "{{.method}} {{.path}} {{.status}}"',
      );
    }
    if (source.startsWith('.')) references.add(source.slice(1));
    const fns = pipes.map((pipe) => {
      const words = [...pipe.trim().matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((word) => (word[1] !== undefined ? word[1].replace(/\\(.)/g, '$1') : word[2]!));
      const [name, ...args] = words;
      if (!name || !FUNCTIONS[name]) {
        throw new UsageError(`LogQL template: the function ${JSON.stringify(name ?? '')} is not supported.`, `Use one of ${Object.keys(FUNCTIONS).join(', ')}.`);
      }
      return { name, args };
    });
    parts.push({ source, fns });
  }
  parts.push(text.slice(at));
  const compiled = parts.filter((part) => part !== '');
  return {
    references: [...references],
    render(labels, line, timeMs) {
      let out = '';
      for (const part of compiled) {
        if (typeof part === 'string') {
          out += part;
          continue;
        }
        let value = part.source === '__line__' ? line : part.source === '__timestamp__' ? new Date(timeMs).toISOString() : (labels[part.source.slice(1)] ?? '');
        for (const fn of part.fns) value = FUNCTIONS[fn.name]!(value, fn.args);
        out += value;
      }
      return out;
    },
  };
}

/** Splits `a | b "x|y"` at the pipes outside quotes. */
function splitPipes(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (char === '|' && !quoted) {
      out.push(current);
      current = '';
    } else current += char;
  }
  out.push(current);
  return out;
}
