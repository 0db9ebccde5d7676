/** The command line's pure parts: finding commands, reading arguments, splitting batch lines, exit codes. */
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../scripts/gen-cli-manifest.mjs';
import * as schemaModule from '../../src/server/toolSchema.js';
import { buildCommands, summary, usageLine } from '../../src/shell/commands.js';
import { exitCodeOf, printResult } from '../../src/shell/output.js';
import { closest, findCommand, parseArguments, splitWords } from '../../src/shell/parse.js';
import * as registry from '../../src/tools/registry.js';
import { LegibleError } from '../../src/util/errors.js';

const commands = buildCommands(buildManifest(registry, schemaModule, 'test'));
const parse = (...words: string[]) => {
  const { command, rest } = findCommand(commands, words);
  const parsed = parseArguments(command, rest);
  return { tool: command.tool, args: parsed.args, help: parsed.help };
};
const usage = (...words: string[]) => {
  try {
    parse(...words);
  } catch (error) {
    expect(error).toBeInstanceOf(LegibleError);
    expect((error as LegibleError).kind).toBe('usage');
    return `${(error as LegibleError).message}\n${(error as LegibleError).hint}`;
  }
  throw new Error(`no usage error for ${words.join(' ')}`);
};

describe('commands and arguments', () => {
  it('map commands to tools, positionals to parameters', () => {
    expect(parse('open', 'http://localhost:3000')).toEqual({ tool: 'navigate', args: { url: 'http://localhost:3000' }, help: false });
    expect(parse('back').args).toEqual({ go: 'back' });
    expect(parse('type', 'e8', 'red shoes', '--submit').args).toEqual({ ref: 'e8', text: 'red shoes', submit: true });
    expect(parse('type', '--ref', 'e8', 'shoes').args).toEqual({ ref: 'e8', text: 'shoes' });
    expect(parse('select', 'e3', 'Small', 'Large').args).toEqual({ ref: 'e3', values: ['Small', 'Large'] });
    expect(parse('record', 'start', 'before', '--fps', '10', '--captions').args).toEqual({ label: 'before', fps: 10, captions: true });
    expect(parse('journey', 'save', 'cart', '--expect', 'text:Added', '--expect=noConsoleErrors').args).toEqual({ name: 'cart', expect: ['text:Added', 'noConsoleErrors'] });
    expect(parse('screenshot', '--full-page').args).toEqual({ fullPage: true });
    expect(parse('click', 'e2', '--page', 'p2', '--no-double').args).toEqual({ ref: 'e2', page: 'p2', double: false });
    expect(parse('pages').args).toEqual({ action: 'list' });
    expect(parse('dialog', 'accept', '--text', 'yes').args).toEqual({ text: 'yes', accept: true });
    expect(parse('type', 'e1', '--', '--not-a-flag').args).toEqual({ ref: 'e1', text: '--not-a-flag' });
    expect(parse('click', '--help').help).toBe(true);
    expect(findCommand(commands, ['journey', 'run']).command.paths).toEqual(['journey']);
  });

  it('explain what is wrong, with the usage or the closest match', () => {
    expect(usage('clik')).toContain('Unknown command "clik".\nDid you mean: click?');
    expect(usage('record', 'stp')).toContain('Did you mean: legible record stop');
    expect(usage('record')).toContain('record needs one of: start, stop, compare.');
    // (type's text is optional since it also uploads files and fills forms: select shows a missing argument.)
    expect(usage('select', 'e1')).toBe('select needs <values>.\nUsage: legible select <ref> <values>...');
    expect(usage('click')).toContain('click needs <ref>.');
    expect(usage('open')).toBe('open needs <url>.\nUsage: legible open <url> [--go back|forward|reload]');
    expect(usage('click', 'e1', 'e2')).toContain('"e2" is one too many');
    expect(usage('click', 'e1', '--dubble')).toContain('Did you mean --double?');
    expect(usage('wait', '--timeout', 'soon')).toContain('--timeout of wait takes a whole number, not "soon".');
    expect(usage('console', '--level', 'eror')).toContain('Did you mean error?');
    expect(usage('click', 'e1', '--button')).toContain('--button needs a value.');
    expect(usage('type', 'e1', '--text', 'a', '--text', 'b')).toContain('--text is given twice.');
    expect(usage('type', 'e1', 'a', '--text', 'b')).toContain('"a" is one too many');
    expect(usage('x'.repeat(500))).toContain(`"${'x'.repeat(100)}…"`);
  });

  it('give press and hover only the arguments that mean something for them', () => {
    expect(parse('press', 'Enter').args).toEqual({ key: 'Enter' });
    expect(parse('press', 'Control+A', '--page', 'p2').args).toEqual({ key: 'Control+A', page: 'p2' });
    expect(parse('hover', 'e4').args).toEqual({ ref: 'e4', hover: true });
    expect(usageLine(findCommand(commands, ['press']).command)).toBe('legible press <key>');
    expect(usageLine(findCommand(commands, ['hover']).command)).toBe('legible hover <ref>');
    expect(usage('press')).toBe('press needs <key>.\nUsage: legible press <key>');
    expect(usage('hover')).toBe('hover needs <ref>.\nUsage: legible hover <ref>');
    for (const flag of ['--text', '--submit', '--fields', '--files', '--ref']) expect(usage('press', 'Enter', flag, 'x')).toContain(`press has no option ${flag}`);
    for (const flag of ['--double', '--to', '--button']) expect(usage('hover', 'e4', flag, 'x')).toContain(`hover has no option ${flag}`);
    // The tools themselves keep every argument.
    expect(parse('type', 'e8', 'shoes', '--submit').args).toEqual({ ref: 'e8', text: 'shoes', submit: true });
    expect(parse('click', 'e4', '--double').args).toEqual({ ref: 'e4', double: true });
  });

  it('suggest by prefix and by edit distance', () => {
    expect(closest('scren', ['screenshot', 'snapshot'])).toEqual(['screenshot']);
    expect(closest('snap', ['screenshot', 'snapshot'])).toEqual(['snapshot']);
    expect(closest('zzzz', ['click'])).toEqual([]);
  });

  it('cut summaries at a sentence, never inside "e.g."', () => {
    expect(summary('Start recording the page as video under a label (e.g. "before", "after"); actions are timestamped.')).toMatch(/^Start recording the page as video under a label \(e\.g\./);
    expect(summary('Short one. Second.')).toBe('Short one.');
  });
});

describe('batch lines', () => {
  it('split like a shell for the usual cases', () => {
    expect(splitWords(`type e8 "red shoes" --submit`)).toEqual(['type', 'e8', 'red shoes', '--submit']);
    expect(splitWords(`eval '() => "x y"'`)).toEqual(['eval', '() => "x y"']);
    expect(splitWords(String.raw`type e1 a\ b "say \"hi\"" ''`)).toEqual(['type', 'e1', 'a b', 'say "hi"', '']);
    expect(() => splitWords('type e1 "open')).toThrow(/Unclosed "/);
  });
});

describe('exit codes', () => {
  it('follow the failure kind the daemon marks', () => {
    expect(exitCodeOf({ content: [] }).code).toBe(0);
    expect(exitCodeOf({ isError: true, _meta: { 'legible/failure': 'action' } }).code).toBe(1);
    expect(exitCodeOf({ _meta: { 'legible/failure': 'verdict' } }).code).toBe(1);
    expect(exitCodeOf({ isError: true, _meta: { 'legible/failure': 'environment' } }).code).toBe(2);
    expect(exitCodeOf({ isError: true, _meta: { 'legible/failure': 'usage' } }).code).toBe(2);
    expect(exitCodeOf({ _meta: { 'legible/failure': 'unchecked' } }).code).toBe(2);
    expect(exitCodeOf({ isError: true }).code).toBe(2); // refused by the protocol layer (schema, unknown tool)
  });

  it('tidy the protocol layer\'s schema errors into one line with a next step', () => {
    const printed = printResult(
      { isError: true, content: [{ type: 'text', text: 'MCP error -32602: Input validation error: Invalid arguments for tool wait_for: Too big: expected number to be <=60000 at timeout' }] },
      () => '/nonexistent',
      'wait',
    );
    expect(printed.text).toBe('Error: Too big: expected number to be <=60000 at timeout.\nNext: run legible wait --help for its arguments.');
  });
});
