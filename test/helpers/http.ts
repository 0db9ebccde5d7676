import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { waitForExit } from './e2e.js';

export interface Started {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Spawns a process and waits for a line on stderr matching `ready`; returns its first group. */
export function spawnUntil(command: string, args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...(process.env as Record<string, string>), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${command} did not get ready:\n${err}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = ready.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${err}`));
    });
  });
}

export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await waitForExit(child.pid, 15_000);
}

/** An MCP client over Streamable HTTP, and a call helper that returns the text. */
export async function connect(url: string, headers: Record<string, string> = {}) {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const result = (await client.callTool({ name, arguments: args })) as { content: { type: string; text?: string }[]; isError?: boolean };
    return { text: result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n'), isError: result.isError === true };
  };
  return { client, transport, call };
}

