#!/usr/bin/env node
/**
 * Writes dist/legible-commands.json: every tool's name, description, scope and parameters (as
 * JSON Schema, the way tools/list shows them). The `legible` command line builds its commands
 * from it at run time, so it never loads zod or the MCP SDK, and a new tool in ALL_TOOLS becomes
 * a command with no change to the command line. scripts/bundle.mjs runs this after tsc.
 *
 * `buildManifest` is pure: the tests hand it the TypeScript sources, the build the compiled ones.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_PATH = join(ROOT, 'dist', 'legible-commands.json');

/**
 * @param {{ ALL_TOOLS: readonly any[], familyOf?: (tool: any) => { family: { name: string }, action: string } | undefined }} registry
 * @param {{ listedSchema: (tool: any) => Record<string, any> }} schemaModule
 * @param {string} version
 */
export function buildManifest(registry, schemaModule, version) {
  return {
    version,
    tools: registry.ALL_TOOLS.map((tool) => {
      const schema = schemaModule.listedSchema(tool);
      const required = new Set(schema.required ?? []);
      // An action of a family is called by the family's name, with `action` first (tools/family.ts).
      const member = registry.familyOf?.(tool);
      return {
        name: tool.name,
        ...(member ? { call: { name: member.family.name, action: member.action } } : {}),
        description: tool.description,
        scope: tool.scope,
        params: Object.entries(schema.properties ?? {}).map(([name, property]) => ({ name, required: required.has(name), schema: property })),
      };
    }),
  };
}

export async function writeManifestFromBuild() {
  const registry = await import(pathToFileURL(join(ROOT, 'dist', 'tools', 'registry.js')).href);
  const schemaModule = await import(pathToFileURL(join(ROOT, 'dist', 'server', 'toolSchema.js')).href);
  const { VERSION } = await import(pathToFileURL(join(ROOT, 'dist', 'util', 'version.js')).href);
  const manifest = buildManifest(registry, schemaModule, VERSION);
  // The commands too, made once here rather than on every call of the command line.
  const { buildCommands } = await import(pathToFileURL(join(ROOT, 'dist', 'shell', 'commands.js')).href);
  manifest.commands = buildCommands(manifest);
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest)}\n`);
  return manifest;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) await writeManifestFromBuild();
