import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bundle the legible-mcp bin runs: tests drive exactly what users get. */
export const SERVER_ENTRY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'legible.mjs');

export interface ToolResult {
  text: string;
  isError: boolean;
  images: { data: Buffer; mimeType: string }[];
  links: { uri: string; mimeType?: string }[];
  raw: unknown;
}

export interface LegibleClient {
  client: Client;
  transport: StdioClientTransport;
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
  pid(): number | null;
}

/** Spawns the built server (or another entry) over stdio and connects the MCP SDK client to it. */
export async function startLegible(args: string[] = [], env: Record<string, string> = {}, cwd?: string, entry = SERVER_ENTRY): Promise<LegibleClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [entry, ...args],
    ...(cwd ? { cwd } : {}),
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'legible-tests', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    transport,
    async call(name, callArgs = {}) {
      const result = (await client.callTool({ name, arguments: callArgs }, undefined, { timeout: 150_000 })) as {
        content: { type: string; text?: string; data?: string; mimeType?: string; uri?: string }[];
        isError?: boolean;
      };
      return {
        text: result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n'),
        isError: result.isError === true,
        images: result.content.filter((c) => c.type === 'image').map((c) => ({ data: Buffer.from(c.data!, 'base64'), mimeType: c.mimeType! })),
        links: result.content.filter((c) => c.type === 'resource_link').map((c) => ({ uri: c.uri!, mimeType: c.mimeType })),
        raw: result,
      };
    },
    close: () => client.close(),
    pid: () => transport.pid,
  };
}
