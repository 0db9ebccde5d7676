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
import * as schemaModule from '../../src/server/toolSchema.js';
import * as registry from '../../src/tools/registry.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = join(ROOT, 'docs', 'tools.md');
const REGENERATE = 'Run `npm run docs` to regenerate docs/tools.md from the tool definitions, and commit the result.';

const names = registry.ALL_TOOLS.map((tool) => tool.name);

function readDocs(): string {
  expect(existsSync(DOCS), `docs/tools.md is missing. ${REGENERATE}`).toBe(true);
  return readFileSync(DOCS, 'utf8');
}

async function listTools(evaluate: boolean) {
  const legible = createServer(parseConfig({ evaluate }));
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

  it('has one heading per tool, in the order of ALL_TOOLS', () => {
    const headings = [...readDocs().matchAll(/^## (\S+)\s*$/gm)].map((match) => match[1]);
    expect(headings, `The tool headings in docs/tools.md do not match ALL_TOOLS. ${REGENERATE}`).toEqual(names);
  });

  it('renders every parameter of every tool', () => {
    const docs = readDocs();
    for (const tool of registry.ALL_TOOLS) {
      const section = docs.split(/^## /m).find((part) => part.startsWith(`${tool.name}\n`)) ?? '';
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
    'network.failed', 'pages.action', 'pages.url', 'dialog.text', 'record_start.fps', 'record_compare.captions', 'report.name',
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
      'tools/list does not match ALL_TOOLS: every tool in src/tools/registry.ts must be registered by createServer, and nothing else.',
    ).toEqual(names);
    for (const tool of registry.ALL_TOOLS) {
      const shown = listed.find((candidate) => candidate.name === tool.name)!;
      // Titles are optional in MCP and left out of tools/list to keep it small; docs/tools.md shows none either.
      expect(shown.title, `title of ${tool.name}`).toBeUndefined();
      expect(shown.description, `description of ${tool.name}`).toBe(tool.description);
      expect(shown.inputSchema, `tools/list shows a different input schema for ${tool.name} than docs/tools.md is made from`).toEqual(
        schemaModule.listedSchema(tool),
      );
      expect(shown.annotations, `annotations of ${tool.name}`).toEqual(schemaModule.annotations(tool));
    }
  });

  it('sends no titles, and docs/tools.md shows none: the docs show what an agent gets', async () => {
    const listed = await listTools(true);
    const docs = readDocs();
    for (const tool of registry.ALL_TOOLS) {
      const sent = listed.find((candidate) => candidate.name === tool.name)!;
      if (sent.title === undefined) expect(docs, `docs/tools.md shows the title of ${tool.name}, which tools/list does not send`).not.toContain(`**${tool.title}**`);
    }
    expect(docs).not.toMatch(/^\| Tool \| Title \|/m);
  });

  it('leaves out evaluate with --no-evaluate, as the docs say', async () => {
    const listed = (await listTools(false)).map((tool) => tool.name);
    expect(listed).toEqual(names.filter((name) => name !== 'evaluate'));
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
