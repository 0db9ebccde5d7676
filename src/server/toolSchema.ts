import { z } from 'zod';
import type { AnyTool } from '../tools/tool.js';

const pageParam = z.string().optional().describe('Tab id (p2); default: the selected tab.');

/** The input shape a tool is called with: page tools also take `page`. */
export function inputShape(tool: AnyTool): z.ZodRawShape {
  return tool.scope === 'page' ? { ...tool.input, page: pageParam } : tool.input;
}

/** A strict object schema: unknown arguments are rejected with the list of known ones. */
export function inputSchema(tool: AnyTool): z.ZodObject {
  const shape = inputShape(tool);
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unknown argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; ${tool.name} takes ${known.length ? known.join(', ') : 'no arguments'}.`
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
  // .int() adds ±2^53 bounds that say nothing to a model and cost characters on every turn.
  for (const property of Object.values((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    if (property.maximum === Number.MAX_SAFE_INTEGER) delete property.maximum;
    if (property.minimum === Number.MIN_SAFE_INTEGER) delete property.minimum;
  }
  return schema;
}

export function annotations(tool: AnyTool) {
  return {
    readOnlyHint: tool.kind === 'read',
    destructiveHint: tool.kind === 'destructive',
    openWorldHint: tool.openWorld ?? false,
  };
}
