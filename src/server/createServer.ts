import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config/config.js';
import { VERSION } from '../util/version.js';
import { toolsFor } from '../tools/registry.js';
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

/** Builds the MCP server: one registered tool per definition, all run through runTool. */
export function createServer(config: Config): LegibleServer {
  const context = new ServerContext(config);
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions:
        'Legible drives a Chromium browser. navigate to a URL, read the page with snapshot (refs like e12), act with click/type/press_key/select_option; every action reports what changed, new console errors and failed requests. To prove a fix: journey_save the steps that reproduce a bug, journey_run them with record "before" and, after the fix, "after", then report.',
    },
  );
  const tools = toolsFor(config);
  // Registered for the tools capability; the calls themselves are answered by handleToolCalls below.
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: inputSchema(tool), annotations: annotations(tool) },
      (args: Record<string, unknown>) => runTool(tool, args, context),
    );
  }
  // Our own tools/list: the same tools, with compact schemas (see listedSchema) and no titles
  // (optional in MCP, and the names already say it): every agent pays for this list every turn.
  const listed = tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    inputSchema: listedSchema(tool),
    annotations: annotations(tool),
  }));
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  // Our own tools/call too: readable argument errors, and the request's cancellation signal.
  handleToolCalls(server, tools, context);
  registerRecordingResources(server, context.recordings());
  return {
    server,
    context,
    async close() {
      await context.close();
      await server.close().catch(() => undefined);
    },
  };
}
