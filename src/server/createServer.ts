import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config/config.js';
import { VERSION } from '../util/version.js';
import { isFamily, type ToolFamily } from '../tools/family.js';
import { listedFor } from '../tools/registry.js';
import type { AnyTool } from '../tools/tool.js';
import { handleToolCalls } from './callTool.js';
import { registerRecordingResources } from './resources.js';
import { ServerContext } from './serverContext.js';
import { annotations, familyAnnotations, familySchema, listedSchema } from './toolSchema.js';

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

type Listing = { name: string; description: string; inputSchema: Record<string, unknown>; annotations: ReturnType<typeof annotations> };
const listings = new WeakMap<AnyTool | ToolFamily, Listing>();

/** A tool or family as tools/list shows it, made once per process (the daemon makes a server per connection). */
function listing(entry: AnyTool | ToolFamily): Listing {
  let listed = listings.get(entry);
  if (!listed) {
    listed = isFamily(entry)
      ? { name: entry.name, description: entry.description, inputSchema: familySchema(entry), annotations: familyAnnotations(entry) }
      : { name: entry.name, description: entry.description, inputSchema: listedSchema(entry), annotations: annotations(entry) };
    listings.set(entry, listed);
  }
  return listed;
}

/**
 * One MCP server over a given ServerContext: tools/list from the definitions (families folded),
 * tools/call through handleToolCalls and runTool. Several may share one context (the daemon: one
 * per connection); closing the server leaves the context open.
 */
export function createMcpServer(context: ServerContext): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions:
        'Legible drives a Chromium browser. navigate to a URL, read the page with snapshot (refs like e12), act with click/type/select_option; every action reports what changed, new console errors and failed requests. To prove a fix: journey save the steps that reproduce a bug, journey run them with record "before" and, after the fix, "after", then report. app starts the app under test; logs, traces and metrics show what it did.',
    },
  );
  const entries = listedFor(context.config);
  // The tools capability, declared directly: tools/list and tools/call are answered below, so the
  // SDK's own tool registry (and its per-tool schema conversions at start-up) is not used.
  server.server.registerCapabilities({ tools: {} });
  // Our own tools/list: families folded, compact schemas (see listedSchema) and no titles
  // (optional in MCP, and the names already say it): every agent pays for this list every turn.
  const listed = entries.map(listing);
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  // Our own tools/call too: readable argument errors, and the request's cancellation signal.
  handleToolCalls(server, entries, context);
  registerRecordingResources(server, context.recordings());
  return server;
}
