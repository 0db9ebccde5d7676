/**
 * The command line's commands come from the tool definitions:
 * - docs/cli.md is exactly what scripts/gen-cli-docs.mjs renders from them;
 * - every tool is a command, with unique words, and the overrides name real tools and parameters;
 * - a tool added later becomes a command by the default rule, with no change to the command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../scripts/gen-cli-manifest.mjs';
import { renderCliDocs } from '../../scripts/gen-cli-docs.mjs';
import * as schemaModule from '../../src/server/toolSchema.js';
import * as commandsModule from '../../src/shell/commands.js';
import * as helpModule from '../../src/shell/help.js';
import { findCommand, parseArguments, splitWords } from '../../src/shell/parse.js';
import * as registry from '../../src/tools/registry.js';
import { VERSION } from '../../src/util/version.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = join(ROOT, 'docs', 'cli.md');
const manifest = buildManifest(registry, schemaModule, VERSION);
const commands = commandsModule.buildCommands(manifest);

describe('docs/cli.md', () => {
  it('is what the generator renders from the command definitions', () => {
    expect(existsSync(DOCS), 'docs/cli.md is missing: run `npm run docs`.').toBe(true);
    expect(readFileSync(DOCS, 'utf8'), 'docs/cli.md is out of date: run `npm run docs` and commit it.').toBe(renderCliDocs(commandsModule, helpModule, manifest));
  });
});

describe('the commands', () => {
  it('cover every tool, each command spelled once', () => {
    expect(new Set(commands.map((c) => c.tool))).toEqual(new Set(registry.ALL_TOOLS.map((t) => t.name)));
    const spelled = commands.map((c) => c.words.join(' '));
    expect(new Set(spelled).size, spelled.join(', ')).toBe(spelled.length);
    for (const words of ['batch', 'daemon', 'skill', 'help']) expect(spelled, `${words} is the command line's own`).not.toContain(words);
  });

  it('have overrides that name real tools and parameters', () => {
    const tools = new Map(manifest.tools.map((t) => [t.name, new Set(t.params.map((p) => p.name))]));
    for (const [name, override] of Object.entries(commandsModule.OVERRIDES)) {
      expect(tools.has(name), `OVERRIDES names ${name}, which is not a tool`).toBe(true);
      for (const positional of override.positionals ?? []) expect(tools.get(name)!.has(positional), `${name} has no parameter ${positional}`).toBe(true);
      for (const alias of override.aliases ?? []) for (const key of Object.keys(alias.fixed)) expect(tools.get(name)!.has(key)).toBe(true);
    }
  });

  it('turn a new tool into a command with no change: app_start is `app start`, its required argument positional', () => {
    const added = commandsModule.buildCommands({
      version: 'x',
      tools: [
        {
          name: 'app_start',
          description: 'Start an app of legible.config.json. It waits until ready.',
          scope: 'browser',
          params: [
            { name: 'name', required: true, schema: { type: 'string', description: 'App name.' } },
            { name: 'waitMs', required: false, schema: { type: 'integer' } },
            { name: 'restart', required: false, schema: { type: 'boolean' } },
          ],
        },
        { name: 'logs', description: 'Query logs with LogQL.', scope: 'browser', params: [{ name: 'query', required: true, schema: { type: 'string' } }] },
        {
          name: 'traces',
          description: 'Search traces with TraceQL.',
          scope: 'browser',
          params: [
            { name: 'query', required: false, schema: { type: 'string' } },
            { name: 'limit', required: false, schema: { type: 'integer' } },
          ],
        },
      ],
    });
    expect(added.map((c) => c.words.join(' '))).toEqual(['app start', 'logs', 'traces']);
    expect(parseArguments(added[0]!, ['web', '--wait-ms', '500', '--no-restart']).args).toEqual({ name: 'web', waitMs: 500, restart: false });
    expect(parseArguments(added[1]!, ['{app="web"} |= "error"']).args).toEqual({ query: '{app="web"} |= "error"' });
    expect(commandsModule.usageLine(added[0]!)).toBe('legible app start <name> [--wait-ms N] [--restart]');
    // No required parameter: the first one, a string, may still go without its flag.
    expect(parseArguments(added[2]!, ['{ status = error }', '--limit', '5']).args).toEqual({ query: '{ status = error }', limit: 5 });
    expect(parseArguments(added[2]!, []).args).toEqual({});
  });
});

describe('skills/legible/SKILL.md', () => {
  const skill = readFileSync(join(ROOT, 'skills', 'legible', 'SKILL.md'), 'utf8');

  it('is a skill file: name and description up front, at most about 4,000 characters', () => {
    expect(skill).toMatch(/^---\nname: legible\ndescription: [^\n]{40,1024}\n---\n/);
    expect(skill.length).toBeLessThanOrEqual(4_000);
  });

  it('teaches only commands that exist, with arguments they take', () => {
    const lines = [...skill.matchAll(/(?:^|`)(legible [^`\n#]+?)(?=`|\s+#|$)/gm)].map((match) => match[1]!.trim());
    expect(lines.length).toBeGreaterThan(15);
    for (const line of lines) {
      const words = splitWords(line.replace(/<(\w+)>/g, 'x')).slice(1).filter((word) => word !== '…' && !word.endsWith('…'));
      if (['batch', 'daemon', 'skill'].includes(words[0]!) || words.includes('--help') || !words.length) continue;
      expect(() => {
        const { command, rest } = findCommand(commands, words);
        parseArguments(command, rest);
      }, line).not.toThrow();
    }
  });
});
