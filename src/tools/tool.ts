import type { z } from 'zod';
import type { PageState } from '../actions/pageState.js';
import type { ToolContext } from './context.js';
import type { ToolResponse } from './response.js';

/** How a tool treats the world, mapped to MCP's annotation hints. */
export type ToolKind = 'read' | 'action' | 'destructive';

export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  /** One paragraph, written for a model. */
  description: string;
  input: Shape;
  kind: ToolKind;
  /** May reach beyond this machine: navigating, or acting on a page that may call any server. */
  openWorld?: boolean;
  /**
   * Page tools get the page (selected, or named by a `page` argument that is added for them),
   * run one at a time per page, and are refused while a dialog is open unless they handle dialogs.
   */
  scope: 'page' | 'browser';
  handlesDialogs?: boolean;
  /** Upper bound for one call, when the default (two minutes) is too short (journey runs). */
  timeoutMs?: number;
  /** May run on a page whose renderer crashed (navigate reloads it). */
  revivesCrashedPage?: boolean;
  handle(call: ToolCall<Shape>): Promise<void>;
}

export interface ToolCall<Shape extends z.ZodRawShape> {
  params: z.output<z.ZodObject<Shape>>;
  context: ToolContext;
  response: ToolResponse;
  /** Set for page tools. */
  state: PageState;
  /** Aborts when the client cancels the call (or it reaches its time limit): long waits stop. */
  signal: AbortSignal;
}

export function defineTool<Shape extends z.ZodRawShape>(tool: ToolDefinition<Shape>): ToolDefinition<Shape> {
  return tool;
}

export type AnyTool = ToolDefinition<z.ZodRawShape>;
