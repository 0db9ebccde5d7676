/** The tools' advice in command-line form: `tool {json}` and tool names become `legible …` commands. */
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../scripts/gen-cli-manifest.mjs';
import * as schemaModule from '../../src/server/toolSchema.js';
import { buildCommands } from '../../src/shell/commands.js';
import { hintTranslator } from '../../src/shell/hints.js';
import { findCommand, parseArguments, splitWords } from '../../src/shell/parse.js';
import * as registry from '../../src/tools/registry.js';

const commands = buildCommands(buildManifest(registry, schemaModule, 'test'));
const cli = hintTranslator(commands);

describe('hints in command-line form', () => {
  it('turns a tool call with JSON arguments into the command, positionals first', () => {
    expect(cli('Replay: journey {"action":"run","journey":"shop-cart"}')).toBe('Replay: legible journey run shop-cart');
    // The name of an action's own tool reads the same (older answers, docs).
    expect(cli('Replay: journey_run {"journey":"shop-cart"}')).toBe('Replay: legible journey run shop-cart');
    expect(cli('Run id: run-1. Report: report {"run":"run-1"}.')).toBe('Run id: run-1. Report: legible report run-1.');
    expect(cli('snapshot {"search":"…"} finds them')).toBe('legible snapshot --search … finds them');
    expect(cli('next: snapshot {"ref":"e5","offset":100}')).toBe('next: legible snapshot --ref e5 --offset 100');
    expect(cli('All its output: logs {"query":"{app=\\"api\\"}"}.')).toBe(`All its output: legible logs '{app="api"}'.`);
    expect(cli('Restart it with app {"action":"restart","name":"api"}; then')).toBe('Restart it with legible app restart api; then');
    expect(cli('Call record {"action":"start","trace":true} with at most a label.')).toBe('Run legible record start --trace with at most a label.');
    expect(cli('then type {"key":"Enter"}.')).toBe('then legible press Enter.');
    expect(cli('Call click {"ref":"e4","hover":true} alone.')).toBe('Run legible hover e4 alone.');
    expect(cli('Call type {"fields":{"e3":"Ann","e7":"true"}}.')).toBe(`Run legible type --fields '{"e3":"Ann","e7":"true"}'.`);
    expect(cli('Call click {"ref":…,"to":…} alone.')).toBe('Run legible click … --to … alone.');
  });

  it('chooses the command an argument stands for (back, dialog accept), and a second object of the same tool', () => {
    expect(cli('navigate (to a URL, or {"go":"reload"}) restarts it')).toBe('navigate (to a URL, or {"go":"reload"}) restarts it');
    expect(cli('Or navigate {"go":"back"}.')).toBe('Or legible back.');
    expect(cli('Answer it first with dialog {"accept":true} or {"accept":false}.')).toBe('Answer it first with legible dialog accept or legible dialog dismiss.');
    expect(cli('For example wait_for {"text":"Saved"} or wait_for {"ref":"e12","gone":true}.')).toBe('For example legible wait Saved or legible wait --ref e12 --gone.');
    expect(cli('pages {"action":"close","id":"p2"}')).toBe('legible pages close p2');
  });

  it('names tools with an underscore, "the X tool" and lists of tools as commands', () => {
    expect(cli('Act on the page, then call record {"action":"stop"}.')).toBe('Act on the page, then run legible record stop.');
    expect(cli('Start a recording with record {"action":"start"} first.')).toBe('Start a recording with legible record start first.');
    expect(cli('Start a recording with record_start first.')).toBe('Start a recording with legible record start first.');
    expect(cli('Use the evaluate tool to run code in the page.')).toBe('Use legible eval to run code in the page.');
    expect(cli('Next: The tools are: navigate, snapshot, click, type, select_option, wait_for, record, journey, app, logs.')).toBe(
      'Next: The commands are: open, snapshot, click, type, select, wait, record, journey, app, logs.',
    );
    // A family without its action is no command: left as it is.
    expect(cli('the app {"name":"api"} call')).toBe('the app {"name":"api"} call');
  });

  it('leaves prose, page text in quotes, paths and unknown arguments alone', () => {
    for (const text of [
      'Take a snapshot and use a ref from it.',
      '- button "record_start" [ref=e4]',
      'Saved to /tmp/out/record_start.json and journey_run.log',
      'evaluate {"nope":1} is not a call',
      'snapshot {not json}',
    ]) expect(cli(text)).toBe(text);
  });

  it('writes commands that the command line reads back to the same arguments', () => {
    const hints: [string, Record<string, unknown>][] = [
      ['logs {"query":"{app=\\"api\\"} |= \\"it\'s\\"","since":"5m"}', { query: '{app="api"} |= "it\'s"', since: '5m' }],
      ['select_option {"ref":"e3","values":["Small","Large"]}', { ref: 'e3', values: ['Small', 'Large'] }],
      ['journey {"action":"save","name":"cart","expect":["text:Added","noConsoleErrors"]}', { name: 'cart', expect: ['text:Added', 'noConsoleErrors'] }],
      ['type {"ref":"e3","text":"--not-a-flag"}', { ref: 'e3', text: '--not-a-flag' }],
    ];
    for (const [hint, args] of hints) {
      const words = splitWords(cli(hint)).slice(1);
      const { command, rest } = findCommand(commands, words);
      expect(parseArguments(command, rest).args, cli(hint)).toEqual(args);
    }
  });
});
