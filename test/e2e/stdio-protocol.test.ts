/**
 * Protocol abuses on stdio, against the built server with no MCP client in between: no line, of
 * any size or shape, ends the server or goes unanswered. The tool list the abuses are made from
 * is the server's own tools/list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../helpers/e2e.js';
import { startRaw, type RawServer } from '../helpers/rawStdio.js';
import { FAMILIES } from '../../src/tools/registry.js';

let server: RawServer;
let tools: { name: string; inputSchema: { properties?: Record<string, unknown> } }[];

beforeAll(async () => {
  server = await startRaw();
  tools = (await server.request('tools/list', {}, 'list')).result!.tools as typeof tools;
});
afterAll(async () => {
  if (server.child.exitCode === null) await server.close();
});

/** The text of a tools/call result. */
const textOf = (message: { result?: { content?: { text?: string }[] } }) => (message.result?.content ?? []).map((c) => c.text ?? '').join('\n');

/** The server answers a ping: it is still serving. */
async function stillServing(id: string) {
  expect((await server.request('ping', {}, id)).result).toEqual({});
  expect(isAlive(server.child.pid!)).toBe(true);
}

describe('an oversized message', () => {
  it.each([
    ['10.5 MB, id last (as the MCP SDK writes it)', 10.5, (body: string, id: number) => `{"method":"tools/call","params":{"name":"snapshot","arguments":{"search":"${body}"}},"jsonrpc":"2.0","id":${id}}`],
    ['50 MB, id first', 50, (body: string, id: number) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"type","arguments":{"ref":"e1","text":"${body}"}}}`],
  ])('of %s is answered with an error for its id, and the server goes on', async (_what, megabytes, line) => {
    const id = Math.round(megabytes * 10);
    await server.send(line('x'.repeat(Math.round(megabytes * 1024 * 1024)), id));
    const answer = await server.next((message) => message.id === id);
    expect(answer.error?.code).toBe(-32600);
    expect(answer.error?.message).toMatch(/^Message too large: \d+\.\d MB, over the 10\.0 MB limit/);
    expect(answer.error!.message.length).toBeLessThan(300);
    await expect.poll(() => server.stderr(), { timeout: 5_000 }).toMatch(/stdin: skipped a message of \d+ bytes/);
    await stillServing(`after-${id}`);
  });

  it('of 10 MB as one string argument (just under the limit) gets a bounded answer', async () => {
    await server.send(JSON.stringify({ jsonrpc: '2.0', id: 'big-ref', method: 'tools/call', params: { name: 'click', arguments: { ref: 'e'.repeat(10_000_000) } } }));
    const answer = await server.next((message) => message.id === 'big-ref', 60_000);
    expect(answer.result?.isError).toBe(true);
    expect(textOf(answer).length).toBeLessThan(500);
    expect(textOf(answer)).toMatch(/"e{99}…" \(10,000,000 characters\) is not an element ref/);
    await stillServing('after-big-ref');
  });
});

describe('malformed lines and unusable ids', () => {
  it.each([
    ['not JSON', 'this is not json', -32700],
    ['cut-off JSON', '{"jsonrpc":"2.0","id":1,"method":', -32700],
    ['a batch', '[{"jsonrpc":"2.0","id":2,"method":"ping"}]', -32600],
    ['a bare number', '42', -32600],
    ['id 1e308', '{"jsonrpc":"2.0","id":1e308,"method":"ping"}', -32600],
    ['id 2^64', '{"jsonrpc":"2.0","id":18446744073709551616,"method":"ping"}', -32600],
    ['id 1.5', '{"jsonrpc":"2.0","id":1.5,"method":"ping"}', -32600],
    ['id {}', '{"jsonrpc":"2.0","id":{},"method":"ping"}', -32600],
    ['id []', '{"jsonrpc":"2.0","id":[],"method":"ping"}', -32600],
    ['id true', '{"jsonrpc":"2.0","id":true,"method":"ping"}', -32600],
    ['id null', '{"jsonrpc":"2.0","id":null,"method":"ping"}', -32600],
  ])('%s gets an error answer with id null', async (_what, line, code) => {
    await server.send(line);
    const answer = await server.next((message) => message.id === null);
    expect(answer.error?.code).toBe(code);
    expect(answer.error!.message.length).toBeLessThan(300);
  });

  it('a request without "jsonrpc" is answered for its id', async () => {
    await server.send('{"id":"no-version","method":"ping"}');
    const answer = await server.next((message) => message.id === 'no-version');
    expect(answer.error).toMatchObject({ code: -32600, message: expect.stringContaining('"jsonrpc": "2.0"') });
  });

  it('an initialize with wrong params gets a readable error naming each field and what to send, not a schema dump', async () => {
    await server.send('{"jsonrpc":"2.0","id":"bad-init","method":"initialize","params":{"protocolVersion":5}}');
    const answer = await server.next((message) => message.id === 'bad-init');
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(/^Invalid params: params\.protocolVersion: expected string, received number; params\.capabilities: expected object, received undefined; params\.clientInfo: /);
    expect(answer.error?.message).toContain('"protocolVersion": "2025-06-18"');
    expect(answer.error?.message).not.toMatch(/invalid_type|"code"/);
  });

  it('leaves the server serving after all of them', () => stillServing('after-malformed'));
});

describe('tools/call shapes', () => {
  it('without a name: a readable JSON-RPC error, not a schema dump', async () => {
    const answer = await server.request('tools/call', { arguments: {} }, 'no-name');
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(/tools\/call needs params\.name, the name of a tool \(navigate, snapshot, /);
    expect(answer.error?.message).not.toMatch(/invalid_type|"code"/);
  });

  it('with an unknown tool name: an error result listing the tools', async () => {
    const answer = await server.request('tools/call', { name: 'constructor', arguments: {} }, 'unknown-tool');
    expect(answer.result?.isError).toBe(true);
    expect(textOf(answer)).toMatch(/^Error: Tool constructor not found\.\nNext: The tools are: navigate, /);
  });

  it('with `arguments` as an array, for every tool: an error result saying it must be an object', async () => {
    expect(tools.length).toBeGreaterThanOrEqual(20);
    for (const tool of tools) {
      const answer = await server.request('tools/call', { name: tool.name, arguments: [1, 2] }, `array-${tool.name}`);
      const text = textOf(answer);
      expect(answer.result?.isError, `${tool.name}: ${text}`).toBe(true);
      // A family (record, journey, app) says what each of its actions takes.
      expect(text).toMatch(new RegExp(`^Error: The arguments of ${tool.name} must be a JSON object of named arguments, not an array \\(\\[1,2\\]\\)\\.\\nNext: ${tool.name}( \\(action "\\w+"\\))? takes `));
    }
  });

  it('with an argument named "__proto__", for every tool: refused like any unknown argument', async () => {
    for (const tool of tools) {
      // A family's call names its first action, so the refusal is about __proto__, not a missing action.
      const action = FAMILIES.some((family) => family.name === tool.name) ? (tool.inputSchema as { properties?: { action?: { enum?: string[] } } }).properties?.action?.enum?.[0] : undefined;
      const first = action ? `"action":"${action}",` : '';
      await server.send(`{"jsonrpc":"2.0","id":"proto-${tool.name}","method":"tools/call","params":{"name":"${tool.name}","arguments":{${first}"__proto__":{"polluted":true}}}}`);
      const answer = await server.next((message) => message.id === `proto-${tool.name}`);
      const text = textOf(answer);
      expect(answer.result?.isError, `${tool.name}: ${text}`).toBe(true);
      expect(text).toMatch(new RegExp(`^Error: Invalid arguments for ${tool.name}${action ? ` \\(action "${action}"\\)` : ''}: .*unknown argument "__proto__"`));
    }
  });

  it('stops when stdin closes, with exit code 0', async () => {
    await stillServing('before-close');
    expect(await server.close()).toBe(0);
  });
});
