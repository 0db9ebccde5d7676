// Plain MCP clients for the HTTP-against-stdio rows: newline-delimited JSON on a child's pipes, and
// keep-alive node:http POSTs, with nothing between the wire and JSON.parse. They show the round
// trip without an SDK client's own cost (validation, fetch), and the server process's CPU per call
// read from /proc (user + system), which is what Legible itself spends on each transport.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { processCpuSeconds } from './procmem.mjs';

const PROTOCOL = '2025-06-18';
const INITIALIZE = { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench-plain', version: '1' } };
/** CPU the process has used so far (user + system), in ms. */
export const cpuMs = (pid) => processCpuSeconds(pid) * 1000;

function post(agent, url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(data), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** An MCP session over keep-alive HTTP: call(method, params) resolves with the parsed answer. */
export async function plainHttpSession(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const init = await post(agent, url, { jsonrpc: '2.0', id: 0, method: 'initialize', params: INITIALIZE });
  if (init.status !== 200) throw new Error(`initialize: HTTP ${init.status} ${init.text}`);
  const headers = { 'mcp-session-id': init.headers['mcp-session-id'], 'mcp-protocol-version': PROTOCOL };
  await post(agent, url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  let id = 1;
  return {
    call: async (method, params) => JSON.parse((await post(agent, url, { jsonrpc: '2.0', id: id++, method, params }, headers)).text),
    close: () => agent.destroy(),
  };
}

/** An MCP session over a child's stdin/stdout, as an MCP host runs a stdio server. */
export async function plainStdioSession(command, args) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  let buffer = '';
  let id = 0;
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    }
  });
  const call = (method, params) =>
    new Promise((resolve) => {
      const mine = id++;
      waiting.set(mine, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: mine, method, params })}\n`);
    });
  await call('initialize', INITIALIZE);
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  return {
    pid: child.pid,
    call,
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));
    },
  };
}

/**
 * The floor of any HTTP server: a bare node:http server that reads the POST and sends `bytes` of
 * JSON from memory. Its round trip with the plain client is what no HTTP server can go under.
 */
export async function bareHttpServer(answer) {
  const body = JSON.stringify(answer);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const { id } = JSON.parse(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'bare' }).end(id === undefined ? '' : body);
    });
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${server.address().port}/mcp`, close: () => new Promise((done) => server.close(done)) };
}
