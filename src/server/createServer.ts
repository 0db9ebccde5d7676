import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config/config.js';
import { VERSION } from '../util/version.js';
import { toolsFor } from '../tools/registry.js';
import type { AnyTool } from '../tools/tool.js';
import { handleToolCalls } from './callTool.js';
import { registerRecordingResources } from './resources.js';
import { runTool } from './runTool.js';
import { ServerContext } from './serverContext.js';
import { annotations, inputSchema, listedSchema } from './toolSchema.js';

export const SERVER_NAME = 'legible';
export const SERVER_VERSION = VERSION;

export interface LegibleServer {
  server: McpServer;
  context: ServerContext;
  close(): Promise<void>;
}

/** Builds the MCP server with its own ServerContext (one browser): what stdio serves. */
export function createServer(config: Config): LegibleServer {
  const context = new ServerContext(config);
  const server = createMcpServer(context);
  return {
    server,
    context,
    async close() {
      await context.close();
      await server.close().catch(() => undefined);
    },
  };
}

const schemas = new WeakMap<AnyTool, ReturnType<typeof inputSchema>>();

/** A tool's input schema, made once per process (schemas are immutable). */
function strictSchema(tool: AnyTool): ReturnType<typeof inputSchema> {
  let schema = schemas.get(tool);
  if (!schema) {
    schema = inputSchema(tool);
    schemas.set(tool, schema);
  }
  return schema;
}

type Listing = { name: string; description: string; inputSchema: Record<string, unknown>; annotations: ReturnType<typeof annotations> };
const listings = new WeakMap<AnyTool, Listing>();

/** A tool as tools/list shows it, made once per process (the daemon makes a server per connection). */
function listing(tool: AnyTool): Listing {
  let listed = listings.get(tool);
  if (!listed) {
    listed = { name: tool.name, description: tool.description, inputSchema: listedSchema(tool), annotations: annotations(tool) };
    listings.set(tool, listed);
  }
  return listed;
}

/**
 * One MCP server over a given ServerContext: one registered tool per definition, all run through
 * runTool. Several may share one context (the daemon: one per connection); closing the server
 * leaves the context open.
 */
export function createMcpServer(context: ServerContext): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions:
        'Legible drives a Chromium browser. navigate to a URL, read the page with snapshot (refs like e12), act with click/type/press_key/select_option; every action reports what changed, new console errors and failed requests. To prove a fix: journey_save the steps that reproduce a bug, journey_run them with record "before" and, after the fix, "after", then report.',
    },
  );
  const tools = toolsFor(context.config);
  // Registered for the tools capability; the calls themselves are answered by handleToolCalls below.
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: strictSchema(tool), annotations: annotations(tool) },
      (args: Record<string, unknown>) => runTool(tool, args, context),
    );
  }
  // Our own tools/list: the same tools, with compact schemas (see listedSchema) and no titles
  // (optional in MCP, and the names already say it): every agent pays for this list every turn.
  const listed = tools.map(listing);
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  // Our own tools/call too: readable argument errors, and the request's cancellation signal.
  handleToolCalls(server, tools, context);
  registerRecordingResources(server, context.recordings());
  return server;
}
