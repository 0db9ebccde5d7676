import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ToolResponse } from '../tools/response.js';
import { isFamily, type ToolFamily } from '../tools/family.js';
import type { AnyTool } from '../tools/tool.js';
import { LegibleError } from '../util/errors.js';
import { clip, printable, quoteValue } from '../util/text.js';
import { argumentError, describeParameters } from './argumentErrors.js';
import { runTool } from './runTool.js';
import type { ServerContext } from './serverContext.js';
import { inputSchema } from './toolSchema.js';

/** Answers one tools/call: its params as they arrived (unchecked), and the request's cancellation signal. */
export type ToolCaller = (params: unknown, signal: AbortSignal) => Promise<CallToolResult>;

/** A call refused before it ran (no such tool, arguments the schema refuses): a usage error. */
const failure = (error: LegibleError): CallToolResult => new ToolResponse().error(new LegibleError(error.message, error.hint, { kind: 'usage' })).build();

/**
 * Answers tools/call: finds the tool, checks the arguments against its schema with errors a model
 * can act on (what was wrong, quoting at most ~100 characters of it, and what the tool takes),
 * and runs it through runTool with the request's cancellation signal.
 */
export function toolCaller(entries: readonly (AnyTool | ToolFamily)[], context: ServerContext): ToolCaller {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  // Each tool's strict schema is made on its first call, not at start-up.
  const schemas = new Map<AnyTool, ReturnType<typeof inputSchema>>();
  const schemaOf = (tool: AnyTool) => schemas.get(tool) ?? schemas.set(tool, inputSchema(tool)).get(tool)!;
  const names = entries.map((entry) => entry.name).join(', ');
  return async (raw, signal) => {
    const params = raw as { name?: unknown; arguments?: unknown } | undefined;
    if (!params || typeof params !== 'object' || typeof params.name !== 'string') {
      throw new McpError(ErrorCode.InvalidParams, `tools/call needs params.name, the name of a tool (${names}), and params.arguments, an object.`);
    }
    const entry = byName.get(params.name);
    if (!entry) {
      const off = params.name === 'evaluate' && !context.config.evaluate ? ': this server was started with --no-evaluate' : '';
      return failure(new LegibleError(`Tool ${printable(clip(params.name, 60))} not found${off}.`, `The tools are: ${names}.`));
    }
    let args = params.arguments ?? {};
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      const hint = isFamily(entry) ? familyHint(entry) : describeParameters(entry);
      return failure(new LegibleError(`The arguments of ${entry.name} must be a JSON object of named arguments, not ${Array.isArray(args) ? 'an array' : args === null ? 'null' : `a ${typeof args}`} (${clip(JSON.stringify(args) ?? String(args), 60)}).`, hint));
    }
    let tool: AnyTool;
    if (isFamily(entry)) {
      const { action, ...rest } = args as Record<string, unknown>;
      const chosen = typeof action === 'string' && Object.hasOwn(entry.actions, action) ? entry.actions[action] : undefined;
      if (!chosen) {
        const got = action === undefined ? 'is missing' : `must be ${Object.keys(entry.actions).map((name) => JSON.stringify(name)).join(', ').replace(/, ([^,]*)$/, ' or $1')} (got ${quoteValue(action)})`;
        return failure(new LegibleError(`Invalid arguments for ${entry.name}: "action" ${got}.`, familyHint(entry)));
      }
      tool = chosen;
      args = rest;
    } else tool = entry;
    const parsed = schemaOf(tool).safeParse(args);
    if (!parsed.success) return failure(argumentError(tool, args as Record<string, unknown>, parsed.error));
    return runTool(tool, parsed.data as Record<string, unknown>, context, signal);
  };
}

/** What each action of a family takes: `app takes action "start" (name), "stop" (name), …`. */
function familyHint(family: ToolFamily): string {
  return Object.values(family.actions).map((tool) => describeParameters(tool)).join(' ');
}
