import { readFileSync } from 'node:fs';
import type { listedFor } from '../tools/registry.js';
import type { ListedTool } from './toolSchema.js';

/**
 * tools/list made at build time: scripts/bundle.mjs writes this file next to dist/legible.mjs
 * from the tool definitions (toolListFile), so a starting server reads the list instead of
 * loading every tool and turning its zod schema into JSON Schema before its first answer. An
 * agent waits for tools/list at the start of every session.
 */
export const TOOL_LIST_FILE = 'legible-tools.json';

/** The settings that change what tools/list shows (listedFor's). */
type ListingSettings = Parameters<typeof listedFor>[0];

/** Every value of those settings: the build writes a tools/list for each. */
export const LISTING_SETTINGS: readonly ListingSettings[] = [{ evaluate: true }, { evaluate: false }];

/** A configuration's key in the file: the values of its listing settings. */
export function listingKey(config: ListingSettings): string {
  return JSON.stringify(Object.keys(LISTING_SETTINGS[0]!).map((key) => config[key as keyof ListingSettings]));
}

/** tools/list for a configuration, made from the tool definitions. */
export async function makeToolList(config: ListingSettings): Promise<ListedTool[]> {
  const [{ listedFor }, { listedTool }] = await Promise.all([import('../tools/registry.js'), import('./toolSchema.js')]);
  return listedFor(config).map(listedTool);
}

/** What the build writes to TOOL_LIST_FILE: tools/list for every value of the listing settings. */
export async function toolListFile(): Promise<Record<string, ListedTool[]>> {
  const lists: Record<string, ListedTool[]> = {};
  for (const settings of LISTING_SETTINGS) lists[listingKey(settings)] = await makeToolList(settings);
  return lists;
}

/**
 * tools/list for a configuration: from the build's file when there is one (the bundle), else
 * made from the definitions (the compiled or TypeScript sources run directly, as tests do).
 */
export async function listedTools(config: ListingSettings, file?: URL): Promise<ListedTool[]> {
  if (file) {
    let lists: Record<string, ListedTool[]> | undefined;
    try {
      lists = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ListedTool[]>;
    } catch {
      // No file next to this entry: not the bundle.
    }
    const listed = lists?.[listingKey(config)];
    if (listed) return listed;
  }
  return makeToolList(config);
}
