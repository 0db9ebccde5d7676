#!/usr/bin/env node
/**
 * Generates docs/tools.md from the tool definitions, so the reference can never drift from what
 * the server lists. `npm run docs` builds and runs this; test/unit/tool-docs.test.ts fails when
 * the committed file differs from what `renderToolDocs` produces.
 *
 * `renderToolDocs` is pure: it takes the modules it reads from (the registry and the schema
 * helpers), so the test can hand it the TypeScript sources while this script uses the build.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DOCS_PATH = join(ROOT, 'docs', 'tools.md');

/**
 * Makes plain text safe as markdown prose: outside `code spans`, a `<` would start an HTML tag
 * (`<select>` would vanish on GitHub), so it becomes `&lt;`.
 */
export function prose(text) {
  return String(text)
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;')))
    .join('');
}

/** Escapes text for one cell of a GitHub-flavoured markdown table (pipes end a cell, even in code). */
function cell(text) {
  return String(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code (table cells escape their pipes afterwards, in `cell`). */
function code(text) {
  return `\`${String(text)}\``;
}

function range(schema, low, high, unit) {
  const min = schema[low];
  // zod's .int() adds Number.MAX_SAFE_INTEGER as a maximum; it says nothing to a reader.
  const max = schema[high] === Number.MAX_SAFE_INTEGER ? undefined : schema[high];
  if (min !== undefined && max !== undefined) return `${min}–${max}${unit}`;
  if (min !== undefined) return `≥ ${min}${unit}`;
  if (max !== undefined) return `≤ ${max}${unit}`;
  return '';
}

/** A short, readable type for one JSON Schema property, with its constraints. */
export function describeType(schema) {
  if (!schema || typeof schema !== 'object') return 'any';
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((value) => code(value)).join(', ')}`;
  if (schema.const !== undefined) return code(JSON.stringify(schema.const));
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map(describeType).join(' or ');
  const notes = [];
  let type;
  switch (schema.type) {
    case 'array': {
      const items = describeType(schema.items);
      type = /\s/.test(items) ? `array of (${items})` : `${items}[]`;
      if (schema.minItems !== undefined && schema.maxItems === undefined) {
        notes.push(`at least ${schema.minItems} ${schema.minItems === 1 ? 'item' : 'items'}`);
      } else {
        const count = range(schema, 'minItems', 'maxItems', ' items');
        if (count) notes.push(count);
      }
      break;
    }
    case 'string': {
      type = 'string';
      if (schema.minLength === 1 && schema.maxLength === undefined) notes.push('non-empty');
      else {
        const length = range(schema, 'minLength', 'maxLength', ' chars');
        if (length) notes.push(length);
      }
      if (schema.pattern) notes.push(`matches ${code(schema.pattern)}`);
      if (schema.format) notes.push(schema.format);
      break;
    }
    case 'integer':
    case 'number': {
      type = schema.type;
      const bounds = range(schema, 'minimum', 'maximum', '');
      if (bounds) notes.push(bounds);
      break;
    }
    case undefined:
      type = 'any';
      break;
    default:
      type = Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type;
  }
  return notes.length ? `${type} (${notes.join(', ')})` : type;
}

function yesNo(flag) {
  return flag ? 'yes' : 'no';
}

function parameterTable(tool, schemaModule) {
  const schema = schemaModule.listedSchema(tool);
  const properties = schema.properties ?? {};
  const names = Object.keys(schemaModule.inputShape(tool));
  const listed = Object.keys(properties);
  if (names.join(',') !== listed.join(',')) {
    throw new Error(`${tool.name}: the input shape (${names.join(', ')}) and the listed schema (${listed.join(', ')}) disagree.`);
  }
  if (!names.length) return 'No parameters.';
  const required = new Set(schema.required ?? []);
  const rows = names.map((name) => {
    const property = properties[name];
    return `| ${code(name)} | ${cell(describeType(property))} | ${required.has(name) ? 'yes' : 'no'} | ${cell(prose(property.description ?? ''))} |`;
  });
  return ['| Parameter | Type | Required | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function kindLabel(annotations) {
  const labels = [annotations.readOnlyHint ? 'read-only' : 'action'];
  if (annotations.destructiveHint) labels.push('destructive');
  if (annotations.openWorldHint) labels.push('open-world');
  return labels.join(', ');
}

/**
 * The markdown reference for every tool.
 * @param {{ ALL_TOOLS: readonly any[], toolsFor: (config: { evaluate: boolean }) => any[] }} registry
 * @param {{ listedSchema: (tool: any) => Record<string, any>, annotations: (tool: any) => Record<string, boolean>, inputShape: (tool: any) => Record<string, unknown> }} schemaModule
 * @returns {string}
 */
export function renderToolDocs(registry, schemaModule) {
  const tools = registry.ALL_TOOLS;
  const withoutEvaluate = new Set(registry.toolsFor({ evaluate: false }).map((tool) => tool.name));
  const out = [];
  out.push('# Legible tools');
  out.push('');
  out.push(
    '<!-- Generated by scripts/gen-tool-docs.mjs from the tool definitions (src/tools) and src/server/toolSchema.ts. Do not edit by hand: run `npm run docs`. -->',
  );
  out.push('');
  out.push(
    `Legible offers ${tools.length} tools, listed here in the order \`tools/list\` shows them, with what it sends for each: name, description, parameters and annotations (no titles: they are optional in MCP, and \`tools/list\` is kept small). Page tools act on the selected tab, or on the tab named by their \`page\` argument; calls on one tab run one at a time. While a dialog is open on a tab, page tools other than those marked "works while a dialog is open" are refused with a hint to answer it first. Unknown arguments are rejected.`,
  );
  out.push('');
  out.push('| Tool | Kind |');
  out.push('| --- | --- |');
  for (const tool of tools) {
    out.push(`| [${code(tool.name)}](#${tool.name}) | ${kindLabel(schemaModule.annotations(tool))} |`);
  }
  for (const tool of tools) {
    const annotations = schemaModule.annotations(tool);
    const traits = [tool.scope === 'page' ? 'page tool' : 'browser tool'];
    if (tool.scope === 'page' && tool.handlesDialogs) traits.push('works while a dialog is open');
    if (!withoutEvaluate.has(tool.name)) traits.push('not offered with `--no-evaluate`');
    out.push('');
    out.push(`## ${tool.name}`);
    out.push('');
    const line = traits.join(' · ');
    out.push(`${line[0].toUpperCase()}${line.slice(1)}`);
    out.push('');
    out.push(prose(tool.description.trim()));
    out.push('');
    out.push(
      `Annotations: read-only: ${yesNo(annotations.readOnlyHint)} · destructive: ${yesNo(annotations.destructiveHint)} · open-world: ${yesNo(annotations.openWorldHint)}`,
    );
    out.push('');
    out.push(parameterTable(tool, schemaModule));
  }
  out.push('');
  return out.join('\n');
}

/** Reads the built modules (run `npm run build` first) and renders the reference. */
export async function generateFromBuild() {
  const registry = await import(pathToFileURL(join(ROOT, 'dist', 'tools', 'registry.js')).href);
  const schemaModule = await import(pathToFileURL(join(ROOT, 'dist', 'server', 'toolSchema.js')).href);
  return renderToolDocs(registry, schemaModule);
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const markdown = await generateFromBuild();
  writeFileSync(DOCS_PATH, markdown);
  process.stdout.write(`Wrote ${DOCS_PATH.slice(ROOT.length + 1)} (${markdown.split('\n').length} lines).\n`);
}
