#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSessionName, daemonPaths, DEFAULT_SESSION, findWorkspace } from '../daemon/paths.js';
import { LegibleError } from '../util/errors.js';
import { buildCommands, type CommandSpec } from './commands.js';
import { daemonCommand } from './daemonCommand.js';
import { renderCommandHelp, renderHelp } from './help.js';
import { hintTranslator } from './hints.js';
import { loadManifest, MANIFEST_FILE } from './manifest.js';
import { EXIT } from './output.js';
import { findCommand, parseArguments, splitWords, usageError } from './parse.js';
import { asJson, emit, errorOutcome, runPlanned, type Outcome, type Planned } from './run.js';
import { installSkill } from './skill.js';

/**
 * `legible`: the tools as shell commands, run by this workspace's daemon. Loads only Node's
 * built-ins and its own small modules: a warm call costs little more than starting Node.
 */

interface Globals {
  json: boolean;
  session: string;
  help: boolean;
  version: boolean;
  words: string[];
}

/** Takes the global options out of argv, wherever they stand (up to a `--`). */
function readGlobals(argv: string[]): Globals {
  const globals: Globals = { json: false, session: process.env.LEGIBLE_SESSION || DEFAULT_SESSION, help: false, version: false, words: [] };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      globals.words.push(...argv.slice(i));
      break;
    }
    if (word === '--json') globals.json = true;
    else if (word === '--session') {
      const value = argv[++i];
      if (value === undefined) throw usageError('--session needs a name.', 'For example legible --session review snapshot.');
      globals.session = value;
    } else if (word.startsWith('--session=')) globals.session = word.slice('--session='.length);
    else if ((word === '-v' || word === '--version') && !globals.words.length) globals.version = true;
    else if ((word === '-h' || word === '--help') && !globals.words.length) globals.help = true;
    else globals.words.push(word);
  }
  checkSessionName(globals.session);
  return globals;
}

const here = (file: string) => new URL(file, import.meta.url);

function plan(commands: CommandSpec[], words: string[], source: string): Planned | { help: string } {
  const { command, rest } = findCommand(commands, words);
  const parsed = parseArguments(command, rest);
  if (parsed.help) return { help: renderCommandHelp(command) };
  // The daemon runs in the worktree's root; a file named from a subfolder is made absolute.
  for (const name of command.paths) {
    const value = parsed.args[name];
    if (typeof value === 'string' && !isAbsolute(value) && existsSync(resolve(value))) parsed.args[name] = resolve(value);
  }
  return { source, command, args: parsed.args };
}

function print(json: boolean, text: string, data: Record<string, unknown>): void {
  process.stdout.write(json ? `${JSON.stringify(data)}\n` : text.endsWith('\n') ? text : `${text}\n`);
}

async function main(argv: string[]): Promise<number> {
  const globals = readGlobals(argv);
  const { words, json } = globals;
  const manifest = loadManifest(here(`./${MANIFEST_FILE}`));
  if (globals.version) {
    print(json, manifest.version, { version: manifest.version });
    return EXIT.ok;
  }
  const commands = manifest.commands ?? buildCommands(manifest);
  if (globals.help || !words.length || (words[0] === 'help' && words.length === 1)) {
    process.stdout.write(renderHelp(commands));
    return globals.help || words[0] === 'help' ? EXIT.ok : EXIT.usage;
  }
  if (words[0] === 'help') {
    const found = plan(commands, [...words.slice(1), '--help'], '');
    process.stdout.write('help' in found ? found.help : renderHelp(commands));
    return EXIT.ok;
  }
  const workspace = findWorkspace(process.cwd());
  const start = { entry: fileURLToPath(here('./legible.mjs')), args: [] as string[] };
  if (words[0] === 'skill') {
    const [action, ...rest] = words.slice(1);
    const usage = 'Usage: legible skill install [--dir DIR]';
    if (action !== 'install') throw usageError(action ? `Unknown command "skill ${action.slice(0, 40)}".` : 'skill needs a subcommand: install.', usage);
    let dir: string | undefined;
    if (rest.length === 1 && rest[0]!.startsWith('--dir=')) dir = rest[0]!.slice('--dir='.length);
    else if (rest.length === 2 && rest[0] === '--dir') dir = rest[1];
    else if (rest.length) throw usageError('skill install takes only --dir DIR.', usage);
    if (dir === '') throw usageError('--dir needs a folder.', usage);
    const written = installSkill(fileURLToPath(here('../skills/legible/SKILL.md')), workspace, dir);
    print(json, `Installed the Legible skill:\n${written.map((f) => `  ${f}`).join('\n')}`, { installed: written });
    return EXIT.ok;
  }
  const paths = daemonPaths(workspace, globals.session);
  if (words[0] === 'daemon') {
    const { code, text, data } = await daemonCommand(words.slice(1), paths, start);
    print(json, text, data);
    return code;
  }
  let planned: Planned[];
  if (words[0] === 'batch') {
    const sources = words.slice(1);
    if (!sources.length) throw usageError('batch needs commands, each one argument.', 'Usage: legible batch "open http://localhost:3000" "click e12"');
    planned = [];
    for (const [index, source] of sources.entries()) {
      try {
        const one = plan(commands, splitWords(source), source);
        if ('help' in one) throw usageError(`--help does not run inside batch (command ${index + 1}).`, 'Run legible <command> --help on its own.');
        planned.push(one);
      } catch (error) {
        if (error instanceof LegibleError) throw new LegibleError(`Command ${index + 1} of the batch (${JSON.stringify(source.slice(0, 80))}): ${error.message} Nothing ran.`, error.hint, { kind: 'usage' });
        throw error;
      }
    }
  } else {
    const one = plan(commands, words, words.join(' '));
    if ('help' in one) {
      process.stdout.write(one.help);
      return EXIT.ok;
    }
    planned = [one];
  }
  const batch = words[0] === 'batch';
  const outcomes = await runPlanned(paths, start, planned, (outcome, index) => emit(outcome, json, batch ? `> ${planned[index]!.source}` : undefined), hintTranslator(commands));
  const last = outcomes.at(-1)!;
  if (batch && last.exitCode !== EXIT.ok && outcomes.length < planned.length && !json) {
    process.stdout.write(`Stopped at command ${outcomes.length} of ${planned.length}; the rest did not run.\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(batch ? outcomes.map(asJson) : asJson(last))}\n`);
  return last.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const json = process.argv.includes('--json');
    const outcome: Outcome = errorOutcome(process.argv.slice(2).join(' '), error);
    if (json) process.stdout.write(`${JSON.stringify(asJson(outcome))}\n`);
    else process.stderr.write(`legible: ${outcome.text.replace(/^Error: /, '')}\n`);
    process.exit(outcome.exitCode);
  },
);
