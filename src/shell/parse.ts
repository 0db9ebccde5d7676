import { LegibleError } from '../util/errors.js';
import { usageLine, type CommandSpec, type ParamSpec } from './commands.js';

/**
 * Turns a command's words into a tool call: finds the command (longest match of its words),
 * reads `--flag value`, `--flag=value`, `--no-flag` and positional arguments, and checks what
 * can be checked here (unknown flags, missing arguments, numbers, choices). The daemon checks
 * the rest with the tool's own schema.
 */

export interface ParsedCall {
  command: CommandSpec;
  args: Record<string, unknown>;
  help: boolean;
}

export function usageError(message: string, hint: string): LegibleError {
  return new LegibleError(message, hint, { kind: 'usage' });
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length]!;
}

/** The candidates closest to `word` (at most three), best first: a typo of the whole, or of its start. */
export function closest(word: string, candidates: string[]): string[] {
  const score = (candidate: string) => {
    if (candidate.startsWith(word) || word.startsWith(candidate)) return 0.5;
    const whole = distance(word, candidate);
    if (whole <= Math.max(2, Math.floor(candidate.length / 3))) return whole;
    const start = word.length >= 3 ? distance(word, candidate.slice(0, word.length)) : Infinity;
    return start <= 1 ? start + 0.5 : Infinity;
  };
  const scored = candidates.map((candidate) => ({ candidate, score: score(candidate) })).filter(({ score }) => score !== Infinity);
  scored.sort((x, y) => x.score - y.score);
  return [...new Set(scored.map((s) => s.candidate))].slice(0, 3);
}

const quoteArg = (text: string) => JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);

/** The command `words` start with: two-word commands first (`record start`), then one. */
export function findCommand(commands: CommandSpec[], words: string[]): { command: CommandSpec; rest: string[] } {
  for (const length of [2, 1]) {
    const head = words.slice(0, length).join(' ');
    const command = commands.find((c) => c.words.join(' ') === head);
    if (command && words.length >= length) return { command, rest: words.slice(length) };
  }
  const first = words[0] ?? '';
  const group = commands.filter((c) => c.words.length > 1 && c.words[0] === first);
  if (group.length) {
    const sub = words[1];
    const subs = group.map((c) => c.words[1]!);
    const near = sub && !sub.startsWith('-') ? closest(sub, subs) : [];
    throw usageError(
      sub && !sub.startsWith('-') ? `Unknown command "${first} ${sub.slice(0, 40)}".` : `${first} needs one of: ${subs.join(', ')}.`,
      `${near.length ? `Did you mean: ${near.map((s) => `legible ${first} ${s}`).join(', ')}? ` : ''}Commands: ${subs.map((s) => `${first} ${s}`).join(', ')}.`,
    );
  }
  const names = [...new Set(commands.map((c) => c.words.join(' ')))];
  const near = closest(first, names.concat(names.map((n) => n.split(' ')[0]!)));
  throw usageError(
    `Unknown command ${quoteArg(first)}.`,
    `${near.length ? `Did you mean: ${near.join(', ')}? ` : ''}Run legible --help for the commands.`,
  );
}

function convert(param: ParamSpec, type: ParamSpec['type'] | undefined, raw: string, command: CommandSpec): unknown {
  const wrong = (what: string) =>
    usageError(`--${param.flag} of ${command.words.join(' ')} takes ${what}, not ${quoteArg(raw)}.`, `Usage: ${usageLine(command)}`);
  if (param.choices && !param.choices.includes(raw)) {
    const near = closest(raw, param.choices);
    throw usageError(
      `${param.name} of ${command.words.join(' ')} is one of ${param.choices.join(', ')}, not ${quoteArg(raw)}.`,
      near.length ? `Did you mean ${near[0]}?` : `Usage: ${usageLine(command)}`,
    );
  }
  switch (type) {
    case 'integer':
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value) || (type === 'integer' && !Number.isInteger(value))) throw wrong(type === 'integer' ? 'a whole number' : 'a number');
      return value;
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw wrong('true or false');
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        throw wrong('JSON');
      }
    default:
      return raw;
  }
}

/** Reads a command's arguments (the words after the command's own). */
export function parseArguments(command: CommandSpec, words: string[]): ParsedCall {
  const args: Record<string, unknown> = {};
  const positionals: string[] = [];
  let help = false;
  let onlyPositionals = false;
  const byFlag = new Map<string, ParamSpec>();
  for (const param of command.params) {
    byFlag.set(param.flag, param);
    byFlag.set(param.name, param);
  }
  const set = (param: ParamSpec, value: unknown) => {
    if (param.type === 'array') (args[param.name] as unknown[] | undefined)?.push(value) ?? (args[param.name] = [value]);
    else if (param.name in args) throw usageError(`--${param.flag} is given twice.`, `Usage: ${usageLine(command)}`);
    else args[param.name] = value;
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (onlyPositionals || !word.startsWith('--') || word === '--') {
      if (word === '--' && !onlyPositionals) onlyPositionals = true;
      else if (word === '-h' && !onlyPositionals) help = true;
      else positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = word.slice(2, eq === -1 ? undefined : eq);
    if (name === 'help') {
      help = true;
      continue;
    }
    let param = byFlag.get(name);
    let negated = false;
    if (!param && name.startsWith('no-') && byFlag.get(name.slice(3))?.type === 'boolean') {
      param = byFlag.get(name.slice(3));
      negated = true;
    }
    if (!param) {
      const near = closest(name, [...new Set(command.params.map((p) => p.flag))]);
      throw usageError(
        `${command.words.join(' ')} has no option --${name.slice(0, 60)}.`,
        `${near.length ? `Did you mean --${near[0]}? ` : ''}Usage: ${usageLine(command)}`,
      );
    }
    if (param.type === 'boolean') {
      set(param, negated ? false : eq === -1 ? true : convert(param, 'boolean', word.slice(eq + 1), command));
      continue;
    }
    const raw = eq === -1 ? words[++i] : word.slice(eq + 1);
    if (raw === undefined) throw usageError(`--${param.flag} needs a value.`, `Usage: ${usageLine(command)}`);
    set(param, convert(param, param.type === 'array' ? param.items : param.type, raw, command));
  }
  if (help) return { command, args, help };
  // Positional arguments fill the command's positional parameters in order; the last one of an
  // array type takes the rest.
  let next = 0;
  for (const name of command.positionals) {
    if (next >= positionals.length) break;
    const param = command.params.find((p) => p.name === name)!;
    if (name in args) continue; // given as a flag
    if (param.type === 'array') {
      for (const raw of positionals.slice(next)) set(param, convert(param, param.items, raw, command));
      next = positionals.length;
    } else {
      set(param, convert(param, param.type, positionals[next]!, command));
      next++;
    }
  }
  if (next < positionals.length) {
    throw usageError(
      `${command.words.join(' ')} takes ${command.positionals.length ? `at most ${command.positionals.length} argument${command.positionals.length > 1 ? 's' : ''} without a flag` : 'no arguments without a flag'}; ${quoteArg(positionals[next]!)} is one too many.`,
      `Quote text with spaces. Usage: ${usageLine(command)}`,
    );
  }
  for (const [name, value] of Object.entries(command.defaults)) if (!(name in args)) args[name] = value;
  const missing = command.params.filter((p) => p.required && !(p.name in args));
  if (missing.length) {
    throw usageError(
      `${command.words.join(' ')} needs ${missing.map((p) => (command.positionals.includes(p.name) ? `<${p.name}>` : `--${p.flag}`)).join(' and ')}.`,
      `Usage: ${usageLine(command)}`,
    );
  }
  return { command, args: { ...args, ...command.fixed }, help };
}

/**
 * Splits one command of `legible batch` into words as a POSIX shell would for the usual cases:
 * spaces separate, '…' keeps everything, "…" keeps all but \" and \\, a backslash escapes
 * the next character outside quotes.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw usageError(`Unclosed ' in ${quoteArg(line)}.`, 'Close the quote.');
      word += line.slice(i + 1, end);
      i = end;
      started = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) j++;
        word += line[j];
      }
      if (j >= line.length) throw usageError(`Unclosed " in ${quoteArg(line)}.`, 'Close the quote.');
      i = j;
      started = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}
