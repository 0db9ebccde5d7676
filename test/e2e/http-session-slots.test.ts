/**
 * legible-mcp --port's session slots (--max-sessions): a session beyond the cap is refused with
 * 503 until one ends; only an initialize that succeeded holds a slot, so a client that sends a bad
 * initialize, one that is still sending its body, or one that hangs up while sending locks nobody
 * out.
 */
import { connect as connectSocket, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { connect, spawnUntil, stop } from '../helpers/http.js';
import { SERVER_ENTRY } from '../helpers/mcpClient.js';

const serve = (args: string[], env: Record<string, string> = {}) => spawnUntil(process.execPath, [SERVER_ENTRY, '--port', '0', ...args], /at (http:\/\/\S+\/mcp)/, env);

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };

const post = (url: string, message: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(message) });

describe('the number of HTTP sessions is capped', () => {
  it('refuses a session beyond --max-sessions with 503, naming the cap and the flag', async () => {
    const server = await serve(['--max-sessions', '2']);
    try {
      const one = await connect(server.url);
      await connect(server.url);
      const refused = await post(server.url, INITIALIZE);
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/^Legible serves at most 2 MCP sessions at once, and 2 are open: end one .* or start legible-mcp with --max-sessions 4\.$/);
      // Ending one makes room.
      await one.transport.terminateSession();
      await one.client.close();
      const three = await connect(server.url);
      expect((await three.call('pages', { action: 'list' })).isError).toBe(false);
    } finally {
      await stop(server.child);
    }
  });
});

describe('a client that hangs up while sending its request', () => {
  it('costs no session slot and no warning', async () => {
    const server = await serve(['--max-sessions', '1']);
    try {
      const { port } = new URL(server.url);
      for (let i = 0; i < 3; i++) {
        // An initialize whose body stops a tenth of the way through, then the connection closes.
        await new Promise<void>((done) => {
          const socket = connectSocket(Number(port), '127.0.0.1', () => {
            socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":"2.0"`);
            setTimeout(() => {
              socket.destroy();
              done();
            }, 100);
          });
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const one = await connect(server.url);
      expect((await one.call('pages', { action: 'list' })).isError).toBe(false);
      expect(server.stderr()).not.toMatch(/failed|aborted/);
    } finally {
      await stop(server.child);
    }
  });
});

describe('only an initialize that succeeded holds a session slot', () => {
  it('frees the slot of an initialize the server refused, or sent as a notification, at once', async () => {
    const server = await serve(['--max-sessions', '1', '--idle-timeout', '10m'], { LEGIBLE_DEBUG: '1' });
    try {
      // Wrong params: refused with what is wrong; no session is named and none is kept.
      const refused = await post(server.url, { ...INITIALIZE, params: { protocolVersion: 5 } });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: number; message: string } }).error).toMatchObject({ code: -32602, message: expect.stringMatching(/^Invalid params: params\.protocolVersion: expected string, received number; /) });
      expect(refused.headers.get('mcp-session-id')).toBeNull();
      // Without an id it would get no answer: refused, with what to do.
      const notification = await post(server.url, { jsonrpc: '2.0', method: 'initialize', params: INITIALIZE.params });
      expect(notification.status).toBe(400);
      expect(((await notification.json()) as { error: { message: string } }).error.message).toBe('Invalid request: initialize is a request: give it an "id".');
      const one = await connect(server.url);
      expect((await one.call('pages', { action: 'list' })).isError).toBe(false);
      await expect.poll(() => server.stderr(), { timeout: 5_000 }).toMatch(/http: an initialize with invalid params \(params\.protocolVersion: /);
    } finally {
      await stop(server.child);
    }
  });

  it('takes no slot for a client still sending its initialize', async () => {
    const server = await serve(['--max-sessions', '1']);
    const { port } = new URL(server.url);
    const body = JSON.stringify(INITIALIZE);
    let slow: Socket | undefined;
    try {
      // Headers and a tenth of the body, then nothing: Node would wait minutes for the rest.
      await new Promise<void>((sent) => {
        slow = connectSocket(Number(port), '127.0.0.1', () => {
          slow!.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`, () => sent());
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const one = await connect(server.url);
      expect((await one.call('pages', { action: 'list' })).isError).toBe(false);
    } finally {
      slow?.destroy();
      await stop(server.child);
    }
  });
});
