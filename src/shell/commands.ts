import type { JsonSchema, ManifestTool, ToolManifest } from './manifest.js';

/**
 * The command line's commands, made from the tools: `record_stop` is `legible record stop`,
 * `app_start` would be `legible app start`; every parameter is a `--flag` (camelCase becomes
 * kebab-case: `fullPage` → `--full-page`), and the required ones may also be given in order
 * without their flags. OVERRIDES renames a few commands and chooses their positional arguments
 * (`open <url>`, `type <ref> <text>`); a tool not listed there needs no change here.
 */

export type ValueType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'json';

export interface ParamSpec {
  name: string;
  flag: string;
  type: ValueType;
  /** For arrays: the items' type. */
  items?: ValueType;
  choices?: string[];
  required: boolean;
  description: string;
}

export interface CommandSpec {
  /** What the user types: ["record", "start"]. */
  words: string[];
  tool: string;
  /** For an action of a family: the name tools/call takes, with `action` first (`app`, "start"). */
  call?: { name: string; action: string };
  /** The tool's description. */
  description: string;
  params: ParamSpec[];
  /** Parameters that may be given in order without their flag; the last may take the rest (`values...`). */
  positionals: string[];
  variadic: boolean;
  /** Arguments this command always passes (aliases such as `back`). */
  fixed: Record<string, unknown>;
  /** Values used when the parameter is not given (`pages` lists). */
  defaults: Record<string, unknown>;
  /** Parameters that may name a file: relative to the shell's folder, not the daemon's. */
  paths: string[];
}

interface Override {
  words?: string[];
  positionals?: string[];
  defaults?: Record<string, unknown>;
  /** Parameters that may name a file on this machine (made absolute when the file exists). */
  paths?: string[];
  /** Parameters this command needs though the tool does not (`open` needs its url: `back` is its own command). */
  required?: string[];
  /** More commands for the same tool with fixed arguments. */
  aliases?: {
    words: string[];
    fixed: Record<string, unknown>;
    description: string;
    positionals?: string[];
    /** The only parameters the alias takes (`page` always too): `press` takes a key, not text or files. */
    only?: string[];
    /** Parameters the alias needs though the tool does not (`press` needs its key). */
    required?: string[];
  }[];
}

/** Commands whose name or arguments differ from the default rule. */
export const OVERRIDES: Record<string, Override> = {
  navigate: {
    words: ['open'],
    positionals: ['url'],
    required: ['url'],
    aliases: [
      { words: ['back'], fixed: { go: 'back' }, description: 'Go back in the tab\'s history; reports the load like open.', positionals: [] },
      { words: ['forward'], fixed: { go: 'forward' }, description: 'Go forward in the tab\'s history; reports the load like open.', positionals: [] },
      { words: ['reload'], fixed: { go: 'reload' }, description: 'Reload the page; reports the load like open.', positionals: [] },
    ],
  },
  snapshot: { positionals: [] },
  type: {
    positionals: ['ref', 'text'],
    aliases: [
      { words: ['press'], fixed: {}, description: 'Press a key or combo (Enter, Control+A) on the focused element. Reports effects.', positionals: ['key'], only: ['key'], required: ['key'] },
    ],
  },
  click: { aliases: [{ words: ['hover'], fixed: { hover: true }, description: 'Hover a ref. Reports effects.', positionals: ['ref'], only: ['ref'], required: ['ref'] }] },
  select_option: { words: ['select'], positionals: ['ref', 'values'] },
  wait_for: { words: ['wait'], positionals: ['text'] },
  screenshot: { positionals: ['path'] },
  console: { positionals: [] },
  network: { positionals: ['id'] },
  evaluate: { words: ['eval'], positionals: ['function'] },
  pages: { positionals: ['action', 'id'], defaults: { action: 'list' } },
  dialog: {
    positionals: [],
    aliases: [
      { words: ['dialog', 'accept'], fixed: { accept: true }, description: 'Answer the open dialog with OK (a prompt\'s text with --text).' },
      { words: ['dialog', 'dismiss'], fixed: { accept: false }, description: 'Answer the open dialog with Cancel.' },
    ],
  },
  record_start: { positionals: ['label'] },
  record_compare: { positionals: ['a', 'b'] },
  journey_save: { positionals: ['name'] },
  journey_run: { positionals: ['journey'], paths: ['journey'] },
  report: { positionals: ['run'] },
};

export const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function valueType(schema: JsonSchema | undefined): ValueType {
  const type = Array.isArray(schema?.type) ? schema.type.find((t) => t !== 'null') : schema?.type;
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') return type;
  if (type === 'array') return 'array';
  if (schema?.enum?.every((value) => typeof value === 'string')) return 'string';
  return 'json';
}

function paramSpecs(tool: ManifestTool): ParamSpec[] {
  return tool.params.map(({ name, required, schema }) => {
    const type = valueType(schema);
    const choices = (type === 'array' ? schema.items?.enum : schema.enum)?.filter((v): v is string => typeof v === 'string');
    return {
      name,
      flag: kebab(name),
      type,
      ...(type === 'array' ? { items: valueType(schema.items) } : {}),
      ...(choices?.length ? { choices } : {}),
      required,
      description: schema.description ?? '',
    };
  });
}

/**
 * Without an override: the required parameters that take a value, in order (`logs <query>` if
 * query is required); a tool with none takes its first parameter without a flag when that is a
 * string (`app start [name]`, `logs [query]`).
 */
function defaultPositionals(params: ParamSpec[]): string[] {
  const required = params.filter((p) => p.required && p.type !== 'boolean' && p.type !== 'json').map((p) => p.name);
  if (required.length) return required;
  const first = params[0];
  return first && first.type === 'string' && first.name !== 'page' ? [first.name] : [];
}

/** The commands for every tool in the manifest, in the tools' order (aliases after their tool). */
export function buildCommands(manifest: ToolManifest): CommandSpec[] {
  const commands: CommandSpec[] = [];
  for (const tool of manifest.tools) {
    const override = OVERRIDES[tool.name] ?? {};
    const base = paramSpecs(tool);
    const params = base.map((p) => (override.required?.includes(p.name) ? { ...p, required: true } : p));
    const known = new Set(params.map((p) => p.name));
    const positionals = (override.positionals ?? defaultPositionals(params)).filter((name) => known.has(name));
    const variadic = (name: string | undefined) => params.find((p) => p.name === name)?.type === 'array';
    commands.push({
      words: override.words ?? tool.name.split('_'),
      tool: tool.name,
      ...(tool.call ? { call: tool.call } : {}),
      description: tool.description,
      params,
      positionals,
      variadic: variadic(positionals.at(-1)),
      fixed: {},
      defaults: override.defaults ?? {},
      paths: override.paths ?? [],
    });
    for (const alias of override.aliases ?? []) {
      const aliasPositionals = (alias.positionals ?? positionals).filter((name) => !(name in alias.fixed));
      commands.push({
        words: alias.words,
        tool: tool.name,
        ...(tool.call ? { call: tool.call } : {}),
        description: alias.description,
        params: base
          .filter((p) => !(p.name in alias.fixed) && (!alias.only || alias.only.includes(p.name) || p.name === 'page'))
          .map((p) => (alias.required?.includes(p.name) ? { ...p, required: true } : p)),
        positionals: aliasPositionals,
        variadic: variadic(aliasPositionals.at(-1)),
        fixed: alias.fixed,
        defaults: {},
        paths: override.paths ?? [],
      });
    }
  }
  return commands;
}

/** The positional arguments as `<ref> <text>` (required) or `[path]` (optional). */
export function positionalHint(command: CommandSpec): string {
  return command.positionals
    .map((name) => {
      const param = command.params.find((p) => p.name === name)!;
      const dots = command.variadic && name === command.positionals.at(-1) ? '...' : '';
      return param.required && !(name in command.defaults) ? `<${name}>${dots}` : `[${name}]${dots}`;
    })
    .join(' ');
}

/** `click <ref> [--double] [--button left|right|middle]`. */
export function usageLine(command: CommandSpec): string {
  const parts = ['legible', ...command.words];
  const positional = new Set(command.positionals);
  for (const name of command.positionals) {
    const param = command.params.find((p) => p.name === name)!;
    const dots = command.variadic && name === command.positionals.at(-1) ? '...' : '';
    const label = param.choices ? param.choices.join('|') : name;
    parts.push(param.required && !(name in command.defaults) ? `<${label}>${dots}` : `[${label}]${dots}`);
  }
  for (const param of command.params) {
    if (positional.has(param.name) || param.name === 'page') continue;
    parts.push(param.required ? `--${param.flag} ${placeholder(param)}` : `[--${param.flag}${param.type === 'boolean' ? '' : ` ${placeholder(param)}`}]`);
  }
  return parts.join(' ');
}

export function placeholder(param: ParamSpec): string {
  if (param.choices) return param.choices.join('|');
  if (param.type === 'array') return `${param.items === 'string' ? param.name.replace(/s$/, '') : param.items ?? 'value'}`;
  if (param.type === 'integer' || param.type === 'number') return 'N';
  if (param.type === 'json') return 'JSON';
  return param.name === 'ref' ? 'ref' : param.name === 'page' ? 'id' : 'text';
}

/** The first sentence of a description, for lists. */
export function summary(description: string): string {
  const first = /^(.+?[.!?])(?=\s+[A-Z]|$)/.exec(description.trim())?.[1] ?? description.trim();
  return first.length > 72 ? `${first.slice(0, 71).replace(/[\s,;:(]+\S*$/, '')}…` : first;
}
