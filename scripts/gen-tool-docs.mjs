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
  // openWorldHint left out means its default, true (a read-only tool leaves it out: see toolSchema.ts).
  if (!annotations.readOnlyHint && annotations.openWorldHint !== false) labels.push('open-world');
  return labels.join(', ');
}

function traitsLine(tool, withoutEvaluate) {
  const traits = [tool.scope === 'page' ? 'page tool' : 'browser tool'];
  if (tool.scope === 'page' && tool.handlesDialogs) traits.push('works while a dialog is open');
  if (!withoutEvaluate.has(tool.name)) traits.push('not offered with `--no-evaluate`');
  const line = traits.join(' · ');
  return `${line[0].toUpperCase()}${line.slice(1)}`;
}

function annotationsLine(annotations) {
  return `Annotations: read-only: ${yesNo(annotations.readOnlyHint)} · destructive: ${yesNo(annotations.destructiveHint)} · open-world: ${yesNo(annotations.openWorldHint ?? true)}`;
}

/**
 * The markdown reference for every tool, as tools/list shows them: a family (tools called by one
 * name and an `action`) gets its own section, and each action a subsection with its parameters.
 * @param {{ ALL_TOOLS: readonly any[], toolsFor: (config: { evaluate: boolean }) => any[], listedFor: (config: { evaluate: boolean }) => any[] }} registry
 * @param {{ listedSchema: (tool: any) => Record<string, any>, annotations: (tool: any) => Record<string, boolean>, familyAnnotations: (family: any) => Record<string, boolean>, familySchema: (family: any) => Record<string, any>, inputShape: (tool: any) => Record<string, unknown> }} schemaModule
 * @returns {string}
 */
export function renderToolDocs(registry, schemaModule) {
  const entries = registry.listedFor({ evaluate: true });
  const isFamily = (entry) => 'actions' in entry;
  const withoutEvaluate = new Set(registry.toolsFor({ evaluate: false }).map((tool) => tool.name));
  const hints = (entry) => (isFamily(entry) ? schemaModule.familyAnnotations(entry) : schemaModule.annotations(entry));
  const out = [];
  out.push('# Legible tools');
  out.push('');
  out.push(
    '<!-- Generated by scripts/gen-tool-docs.mjs from the tool definitions (src/tools) and src/server/toolSchema.ts. Do not edit by hand: run `npm run docs`. -->',
  );
  out.push('');
  out.push(
    `Legible offers ${entries.length} tools, listed here in the order \`tools/list\` shows them, with what it sends for each: name, description, parameters and annotations (no titles: they are optional in MCP, and \`tools/list\` is kept small). Three are families — \`record\`, \`journey\` and \`app\` — called with an \`action\` (\`app {"action":"start"}\`): one description and one set of parameters in \`tools/list\` instead of a tool per action; each action takes only its own parameters (listed under it here) and is a command of its own on the command line (\`legible app start\`). Page tools act on the selected tab, or on the tab named by their \`page\` argument; calls on one tab run one at a time. While a dialog is open on a tab, page tools other than those marked "works while a dialog is open" are refused with a hint to answer it first. Unknown arguments are rejected.`,
  );
  out.push('');
  out.push('| Tool | Kind |');
  out.push('| --- | --- |');
  for (const entry of entries) {
    const actions = isFamily(entry) ? ` (${Object.keys(entry.actions).map((action) => code(action)).join(', ')})` : '';
    out.push(`| [${code(entry.name)}](#${entry.name})${actions} | ${kindLabel(hints(entry))} |`);
  }
  for (const entry of entries) {
    out.push('');
    out.push(`## ${entry.name}`);
    out.push('');
    if (!isFamily(entry)) {
      out.push(traitsLine(entry, withoutEvaluate));
      out.push('');
      out.push(prose(entry.description.trim()));
      out.push('');
      out.push(annotationsLine(hints(entry)));
      out.push('');
      out.push(parameterTable(entry, schemaModule));
      continue;
    }
    out.push(`A family: \`action\` (required) is one of ${Object.keys(entry.actions).map((action) => code(action)).join(', ')}.`);
    out.push('');
    out.push(prose(entry.description.trim()));
    out.push('');
    out.push(annotationsLine(hints(entry)));
    for (const [action, tool] of Object.entries(entry.actions)) {
      out.push('');
      out.push(`### ${entry.name} ${action}`);
      out.push('');
      out.push(traitsLine(tool, withoutEvaluate));
      out.push('');
      out.push(prose(tool.description.trim()));
      out.push('');
      out.push(parameterTable(tool, schemaModule));
    }
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
