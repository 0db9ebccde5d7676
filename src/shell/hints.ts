import { kebab, type CommandSpec } from './commands.js';

/**
 * The tools' answers name other tools as an MCP client calls them (`journey_run
 * {"journey":"cart"}`, "call record_stop"); on the command line the same advice reads as the
 * command to type (`legible journey run cart`, "run legible record stop"). This is the one place
 * that rewrites it, from the command manifest, so no tool needs a second text:
 * - `tool {json}` (and a following `or {json}` for the same tool) → `legible <words> <args>`;
 * - a tool name with an underscore, or "the <tool> tool" → `legible <words>`;
 * - a list of three or more tool names → their command words ("The tools are:" → "The commands are:").
 * A name inside a double-quoted string on its line (a page's text in an outline) is left alone.
 */
export function hintTranslator(commands: CommandSpec[]): (text: string) => string {
  const byTool = new Map<string, CommandSpec[]>();
  for (const command of commands) byTool.set(command.tool, [...(byTool.get(command.tool) ?? []), command]);
  // Families (`app {"action":"start"}`): the family's name and an action lead to the action's commands.
  const families = new Map<string, Map<string, string>>();
  for (const command of commands) {
    if (command.call) families.set(command.call.name, (families.get(command.call.name) ?? new Map<string, string>()).set(command.call.action, command.tool));
  }
  const tools = [...byTool.keys(), ...families.keys()].sort((a, b) => b.length - a.length);
  if (!tools.length) return (text) => text;
  const names = tools.map((tool) => tool.replace(/[^\w]/g, '\\$&')).join('|');
  const word = `(?<![\\w./\\\\-])(?:${names})(?![\\w-]|\\.\\w)`;
  const list = new RegExp(`(The tools are: )?${word}(?:, ${word}){2,}`, 'g');
  const mention = new RegExp(`(\\b[Cc]all )?(\\bthe )?(${word})( tool\\b)?`, 'g');
  const primary = (tool: string) => byTool.get(tool)!.find((command) => !Object.keys(command.fixed).length) ?? byTool.get(tool)![0]!;
  const words = (tool: string) => (families.has(tool) ? tool : primary(tool).words.join(' '));

  return (text) => {
    if (!text) return text;
    let out = text.replace(list, (match: string, lead: string | undefined, offset: number) => {
      if (insideQuotes(text, offset)) return match;
      const listed = (lead ? match.slice(lead.length) : match).split(', ').map((tool) => words(tool));
      return `${lead ? 'The commands are: ' : ''}${[...new Set(listed)].join(', ')}`;
    });
    let result = '';
    let last = 0;
    mention.lastIndex = 0;
    for (let match = mention.exec(out); match; match = mention.exec(out)) {
      const [, call, the, named, toolWord] = match as unknown as [string, string | undefined, string | undefined, string, string | undefined];
      if (insideQuotes(out, match.index) || !(byTool.has(named) || families.has(named))) continue;
      const start = match.index + (call ?? '').length + (the ?? '').length;
      const afterName = start + named.length;
      let json = toolWord ? undefined : readJsonObject(out, afterName);
      let tool = named;
      const family = families.get(named);
      if (family) {
        // A family is a command only with its action: `app {"action":"start","name":"api"}` → `legible app start api`.
        const member = typeof json?.value.action === 'string' ? family.get(json.value.action) : undefined;
        if (!json || !member) continue;
        const { action: _action, ...rest } = json.value;
        json = { value: rest, end: json.end };
        tool = member;
      }
      let replacement: string | undefined;
      let end = afterName;
      if (json) {
        let line = commandLine(byTool.get(tool)!, json.value);
        end = json.end;
        // `dialog {"accept":true} or {"accept":false}`: the second object is the same tool's.
        for (let more = /^ or (?=\{)/.exec(out.slice(end)); more; more = /^ or (?=\{)/.exec(out.slice(end))) {
          const next = readJsonObject(out, end + more[0].length);
          const nextLine = next && commandLine(byTool.get(tool)!, next.value);
          if (!next || !nextLine) break;
          line = line && `${line} or ${nextLine}`;
          end = next.end;
        }
        replacement = line;
      }
      if (!replacement && family) continue;
      if (!replacement && (tool.includes('_') || the && toolWord)) {
        replacement = `legible ${words(tool)}`;
        end = afterName + (toolWord ?? '').length;
      }
      if (!replacement) continue;
      const lead = the && toolWord ? '' : (the ?? '');
      result += out.slice(last, match.index) + (call ? `${call[0] === 'C' ? 'Run' : 'run'} ` : '') + lead + replacement;
      last = end;
      mention.lastIndex = end;
    }
    out = result + out.slice(last);
    return out;
  };
}

/** Whether `at` is inside a double-quoted string of its line (an odd number of unescaped quotes before it). */
function insideQuotes(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let quotes = 0;
  for (let i = lineStart; i < at; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') quotes++;
  }
  return quotes % 2 === 1;
}

/**
 * The JSON object that starts at `from` (after one space), read to its matching brace; a bare
 * `…` (a placeholder) counts as the string "…". Undefined when there is none or it does not parse.
 */
function readJsonObject(text: string, from: number): { value: Record<string, unknown>; end: number } | undefined {
  const start = text[from] === ' ' && text[from + 1] === '{' ? from + 1 : text[from] === '{' ? from : -1;
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length && i < start + 2_000; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      try {
        const value = JSON.parse(text.slice(start, i + 1).replace(/([:,[]\s*)…(?=\s*[,}\]])/g, '$1"…"')) as unknown;
        if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
        return { value: value as Record<string, unknown>, end: i + 1 };
      } catch {
        return undefined;
      }
    } else if (c === '\n') return undefined;
  }
  return undefined;
}

/** A value as one shell word: bare when safe, else in single quotes. The placeholder … stays bare. */
function shellWord(value: string): string {
  if (value === '…' || /^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `legible <words> <positionals> --flags` for a tool's arguments; undefined when they are not the tool's. */
function commandLine(candidates: CommandSpec[], args: Record<string, unknown>): string | undefined {
  // An alias whose fixed arguments these are (`navigate {"go":"back"}` is `legible back`).
  const alias = candidates.find((command) => Object.keys(command.fixed).length && Object.entries(command.fixed).every(([name, value]) => args[name] === value));
  // Or a command of its own for exactly these arguments (`type {"key":"Enter"}` is `legible press Enter`).
  const keys = Object.keys(args);
  const own = candidates.find((command) => !Object.keys(command.fixed).length && command.positionals.length && keys.length && keys.every((key) => command.positionals.includes(key)) && command.positionals.every((key) => keys.includes(key)));
  const command = alias ?? own ?? candidates.find((c) => !Object.keys(c.fixed).length) ?? candidates[0]!;
  const rest = Object.fromEntries(Object.entries(args).filter(([name]) => !(alias && name in alias.fixed)));
  const params = new Map(command.params.map((param) => [param.name, param]));
  if (Object.keys(rest).some((name) => !params.has(name))) return undefined;
  const parts = ['legible', ...command.words];
  const given = new Set<string>();
  // Positionals in order, up to the first that is missing or would read as a flag.
  for (const name of command.positionals) {
    const value = rest[name];
    const param = params.get(name)!;
    const values = Array.isArray(value) && param.type === 'array' ? value : [value];
    if (value === undefined || values.some((v) => (typeof v !== 'string' && typeof v !== 'number') || String(v).startsWith('-'))) break;
    parts.push(...values.map((v) => shellWord(String(v))));
    given.add(name);
  }
  for (const [name, value] of Object.entries(rest)) {
    if (given.has(name)) continue;
    const flag = `--${params.get(name)?.flag ?? kebab(name)}`;
    if (value === true) parts.push(flag);
    else if (value === false) parts.push(`--no-${flag.slice(2)}`);
    else if (Array.isArray(value) && params.get(name)?.type === 'array') for (const item of value) parts.push(flag, shellWord(typeof item === 'string' ? item : JSON.stringify(item)));
    else parts.push(flag, shellWord(typeof value === 'string' ? value : JSON.stringify(value)));
  }
  return parts.join(' ');
}
