import { z } from 'zod';
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
    if (property.minLength === 1) delete property.minLength;
    if (property.minItems === 1) delete property.minItems;
    delete property.pattern;
    const items = property.items as Record<string, unknown> | undefined;
    if (items?.minLength === 1) delete items.minLength;
    // Keys of a JSON object are strings anyway (z.record's propertyNames says only that).
    if ((property.propertyNames as { type?: string } | undefined)?.type === 'string' && Object.keys(property.propertyNames as object).length === 1) delete property.propertyNames;
  }
  return schema;
}

/**
 * MCP's hints, leaving out readOnlyHint when false (its default). destructiveHint and
 * openWorldHint default to true, so they are always given.
 */
export function annotations(tool: AnyTool) {
  return {
    ...(tool.kind === 'read' ? { readOnlyHint: true } : {}),
    destructiveHint: tool.kind === 'destructive',
    openWorldHint: tool.openWorld ?? false,
  };
}
