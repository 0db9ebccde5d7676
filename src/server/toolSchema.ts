import { z } from 'zod';
import { isFamily, type ToolFamily } from '../tools/family.js';
import type { AnyTool } from '../tools/tool.js';
import { quoteValue } from '../util/text.js';

/** Explained once, in the pages tool's description, rather than in every page tool's schema. */
const pageParam = z.string().optional();

/** The input shape a tool is called with: page tools also take `page`. */
export function inputShape(tool: AnyTool): z.ZodRawShape {
  return tool.scope === 'page' ? { ...tool.input, page: pageParam } : tool.input;
}

/** A strict object schema: unknown arguments are refused (argumentError lists the known ones). */
export function inputSchema(tool: AnyTool): z.ZodObject {
  return z.strictObject(inputShape(tool), {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.slice(0, 5).map((k) => quoteValue(k, 40)).join(', ')}${issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : ''}`
        : undefined,
  });
}

/**
 * The JSON Schema that tools/list shows, made as small as it can be while exact: every agent
 * pays for tools/list on every turn, so the `$schema` line and other boilerplate are left out.
 */
export function listedSchema(tool: AnyTool): Record<string, unknown> {
  const schema = z.toJSONSchema(inputSchema(tool), { io: 'input' }) as Record<string, unknown>;
  delete schema.$schema;
  // Unknown arguments are still refused (inputSchema is strict); saying so in every schema costs characters.
  delete schema.additionalProperties;
  // Checks a model does not need to read (still enforced, with friendlier messages than a
  // schema's): .int()'s ±2^53, non-empty strings and arrays, name patterns.
  for (const property of Object.values((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    if (property.maximum === Number.MAX_SAFE_INTEGER) delete property.maximum;
    if (property.minimum === Number.MIN_SAFE_INTEGER) delete property.minimum;
    // A count or a time below 0 or 1 is refused with a clear message; the bound says nothing to a model.
    if (property.type === 'integer' && (property.minimum === 0 || property.minimum === 1)) delete property.minimum;
    if (property.minLength === 1) delete property.minLength;
    if (property.minItems === 1) delete property.minItems;
    delete property.pattern;
    // An object argument's values (type's fields, network's mock) are checked at the call, with
    // messages that name the key; the description says what goes in.
    if (property.type === 'object') delete property.additionalProperties;
    const items = property.items as Record<string, unknown> | undefined;
    if (items?.minLength === 1) delete items.minLength;
    // Keys of a JSON object are strings anyway (z.record's propertyNames says only that).
    if ((property.propertyNames as { type?: string } | undefined)?.type === 'string' && Object.keys(property.propertyNames as object).length === 1) delete property.propertyNames;
  }
  return schema;
}

/**
 * A family's schema: `action` (required, first) and every action's parameters, each once (the
 * first action's description wins; actions that share a name share its meaning). Which action
 * takes which parameter is checked at call time, against that action's own strict schema.
 */
export function familySchema(family: ToolFamily): Record<string, unknown> {
  const properties: Record<string, unknown> = { action: { type: 'string', enum: Object.keys(family.actions) } };
  for (const tool of Object.values(family.actions)) {
    const schema = listedSchema(tool) as { properties?: Record<string, unknown> };
    for (const [name, property] of Object.entries(schema.properties ?? {})) if (!(name in properties)) properties[name] = property;
  }
  return { type: 'object', properties, required: ['action'] };
}

type Hints = { readOnlyHint?: true; destructiveHint?: boolean; openWorldHint?: boolean };

/**
 * MCP's hints. A read-only tool says only that: destructiveHint means nothing for it (the spec),
 * and openWorldHint's default (true) is harmless for a tool that changes nothing. Other tools say
 * destructiveHint, and openWorldHint when false (its default is true): a tool that acts on the
 * page is open-world, for the page may reach any server.
 */
export function annotations(tool: AnyTool): Hints {
  if (tool.kind === 'read') return { readOnlyHint: true };
  return { destructiveHint: tool.kind === 'destructive', ...(tool.openWorld ? {} : { openWorldHint: false }) };
}

/** A family's hints: read-only if every action is, destructive if any is, open-world if any is. */
export function familyAnnotations(family: ToolFamily): Hints {
  const tools = Object.values(family.actions);
  if (tools.every((tool) => tool.kind === 'read')) return { readOnlyHint: true };
  return { destructiveHint: tools.some((tool) => tool.kind === 'destructive'), ...(tools.some((tool) => tool.openWorld) ? {} : { openWorldHint: false }) };
}

/** One tool of tools/list: families folded, compact schemas (listedSchema), no titles (optional in MCP, and the names already say it). */
export interface ListedTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: Hints;
}

/** A tool or a family as tools/list shows it. */
export function listedTool(entry: AnyTool | ToolFamily): ListedTool {
  return isFamily(entry)
    ? { name: entry.name, description: entry.description, inputSchema: familySchema(entry), annotations: familyAnnotations(entry) }
    : { name: entry.name, description: entry.description, inputSchema: listedSchema(entry), annotations: annotations(entry) };
}
