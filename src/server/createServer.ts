import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import { VERSION } from '../util/version.js';
import type { ToolCaller } from './callTool.js';
import { loadOnce, loadSoon } from './loadOnce.js';
import { registerRecordingResources } from './resources.js';
import type { ServerContext } from './serverContext.js';
import type { ListedTool } from './toolSchema.js';

export const SERVER_NAME = 'legible';
export const SERVER_VERSION = VERSION;

export interface LegibleServer {
  server: McpServer;
  /** SIGKILL to the apps' process groups, synchronously (serveUntilStopped, on exit). */
  killAllNow(): void;
  close(): Promise<void>;
}

/**
 * Builds the MCP server that stdio serves, with its own ServerContext (one browser, the apps).
 * It answers initialize and tools/list at once; the ServerContext, and with it every tool's code,
 * is loaded on first need (the first tools/call or resources request), or right after the first
 * tools/list answer, so an agent does not wait for them before its session starts. A fixed OTLP
 * port is still taken at start-up: apps may be pointed at it before any call.
 */
export function createServer(config: Config, tools: readonly ListedTool[]): LegibleServer {
  let context: ServerContext | undefined;
  const load = loadOnce(() => import('./serverContext.js').then(({ ServerContext }) => (context = new ServerContext(config))));
  loadSoon(load, config);
  const server = createMcpServer(config, tools, load);
  return {
    server,
    killAllNow: () => context?.workspace.killAllNow(),
    async close() {
      await load.started?.then((loaded) => loaded.close(), () => undefined);
      await server.close().catch(() => undefined);
    },
  };
}

/**
 * tools/call as it arrives, before any check: the SDK's own handler parses it with a schema whose
 * failures reach the client as a raw zod dump (a call without a name, `arguments` as an array).
 */
const rawCallRequest = z.object({ method: z.literal('tools/call'), params: z.unknown() });

/**
 * One MCP server over a ServerContext, given as how to get it (made at once, or loaded on first
 * need): tools/list as `tools` says (listedTools: families folded, compact schemas), tools/call
 * through toolCaller and runTool. Several may share one context (the daemon: one per connection);
 * closing the server leaves the context open.
 */
export function createMcpServer(config: Config, tools: readonly ListedTool[], context: () => Promise<ServerContext>): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      instructions:
        'Legible drives a Chromium browser. navigate to a URL, read the page with snapshot (refs like e12), act with click/type/select_option; every action reports what changed, new console errors and failed requests. To prove a fix: journey save the steps that reproduce a bug, journey run them with record "before" and, after the fix, "after", then report. app starts the app under test; logs, traces and metrics show what it did.',
    },
  );
  // The tools capability, declared directly: tools/list and tools/call are answered below, so the
  // SDK's own tool registry (and its per-tool schema conversions at start-up) is not used.
  server.server.registerCapabilities({ tools: {} });
  // Once the list is on its way, the tools' code loads while the agent reads it.
  const preload = () => void context().catch(() => undefined);
  server.server.setRequestHandler(ListToolsRequestSchema, () => {
    setImmediate(preload);
    return { tools: tools as ListedTool[] };
  });
  // Our own tools/call too: readable argument errors, and the request's cancellation signal.
  // Protocol's setRequestHandler, not Server's: Server wraps every tools/call handler in a check
  // against CallToolRequestSchema whose failure is that raw zod dump. toolCaller checks itself.
  const loadCaller = loadOnce<ToolCaller>(() =>
    Promise.all([context(), import('./callTool.js'), import('../tools/registry.js')]).then(([loaded, { toolCaller }, { listedFor }]) => toolCaller(listedFor(config), loaded)),
  );
  Protocol.prototype.setRequestHandler.call(server.server, rawCallRequest, async (request: z.infer<typeof rawCallRequest>, extra: { signal: AbortSignal }) =>
    (await loadCaller())(request.params, extra.signal),
  );
  registerRecordingResources(server, async () => (await context()).recordings());
  return server;
}
