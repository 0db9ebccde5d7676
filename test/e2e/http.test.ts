/**
 * MCP over Streamable HTTP (legible-mcp --port): sessions with their own browser contexts, the
 * Host/Origin/token checks, and clean-up of a session's context when it ends or times out. The
 * test starts its own Chromium with remote debugging and lets Legible attach to it, so it can
 * count the browser contexts from outside.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChrome } from '../../src/cdp/findChrome.js';
import { tempDir } from '../helpers/e2e.js';
import { connect, spawnUntil, stop, type Started } from '../helpers/http.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';
import { SERVER_ENTRY } from '../helpers/mcpClient.js';

let fixtures: FixtureServer;
let chrome: Started;
let profile: string;
let observer: Browser;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  profile = await tempDir('http-profile');
  chrome = await spawnUntil(
    findChrome(),
    ['--headless=new', '--no-sandbox', '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--disable-background-networking', '--disable-component-update', '--no-first-run', 'about:blank'],
    /DevTools listening on (ws:\/\/\S+)/,
  );
  observer = await puppeteer.connect({ browserWSEndpoint: chrome.url });
});

afterAll(async () => {
  await observer?.disconnect();
  await stop(chrome?.child);
  await fixtures?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** Isolated contexts open in the browser now (the default one not counted), as the browser itself tells. */
async function contexts(): Promise<number> {
  const session = await observer.target().createCDPSession();
  try {
    return (await session.send('Target.getBrowserContexts')).browserContextIds.length;
  } finally {
    await session.detach();
  }
}

/** A POST with headers fetch() will not send (Host). */
function rawPost(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return rawRequest(url, 'POST', headers, body);
}

function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('legible-mcp --port', () => {
  let server: Started;
  beforeAll(async () => {
    server = await spawnUntil(process.execPath, [SERVER_ENTRY, '--port', '0', '--ws-endpoint', chrome.url, '--idle-timeout', '3s'], /at (http:\/\/\S+\/mcp)/);
  });
  afterAll(async () => {
    await stop(server?.child);
  });

  it('gives each MCP session its own browser context: tabs and cookies are not shared', async () => {
    const a = await connect(server.url);
    const b = await connect(server.url);
    try {
      const before = await contexts();
      const opened = await a.call('navigate', { url: `${fixtures.url}/shop.html` });
      expect(opened.isError, opened.text).toBe(false);
      await a.call('evaluate', { function: '() => { document.cookie = "who=alice; path=/"; return document.cookie; }' });
      const pagesOfB = await b.call('pages', { action: 'list' });
      expect(pagesOfB.text).not.toContain('shop.html');
      await b.call('navigate', { url: `${fixtures.url}/form.html` });
      const cookieOfB = await b.call('evaluate', { function: '() => document.cookie' });
      expect(cookieOfB.text).toBe('""');
      const cookieOfA = await a.call('evaluate', { function: '() => document.cookie' });
      expect(cookieOfA.text).toBe('"who=alice"');
      expect(await contexts()).toBe(before + 2);
      // Both call their tab p1: each session numbers its own.
      expect((await a.call('pages', { action: 'list' })).text).toMatch(/p1 .*shop\.html/);
      expect((await b.call('pages', { action: 'list' })).text).toMatch(/p1 .*form\.html/);

      // Ending a session closes its context (and its tabs); the other session goes on.
      await a.transport.terminateSession();
      await a.client.close();
      await until(async () => (await contexts()) === before + 1, 'the ended session\'s context to close');
      const pages = await observer.pages();
      expect(pages.map((page) => page.url())).not.toContain(`${fixtures.url}/shop.html`);
      expect((await b.call('snapshot')).isError).toBe(false);
    } finally {
      await b.transport.terminateSession().catch(() => undefined);
      await b.client.close();
      await a.client.close().catch(() => undefined);
    }
    await until(async () => (await contexts()) === 0, 'every context to close');
  });

  it('closes the context of a session that went away without ending it, after the idle timeout', async () => {
    const gone = await connect(server.url);
    await gone.call('navigate', { url: `${fixtures.url}/shop.html` });
    expect(await contexts()).toBe(1);
    await gone.client.close(); // no DELETE: the client just disappears
    await until(async () => (await contexts()) === 0, 'the idle session\'s context to close', 20_000);
    expect(server.stderr()).not.toMatch(/uncaught|unhandled/i);
  });

  it('answers a message over 10 MiB with 413 and a JSON-RPC error, logs it, and the session goes on serving', async () => {
    const a = await connect(server.url);
    try {
      await a.call('navigate', { url: `${fixtures.url}/shop.html` });
      const headers = { accept: 'application/json, text/event-stream', 'mcp-session-id': a.transport.sessionId!, 'mcp-protocol-version': a.transport.protocolVersion ?? '2025-06-18' };
      const call = (text: string) => JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'snapshot', arguments: { search: text } } });
      const limit = 10 * 1024 * 1024;
      const envelope = call('').length;
      // 20 MB with its length declared; one byte over the limit; one byte over, sent in chunks (no length given).
      const huge = await rawPost(server.url, headers, call('x'.repeat(20_000_000)));
      const justOver = await rawPost(server.url, headers, call('x'.repeat(limit + 1 - envelope)));
      const chunked = await rawPost(server.url, { ...headers, 'transfer-encoding': 'chunked' }, call('x'.repeat(limit + 1 - envelope)));
      for (const answer of [huge, justOver, chunked]) {
        expect(answer.status, answer.text).toBe(413);
        const error = JSON.parse(answer.text) as { jsonrpc: string; id: null; error: { code: number; message: string } };
        expect(error.jsonrpc).toBe('2.0');
        expect(error.error.message.length).toBeLessThan(300);
      }
      expect(JSON.parse(huge.text).error.message).toMatch(/^Message too large: 19\.1 MB, over the 10\.0 MB limit for one message, so it was not read\. Send large content as a file path/);
      expect(JSON.parse(justOver.text).error.message).toMatch(/^Message too large: 10485761 bytes, over the 10485760-byte limit/);
      expect(JSON.parse(chunked.text).error.message).toMatch(/^Message too large: it passed the 10\.0 MB limit for one message \(10485760 bytes\), so it was not read/);
      // The server's log lines come through a pipe and may arrive after the answers.
      await expect.poll(() => server.stderr(), { timeout: 5_000 }).toMatch(/http: refused a request of 20000\d{3} bytes \(limit 10485760\) in session \S+/);
      await expect.poll(() => server.stderr(), { timeout: 5_000 }).toMatch(/http session \S+: Message too large: it passed/);
      // Up to the limit is read, as on stdin (the SDK alone would stop at 4 MiB).
      const five = await rawPost(server.url, headers, call('x'.repeat(5_000_000)));
      expect(five.status, five.text.slice(0, 300)).toBe(200);
      // The session is still there, with its tab.
      await a.client.ping();
      expect((await a.call('snapshot')).text).toContain('Tiny Shop');
    } finally {
      await a.transport.terminateSession().catch(() => undefined);
      await a.client.close();
    }
    await until(async () => (await contexts()) === 0, 'the session\'s context to close');
  });

  it('answers what is not an MCP request with the reason, and a call cut short by the end of its session with an error', async () => {
    const a = await connect(server.url);
    const headers = { accept: 'application/json, text/event-stream', 'mcp-session-id': a.transport.sessionId!, 'mcp-protocol-version': a.transport.protocolVersion ?? '2025-06-18' };
    const message = (answer: { text: string }) => (JSON.parse(answer.text) as { error: { message: string } }).error.message;
    try {
      // The client's own try at an event stream (a GET after initialize) is normal: no warning for it.
      await a.call('pages', { action: 'list' });
      expect(server.stderr()).not.toContain('event stream');
      const stream = await rawRequest(server.url, 'GET', { ...headers, accept: 'text/event-stream' });
      expect(stream.status).toBe(405);
      expect(stream.headers.allow).toBe('POST, DELETE');
      expect(message(stream)).toContain('no event stream (GET)');
      const notJson = await rawPost(server.url, headers, '{"jsonrpc":"2.0","id":1,');
      expect(notJson.status).toBe(400);
      expect(message(notJson)).toMatch(/^Parse error: the request body is not JSON \(.+\)\. Send one JSON-RPC message per request\./);
      const badId = await rawPost(server.url, headers, '{"jsonrpc":"2.0","id":1.5,"method":"ping"}');
      expect(badId.status).toBe(400);
      expect(message(badId)).toContain('the id 1.5 is not usable');
      const text = await rawPost(server.url, { ...headers, 'content-type': 'text/plain' }, '{"jsonrpc":"2.0","id":2,"method":"ping"}');
      expect(text.status).toBe(415);
      expect(message(text)).toContain('Content-Type: application/json');
      const version = await rawPost(server.url, { ...headers, 'mcp-protocol-version': '1999-01-01' }, '{"jsonrpc":"2.0","id":3,"method":"ping"}');
      expect(version.status).toBe(400);
      expect(message(version)).toContain('unsupported protocol version 1999-01-01');
      const unknown = await rawPost(server.url, { ...headers, 'mcp-session-id': 'no-such-session' }, '{"jsonrpc":"2.0","id":4,"method":"ping"}');
      expect(unknown.status).toBe(404);
      // The session still serves; then a slow call is cut short by the session's end and answered, not left hanging.
      await a.call('navigate', { url: `${fixtures.url}/shop.html` });
      const slow = a.call('evaluate', { function: '() => new Promise((resolve) => setTimeout(() => resolve("late"), 20000))' }).then(
        () => 'answered',
        (error: unknown) => String(error),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ended = await rawRequest(server.url, 'DELETE', headers);
      expect(ended.status).toBe(200);
      expect(await slow).toContain('The session ended before this call was answered');
    } finally {
      await a.client.close();
    }
    await until(async () => (await contexts()) === 0, 'the session\'s context to close');
    expect(server.stderr()).not.toMatch(/uncaught|unhandled/i);
  });

  it('stops a call the client cancels or hangs up on, ends its POST, and never gives its answer to a later call with the same id', async () => {
    const a = await connect(server.url);
    const headers = { accept: 'application/json, text/event-stream', 'mcp-session-id': a.transport.sessionId!, 'mcp-protocol-version': a.transport.protocolVersion ?? '2025-06-18' };
    const evaluate = (id: number, fn: string) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'evaluate', arguments: { function: fn } } });
    try {
      await a.call('navigate', { url: `${fixtures.url}/shop.html` });
      // Cancelled with notifications/cancelled: its POST ends with 202 and no answer, well before the call would have.
      const slow = rawPost(server.url, headers, evaluate(8, '() => new Promise((resolve) => setTimeout(() => resolve("too late"), 20000))'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const cancel = await rawPost(server.url, headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 8, reason: 'test' } }));
      expect(cancel.status).toBe(202);
      const ended = await slow;
      expect(ended.status).toBe(202);
      expect(ended.text).toBe('');
      // Hung up on: the call is cancelled, so id 7 used again gets its own answer, not the first call's.
      await new Promise<void>((done) => {
        const target = new URL(server.url);
        const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
        req.on('error', () => undefined); // the hang-up below
        req.end(evaluate(7, '() => new Promise((resolve) => setTimeout(() => resolve("first"), 1500))'));
        setTimeout(() => {
          req.destroy();
          setTimeout(done, 200); // for the server to see the connection close
        }, 300);
      });
      const second = await rawPost(server.url, headers, evaluate(7, '() => new Promise((resolve) => setTimeout(() => resolve("second"), 3000))'));
      expect(second.status, second.text).toBe(200);
      const text = (JSON.parse(second.text) as { result: { content: { text: string }[] } }).result.content[0]!.text;
      expect(text).toContain('second');
      expect(text).not.toContain('first');
    } finally {
      await a.transport.terminateSession().catch(() => undefined);
      await a.client.close();
    }
    await until(async () => (await contexts()) === 0, 'the session\'s context to close');
  });

  it('refuses a wrong Origin or Host with 403 and nothing else', async () => {
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const post = (headers: Record<string, string>) =>
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(initialize) });
    const evil = await post({ origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(await evil.text()).toContain('Origin is not allowed');
    const rebinding = await rawPost(server.url, { host: 'evil.example:80' }, JSON.stringify(initialize));
    expect(rebinding.status).toBe(403);
    expect(rebinding.text).toContain('the Host header must name this machine');
    const local = await post({ origin: 'http://localhost:5173' });
    expect(local.status).toBe(200);
    await local.body?.cancel();
    expect(await contexts()).toBe(0); // refused requests made no session (and an initialize alone opens no tab)
  });
});

describe('legible-mcp --port with a token', () => {
  it('wants the bearer token (401 without it), and refuses a public address without one', async () => {
    const server = await spawnUntil(process.execPath, [SERVER_ENTRY, '--port', '0', '--ws-endpoint', chrome.url, '--allowed-origin', 'https://ide.example'], /at (http:\/\/\S+\/mcp)/, {
      LEGIBLE_TOKEN: 's3cret-token',
    });
    try {
      const bare = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(bare.status).toBe(401);
      expect(bare.headers.get('www-authenticate')).toBe('Bearer');
      const wrong = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{}' });
      expect(wrong.status).toBe(401);
      const good = await connect(server.url, { authorization: 'Bearer s3cret-token', origin: 'https://ide.example' });
      expect((await good.call('pages', { action: 'list' })).isError).toBe(false);
      await good.transport.terminateSession();
      await good.client.close();
    } finally {
      await stop(server.child);
    }
    const refused = spawn(process.execPath, [SERVER_ENTRY, '--port', '0', '--host', '0.0.0.0'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LEGIBLE_TOKEN: '' } });
    let err = '';
    refused.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => refused.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('Refusing to serve on 0.0.0.0 without a token');
  });
});
