import type { AnyTool } from './tool.js';

/**
 * Several tools an agent sees as one, told apart by an `action` argument: `app` with "start",
 * "stop", "restart", "status" instead of four tools. Every agent pays for tools/list on every turn,
 * and a family shares one description and one copy of its common parameters. Each action stays a
 * tool of its own everywhere else (its handler, scope, time limit, schema, the command line's
 * `legible app start`, the docs), so a family is only a way of listing and calling them.
 */
export interface ToolFamily {
  name: string;
  /** One paragraph for the family, written for a model: what each action does, briefly. */
  description: string;
  /** The actions in the order tools/list shows them, each the tool it runs. */
  actions: Readonly<Record<string, AnyTool>>;
}

const families = new WeakMap<AnyTool, { family: ToolFamily; action: string }>();

export function defineFamily(family: ToolFamily): ToolFamily {
  for (const [action, tool] of Object.entries(family.actions)) families.set(tool, { family, action });
  return family;
}

export function isFamily(entry: AnyTool | ToolFamily): entry is ToolFamily {
  return 'actions' in entry;
}

/** The family a tool is an action of, if any. */
export function familyOf(tool: AnyTool): { family: ToolFamily; action: string } | undefined {
  return families.get(tool);
}

/** The tools/call request that runs `tool` with `args`: its own name, or its family's with the action first. */
export function wireCall(tool: AnyTool, args: Record<string, unknown> = {}): { name: string; arguments: Record<string, unknown> } {
  const member = families.get(tool);
  return member ? { name: member.family.name, arguments: { action: member.action, ...args } } : { name: tool.name, arguments: args };
}

/**
 * How an answer names a call for the agent to make: `app {"action":"start","name":"api"}`,
 * `navigate {"url":"…"}`, or the bare name of a tool that needs no arguments (`console`). A `…`
 * value is written bare, as a placeholder. The command line rewrites these into its own words.
 */
export function callText(tool: AnyTool, args: Record<string, unknown> = {}): string {
  const call = wireCall(tool, args);
  const keys = Object.keys(call.arguments);
  if (!keys.length) return call.name;
  return `${call.name} ${JSON.stringify(call.arguments).replace(/"…"/g, '…')}`;
}

/** How error messages name a tool: `navigate`, or `app (action "start")`. */
export function displayName(tool: AnyTool): string {
  const member = families.get(tool);
  return member ? `${member.family.name} (action "${member.action}")` : tool.name;
}
