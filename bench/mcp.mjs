// One MCP server over stdio: spawn, tools/list timing, tool calls with their latency and size.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { descendants } from './procmem.mjs';

const CALL_TIMEOUT_MS = 120_000;
const STDERR_LINES = 40;

/**
 * Spawns `command args` and connects an MCP client. Measures the time from spawn to the
 * tools/list answer and the answer's size (JSON.stringify(result.tools).length).
 */
export async function startSession({ command, args, env = {}, cwd }) {
  const started = performance.now();
  const transport = new StdioClientTransport({ command, args, cwd, env: { ...process.env, ...env }, stderr: 'pipe' });
  const stderr = [];
  // The pipe must be drained or a chatty server blocks on a full pipe.
  transport.stderr?.on('data', (chunk) => {
    stderr.push(...String(chunk).split('\n').filter(Boolean));
    if (stderr.length > STDERR_LINES) stderr.splice(0, stderr.length - STDERR_LINES);
  });
  const client = new Client({ name: 'legible-bench', version: '1.0.0' });
  let tools;
  try {
    await client.connect(transport);
    ({ tools } = await client.listTools());
  } catch (error) {
    await client.close().catch(() => undefined);
    const tail = stderr.slice(-5).join(' | ');
    throw new Error(`${error instanceof Error ? error.message : error}${tail ? ` (stderr: ${tail})` : ''}`);
  }
  const toolsListMs = performance.now() - started;
  return new Session(client, transport, stderr, { toolsListMs, toolsListChars: JSON.stringify(tools).length, toolNames: tools.map((t) => t.name) });
}

export class Session {
  constructor(client, transport, stderr, toolsList) {
    this.client = client;
    this.transport = transport;
    this.stderr = stderr;
    this.toolsList = toolsList;
    this.pid = transport.pid;
    /** Whether calls count towards the journey's totals (off for checks and recordings). */
    this.counting = true;
    this.calls = [];
  }

  has(tool) {
    return this.toolsList.toolNames.includes(tool);
  }

  /** Calls a tool; returns { text, chars, images, links, isError, ms }. Throws only on protocol failure. */
  async call(name, args = {}) {
    const started = performance.now();
    const result = await this.client.callTool({ name, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS });
    const ms = performance.now() - started;
    const content = result.content ?? [];
    const texts = content.filter((c) => c.type === 'text').map((c) => c.text ?? '');
    const out = {
      text: texts.join('\n'),
      chars: texts.reduce((sum, t) => sum + t.length, 0),
      images: content.filter((c) => c.type === 'image').map((c) => ({ data: Buffer.from(c.data, 'base64'), mimeType: c.mimeType })),
      links: content.filter((c) => c.type === 'resource_link' || c.type === 'resource').map((c) => c.uri ?? c.resource?.uri),
      isError: result.isError === true,
      ms,
    };
    this.calls.push({ name, ms: Math.round(ms), chars: out.chars, isError: out.isError, counted: this.counting });
    return out;
  }

  /** Like call, but a tool error (isError) throws with the tool's own text. */
  async must(name, args = {}) {
    const result = await this.call(name, args);
    if (result.isError) throw new Error(`${name} failed: ${result.text.slice(0, 500)}`);
    return result;
  }

  /** Runs `fn` with counting off: its calls do not add to the journey's totals. */
  async uncounted(fn) {
    const before = this.counting;
    this.counting = false;
    try {
      return await fn();
    } finally {
      this.counting = before;
    }
  }

  countedChars() {
    return this.calls.filter((c) => c.counted).reduce((sum, c) => sum + c.chars, 0);
  }

  countedCalls() {
    return this.calls.filter((c) => c.counted).length;
  }

  /** Closes the client (which ends the server), then kills whatever browser processes it left behind. */
  async close() {
    const pid = this.pid;
    const tree = pid ? descendants(pid) : [];
    await this.client.close().catch(() => undefined);
    const deadline = Date.now() + 5_000;
    const alive = (p) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (Date.now() < deadline && [pid, ...tree].some((p) => p && alive(p))) await new Promise((r) => setTimeout(r, 100));
    const left = [pid, ...tree].filter((p) => p && alive(p));
    for (const p of left) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return left.length;
  }
}
