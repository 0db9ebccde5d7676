import { readFileSync } from 'node:fs';
import { LegibleError } from '../util/errors.js';
import type { CommandSpec } from './commands.js';

/**
 * The tools as the command line knows them: made at build time from the tool definitions
 * (scripts/gen-cli-manifest.mjs writes dist/legible-commands.json), so the command line loads no
 * zod and no MCP SDK, and a new tool becomes a command with no change here.
 */
export interface ToolManifest {
  version: string;
  tools: ManifestTool[];
  /** The commands made from `tools` by buildCommands at build time, so a call need not make them. */
  commands?: CommandSpec[];
}

export interface ManifestTool {
  name: string;
  /** Set for an action of a family: tools/call names the family, with `action` first. */
  call?: { name: string; action: string };
  description: string;
  scope: 'page' | 'browser';
  /** The tool's parameters as JSON Schema properties (as tools/list shows them), in order. */
  params: ManifestParam[];
}

export interface ManifestParam {
  name: string;
  required: boolean;
  /** A JSON Schema property: type, enum, items, minimum, maximum, description, … */
  schema: JsonSchema;
}

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  description?: string;
}

export const MANIFEST_FILE = 'legible-commands.json';

/** Reads the manifest the build put next to the command line's bundle. */
export function loadManifest(url: URL): ToolManifest {
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as ToolManifest;
  } catch (error) {
    throw new LegibleError(
      `The command list ${url.pathname} is missing or broken (${(error as Error).message}).`,
      'Rebuild Legible (npm run build), or reinstall the package.',
      { kind: 'environment' },
    );
  }
}
