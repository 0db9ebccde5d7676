/**
 * The tool reference, the tool definitions and what the server lists must agree:
 * - docs/tools.md is exactly what scripts/gen-tool-docs.mjs renders from the definitions;
 * - its headings are the tools of ALL_TOOLS, in order;
 * - the server's tools/list (in process, over an in-memory transport: nothing is spawned and no
 *   browser starts) shows the same tools with the same schemas and annotations;
 * - the README's flag list is the CLI's --help text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { renderToolDocs } from '../../scripts/gen-tool-docs.mjs';
import { USAGE } from '../../src/cli/flags.js';
import { parseConfig } from '../../src/config/config.js';
import { createServer } from '../../src/server/createServer.js';
import { listedTools } from '../../src/server/toolListing.js';
import * as schemaModule from '../../src/server/toolSchema.js';
import * as registry from '../../src/tools/registry.js';
import { familyOf } from '../../src/tools/family.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = join(ROOT, 'docs', 'tools.md');
const REGENERATE = 'Run `npm run docs` to regenerate docs/tools.md from the tool definitions, and commit the result.';

const names = registry.ALL_TOOLS.map((tool) => tool.name);
/** What tools/list shows: tools, and families in the place of their actions. */
const listedNames = registry.listedFor({ evaluate: true }).map((entry) => entry.name);
/** The heading of a tool's section: its name, or `record start` for an action of a family. */
const heading = (tool: (typeof registry.ALL_TOOLS)[number]) => {
  const member = familyOf(tool);
  return member ? `${member.family.name} ${member.action}` : tool.name;
};

function readDocs(): string {
  expect(existsSync(DOCS), `docs/tools.md is missing. ${REGENERATE}`).toBe(true);
  return readFileSync(DOCS, 'utf8');
}

async function listTools(evaluate: boolean) {
  const config = parseConfig({ evaluate });
  const legible = createServer(config, await listedTools(config));
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'tool-docs-test', version: '1.0.0' });
  try {
    await legible.server.connect(serverTransport);
    await client.connect(clientTransport);
    return (await client.listTools()).tools;
  } finally {
    await client.close();
    await legible.close();
  }
}

describe('docs/tools.md', () => {
  it('is what the generator renders from the tool definitions', () => {
    const expected = renderToolDocs(registry, schemaModule);
    expect(readDocs(), `docs/tools.md is out of date. ${REGENERATE}`).toBe(expected);
  });

  it('has one heading per tool of tools/list, in its order, and one per action of a family', () => {
    const headings = [...readDocs().matchAll(/^## (\S+)\s*$/gm)].map((match) => match[1]);
    expect(headings, `The tool headings in docs/tools.md do not match tools/list. ${REGENERATE}`).toEqual(listedNames);
    const sections = [...readDocs().matchAll(/^##+ (.+?)\s*$/gm)].map((match) => match[1]).filter((title) => !listedNames.includes(title) || names.includes(title));
    expect(sections, `Every tool has its section (an action of a family under its family). ${REGENERATE}`).toEqual(registry.ALL_TOOLS.map(heading));
  });

  it('renders every parameter of every tool', () => {
    const docs = readDocs();
    for (const tool of registry.ALL_TOOLS) {
      const section = docs.split(/^##+ /m).find((part) => part.startsWith(`${heading(tool)}\n`)) ?? '';
      for (const parameter of Object.keys(schemaModule.inputShape(tool))) {
        expect(section, `docs/tools.md does not list parameter ${parameter} of ${tool.name}. ${REGENERATE}`).toContain(`| \`${parameter}\` |`);
      }
    }
  });
});

describe('tool definitions', () => {
  it('have unique snake_case names', () => {
    expect(new Set(names).size, `Duplicate tool names in ALL_TOOLS: ${names.join(', ')}`).toBe(names.length);
    for (const name of names) expect(name, `Tool names are snake_case: rename ${name}.`).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  /**
   * Parameters left undescribed on purpose: tools/list is paid for on every turn, and these say
   * what they are by name (and the tool's description). `page` is explained once, by pages.
   */
  const SELF_EXPLANATORY = new Set([
    'page',
    'click.double', 'click.button', 'type.text', 'type.clear', 'wait_for.text', 'wait_for.ref', 'screenshot.ref', 'screenshot.fullPage',
    'network.failed', 'pages.action', 'pages.url', 'dialog.text', 'report.name',
    // Explained by the family's description (record: label before/after, trace, compare a and b).
    'record_start.label', 'record_start.fps', 'record_start.format', 'record_start.captions', 'record_start.trace', 'record_compare.a', 'record_compare.b', 'record_compare.captions',
    'journey_save.name', 'journey_save.overwrite', 'journey_run.record', 'journey_run.expect', 'journey_run.unsupported',
    // Explained by the tool's description (tools/list is paid for on every turn).
    'navigate.url', 'navigate.go', 'snapshot.ref', 'snapshot.search', 'click.ref', 'click.hover', 'type.ref', 'type.submit', 'type.key', 'type.files', 'type.fields',
    'select_option.ref', 'select_option.values', 'wait_for.gone', 'screenshot.path', 'screenshot.annotate', 'screenshot.diff', 'console.text', 'console.all',
    'network.id', 'network.all', 'network.showSecrets', 'network.saveBody', 'network.unmock', 'evaluate.ref', 'pages.id', 'dialog.accept', 'storage.save',
    'logs.query', 'logs.limit',
    'emulate.colorScheme', 'emulate.reducedMotion', 'emulate.locale', 'emulate.timezone', 'emulate.userAgent', 'emulate.network', 'emulate.reset',
    'storage.clear', 'storage.load', 'storage.showSecrets',
    // Explained by logs.since's description.
    'logs.start', 'logs.end',
    // Explained by the tools' descriptions (tools/list is paid for on every turn).
    'traces.query', 'traces.trace', 'traces.span', 'traces.offset',
    'metrics.query', 'metrics.time', 'metrics.start', 'metrics.end', 'metrics.step',
  ]);

  it('describe every tool and every parameter for a model', () => {
    for (const tool of registry.ALL_TOOLS) {
      expect(tool.title.trim(), `${tool.name} needs a title`).not.toBe('');
      expect(tool.description.length, `${tool.name} needs a description paragraph`).toBeGreaterThan(40);
      const properties = (schemaModule.listedSchema(tool).properties ?? {}) as Record<string, { description?: string }>;
      for (const [parameter, schema] of Object.entries(properties)) {
        if (SELF_EXPLANATORY.has(parameter) || SELF_EXPLANATORY.has(`${tool.name}.${parameter}`)) continue;
        expect(schema.description ?? '', `${tool.name}.${parameter} has no .describe(): a model needs to know what it is for.`).not.toBe('');
      }
    }
  });
});

describe('the server', () => {
  it('lists exactly the defined tools, with the documented schemas and annotations', async () => {
    const listed = await listTools(true);
    expect(
      listed.map((tool) => tool.name),
      'tools/list does not match listedFor: every tool in src/tools/registry.ts (or its family) must be registered by createServer, and nothing else.',
    ).toEqual(listedNames);
    for (const entry of registry.listedFor({ evaluate: true })) {
      const shown = listed.find((candidate) => candidate.name === entry.name)!;
      // Titles are optional in MCP and left out of tools/list to keep it small; docs/tools.md shows none either.
      expect(shown.title, `title of ${entry.name}`).toBeUndefined();
      expect(shown.description, `description of ${entry.name}`).toBe(entry.description);
      const family = 'actions' in entry;
      expect(shown.inputSchema, `tools/list shows a different input schema for ${entry.name} than docs/tools.md is made from`).toEqual(
        family ? schemaModule.familySchema(entry) : schemaModule.listedSchema(entry),
      );
      expect(shown.annotations, `annotations of ${entry.name}`).toEqual(family ? schemaModule.familyAnnotations(entry) : schemaModule.annotations(entry));
    }
  });

  it('lists a family with every action\'s parameters, each with one meaning', () => {
    for (const family of registry.FAMILIES) {
      const merged = schemaModule.familySchema(family) as { properties: Record<string, unknown>; required: string[] };
      expect(merged.required).toEqual(['action']);
      expect((merged.properties.action as { enum: string[] }).enum).toEqual(Object.keys(family.actions));
      for (const tool of Object.values(family.actions)) {
        for (const [name, property] of Object.entries((schemaModule.listedSchema(tool).properties ?? {}) as Record<string, { type?: unknown }>)) {
          // Two actions may share a parameter only with the same type (the first one's description is shown).
          expect((merged.properties[name] as { type?: unknown }).type, `${family.name}: ${tool.name}.${name}`).toEqual(property.type);
        }
      }
    }
  });

  it('sends no titles, and docs/tools.md shows none: the docs show what an agent gets', async () => {
    const listed = await listTools(true);
    const docs = readDocs();
    for (const sent of listed) expect(sent.title, `tools/list sends a title for ${sent.name}`).toBeUndefined();
    for (const tool of registry.ALL_TOOLS) expect(docs, `docs/tools.md shows the title of ${tool.name}, which tools/list does not send`).not.toContain(`**${tool.title}**`);
    expect(docs).not.toMatch(/^\| Tool \| Title \|/m);
  });

  it('leaves out evaluate with --no-evaluate, as the docs say', async () => {
    const listed = (await listTools(false)).map((tool) => tool.name);
    expect(listed).toEqual(listedNames.filter((name) => name !== 'evaluate'));
    expect(readDocs()).toMatch(/^## evaluate\n\n[^\n]*not offered with `--no-evaluate`/m);
  });
});

describe('README.md', () => {
  it('shows the flags exactly as legible-mcp --help prints them', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme, 'README.md must contain the text of USAGE from src/cli/flags.ts verbatim: copy it into the flags section.').toContain(
      USAGE.trimEnd(),
    );
  });
});
