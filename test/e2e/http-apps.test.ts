/**
 * legible-mcp --port as a process that owns things: the apps under test belong to the server, not
 * to one MCP session (two sessions, one copy; one leftovers record, which the next Legible acts on
 * after a SIGKILL, even before the killed one is reaped); so does the OTLP receiver on --otlp-port (every session sees the same spans);
 * SIGHUP stops the apps and the browser like SIGTERM does; a page from an allowed origin can talk
 * to the server (CORS), one from another origin cannot. Only the processes these tests started are looked at.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsWorkspace, nodeApp, processesOf, removeWorkspaces, waitForNoProcessesOf } from '../helpers/apps.js';
import { browserChildren, isAlive, waitFor, waitForExit } from '../helpers/e2e.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';
import { connect, spawnUntil, stop } from '../helpers/http.js';
import { SERVER_ENTRY, startLegible } from '../helpers/mcpClient.js';
import { freePort } from '../helpers/prometheus.js';
import { makeSpans, tracesProtobuf } from '../../bench/otlpPayloads.mjs';

const serve = (args: string[]) => spawnUntil(process.execPath, [SERVER_ENTRY, '--port', '0', ...args], /at (http:\/\/\S+\/mcp)/);

/** The apps' processes of a server, once there is at least one. */
async function appProcesses(pid: number): Promise<number[]> {
  const deadline = Date.now() + 5_000;
  while (!processesOf(pid).length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return processesOf(pid);
}

describe('the apps belong to the HTTP server, not to a session', () => {
  afterAll(removeWorkspaces);

  it('runs one copy for two sessions, keeps one record, and the next Legible stops it after a SIGKILL', async () => {
    const root = await appsWorkspace({ api: nodeApp('crash.mjs') });
    const server = await serve(['--root', root]);
    const pid = server.child.pid!;
    try {
      const one = await connect(server.url);
      const two = await connect(server.url);
      const started = await one.call('app', { action: 'start' });
      expect(started.isError, started.text).toBe(false);
      const again = await two.call('app', { action: 'start' });
      expect(again.text).toMatch(/api.*already running/);
      const processes = await appProcesses(pid);
      expect(processes).toHaveLength(1);
      expect((await two.call('app', { action: 'status' })).text).toMatch(/^api: running/m);
      expect(readdirSync(join(root, '.legible')).filter((name) => name.endsWith('.json'))).toEqual([`apps-${pid}.json`]);
      // One session ending does not stop the app the other still uses.
      await one.transport.terminateSession();
      await one.client.close();
      expect((await two.call('app', { action: 'status' })).text).toMatch(/^api: running/m);

      server.child.kill('SIGKILL');
      await waitForExit(pid);
      expect(processes.every(isAlive)).toBe(true);
      const next = await startLegible(['--root', root]);
      try {
        const status = await next.call('app', { action: 'status' });
        expect(status.text).toMatch(/stopped apps that an earlier Legible server in this folder left running when it was killed: api \(pid \d+\)/);
        expect(await waitForNoProcessesOf(pid)).toEqual([]);
        expect(existsSync(join(root, '.legible', `apps-${pid}.json`))).toBe(false);
      } finally {
        await next.close();
      }
    } finally {
      await stop(server.child);
    }
  });

  it('stops the apps of a server killed outright that its parent has not reaped yet (a zombie)', async () => {
    const root = await appsWorkspace({ api: nodeApp('crash.mjs') });
    // A parent that never reaps (sh execs sleep), as a detached daemon's PID 1 may be in a container.
    const server = await spawnUntil('sh', ['-c', `"${process.execPath}" "${SERVER_ENTRY}" --port 0 --root "${root}" & exec sleep 300`], /at (http:\/\/\S+\/mcp)/);
    let pid = 0;
    try {
      const session = await connect(server.url);
      expect((await session.call('app', { action: 'start' })).isError).toBe(false);
      const record = readdirSync(join(root, '.legible')).find((name) => /^apps-\d+\.json$/.test(name))!;
      pid = Number(/\d+/.exec(record)![0]);
      const apps = await appProcesses(pid);
      expect(apps).toHaveLength(1);
      process.kill(pid, 'SIGKILL');
      await waitFor('the server to be a zombie', () => readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.startsWith('Z'), 5_000, 25);
      const next = await startLegible(['--root', root]);
      try {
        expect((await next.call('app', { action: 'status' })).text).toMatch(/stopped apps that an earlier Legible server in this folder left running when it was killed: api \(pid \d+\)/);
        expect(await waitForNoProcessesOf(pid)).toEqual([]);
      } finally {
        await next.close();
      }
    } finally {
      server.child.kill('SIGKILL');
      // Whatever the outcome, no app of the killed server is left running.
      for (const app of pid ? processesOf(pid) : []) process.kill(app, 'SIGKILL');
    }
  });

  it('has one OTLP receiver on --otlp-port for all sessions, not one per session that finds the port taken', async () => {
    const port = await freePort();
    const root = await appsWorkspace({ api: nodeApp('crash.mjs') });
    const server = await serve(['--root', root, '--otlp-port', String(port)]);
    try {
      const sessions = [await connect(server.url), await connect(server.url)];
      const body = Buffer.from(tracesProtobuf(makeSpans({ traces: 2, spansPerTrace: 3 })));
      // The receiver opens at start-up, next to (not before) the MCP endpoint: asked until it answers.
      const deadline = Date.now() + 10_000;
      let status: number | undefined;
      while (status !== 200 && Date.now() < deadline) {
        status = (await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } }).catch(() => undefined))?.status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe(200);
      for (const session of sessions) {
        const status = (await session.call('app', { action: 'status' })).text;
        expect(status).toContain(`Telemetry: OTLP/HTTP at http://127.0.0.1:${port}.`);
        expect(status).not.toContain('could not start');
        expect((await session.call('traces', { query: '{ }' })).text).toMatch(/^2 traces match/);
      }
    } finally {
      await stop(server.child);
    }
  });

  it('stops the apps and the browser on SIGHUP', async () => {
    const fixtures = await startFixtureServer();
    const root = await appsWorkspace({ api: nodeApp('crash.mjs') });
    const server = await serve(['--root', root]);
    const pid = server.child.pid!;
    try {
      const session = await connect(server.url);
      expect((await session.call('app', { action: 'start' })).isError).toBe(false);
      expect((await session.call('navigate', { url: `${fixtures.url}/form.html` })).isError).toBe(false);
      const apps = await appProcesses(pid);
      const browser = browserChildren(pid);
      expect(apps.length).toBeGreaterThan(0);
      expect(browser.length).toBeGreaterThan(0);
      const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
      server.child.kill('SIGHUP');
      await waitForExit(pid, 10_000);
      expect(await exited).toBe(129);
      expect(await waitForNoProcessesOf(pid, 2_000)).toEqual([]);
      expect(browser.filter(isAlive)).toEqual([]);
      expect(readdirSync(join(root, '.legible')).filter((name) => name.endsWith('.json'))).toEqual([]);
    } finally {
      await stop(server.child);
      await fixtures.close();
    }
  });
});

describe('a page from an allowed origin can use the server (CORS)', () => {
  let fixtures: FixtureServer;
  let legible: Awaited<ReturnType<typeof startLegible>>;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    fixtures = await startFixtureServer();
    const port = new URL(fixtures.url).port;
    // The page's own browser (a Legible over stdio) reaches the fixture server under two names.
    legible = await startLegible(['--chrome-arg=--host-resolver-rules=MAP allowed.test 127.0.0.1, MAP other.test 127.0.0.1']);
    server = await serve(['--allowed-origin', `http://allowed.test:${port}`, '--token', 'page-token']);
  });
  afterAll(async () => {
    await legible?.close();
    await stop(server?.child);
    await fixtures?.close();
  });

  /** Opens the fixture page under `host` and has it initialize an MCP session with fetch. */
  async function fromPage(host: string): Promise<{ status?: number; session?: string | null; body?: string; error?: string }> {
    const port = new URL(fixtures.url).port;
    const opened = await legible.call('navigate', { url: `http://${host}:${port}/form.html` });
    expect(opened.isError, opened.text).toBe(false);
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'page', version: '1' } } };
    const result = await legible.call('evaluate', {
      function: `async () => {
        try {
          const answer = await fetch(${JSON.stringify(server.url)}, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer page-token', 'mcp-protocol-version': '2025-06-18' },
            body: ${JSON.stringify(JSON.stringify(initialize))},
          });
          return { status: answer.status, session: answer.headers.get('mcp-session-id'), body: (await answer.text()).slice(0, 300) };
        } catch (error) {
          return { error: String(error) };
        }
      }`,
    });
    expect(result.isError, result.text).toBe(false);
    return JSON.parse(result.text.slice(result.text.indexOf('{'))) as { status?: number; session?: string | null; body?: string; error?: string };
  }

  it('answers the preflight and the request for an allowed origin, and exposes the session id', async () => {
    const answer = await fromPage('allowed.test');
    expect(answer.error).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(answer.session).toMatch(/^[\w-]{8,}$/);
    expect(answer.body).toContain('"serverInfo"');
  });

  it('gives a page from another origin nothing', async () => {
    const answer = await fromPage('other.test');
    expect(answer.error).toMatch(/TypeError: Failed to fetch/);
  });

  it('sends no CORS headers for an origin that is not allowed, and answers an allowed preflight with what the transport needs', async () => {
    const port = new URL(fixtures.url).port;
    const preflight = (origin: string) =>
      fetch(server.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization, mcp-session-id' } });
    const allowed = await preflight(`http://allowed.test:${port}`);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(`http://allowed.test:${port}`);
    expect(allowed.headers.get('access-control-allow-headers')).toBe('Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID');
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE');
    expect(allowed.headers.get('access-control-expose-headers')).toBe('Mcp-Session-Id, Mcp-Protocol-Version');
    const other = await preflight(`http://other.test:${port}`);
    expect(other.status).toBe(403);
    expect([...other.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});
