import { placeholder, positionalHint, summary, usageLine, type CommandSpec } from './commands.js';

/**
 * The command line's help texts, made from the commands (so from the tools' definitions); the
 * same functions render docs/cli.md.
 */

/** Commands of the command line itself, beside the tools'. */
export const OWN_COMMANDS: { usage: string; description: string }[] = [
  { usage: 'legible batch "<command>" "<command>" ...', description: 'Run several commands in one call, in order; stops at the first that fails.' },
  { usage: 'legible daemon status|stop', description: 'Show or stop this workspace\'s daemon (it holds the browser between calls).' },
  { usage: 'legible daemon start [--idle-timeout 30m] [legible-mcp options]', description: 'Start it with options (--headed, --viewport, …); the first command starts it with none.' },
  { usage: 'legible skill install [--dir DIR]', description: 'Copy SKILL.md where Claude Code and Codex look for skills.' },
];

export const GLOBAL_OPTIONS = `Options (before or after the command):
  --json           Print one JSON object per command: text, images, exit code
  --session NAME   Use another daemon (own browser) of this workspace (else LEGIBLE_SESSION)
  -h, --help       Help (legible <command> --help for one command)
  -v, --version    Show the version`;

export const EXIT_CODES = 'Exit codes: 0 the command did what it said (the report shows what its requests answered), 1 the action failed (no such element, a stale ref) or a journey failed, 2 a usage or environment error.';

/** `legible --help`: one line per command. */
export function renderHelp(commands: CommandSpec[]): string {
  const rows = commands.map((c) => [`${c.words.join(' ')} ${positionalHint(c)}`.trim(), summary(c.description)] as const);
  const width = Math.min(28, Math.max(...rows.map(([name]) => name.length)) + 2);
  const lines = [
    'Usage: legible <command> [arguments] [--flags]',
    '',
    'Drives a browser for this workspace (a daemon keeps it between calls). Every action prints what it changed: outline diff, console errors, failed requests.',
    '',
    'Commands:',
    ...rows.map(([name, text]) => `  ${name.padEnd(width)}${name.length >= width ? `\n  ${''.padEnd(width)}` : ''}${text}`),
    ...OWN_COMMANDS.map((c) => `  ${c.usage.replace(/^legible /, '')}\n  ${''.padEnd(width)}${c.description}`),
    '',
    GLOBAL_OPTIONS,
    '',
    EXIT_CODES,
    '',
  ];
  return lines.join('\n');
}

/** `legible <command> --help`. */
export function renderCommandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${usageLine(command)}`, '', command.description];
  const options = command.params.map((p) => {
    const flag = `--${p.flag}${p.type === 'boolean' ? '' : ` ${placeholder(p)}`}`;
    const notes = [p.description, p.required && !command.positionals.includes(p.name) ? '(required)' : '', p.type === 'array' ? '(repeat for more)' : '']
      .filter(Boolean)
      .join(' ');
    return [flag, notes || (p.name === 'page' ? 'Tab id (p2); default the selected tab.' : '')] as const;
  });
  if (options.length) {
    const width = Math.min(30, Math.max(...options.map(([flag]) => flag.length)) + 2);
    lines.push('', 'Options:', ...options.map(([flag, text]) => `  ${flag.padEnd(width)}${flag.length >= width ? `\n  ${''.padEnd(width)}` : ''}${text}`.trimEnd()));
  }
  if (command.params.some((p) => p.type === 'boolean')) lines.push('', 'A switch is on with --name and off with --no-name.');
  if (Object.keys(command.fixed).length) lines.push('', `Runs ${command.tool} ${JSON.stringify(command.fixed)}.`);
  else lines.push('', `Runs the ${command.tool} tool; the output is the tool's.`);
  return `${lines.join('\n')}\n`;
}
