// MCP over Streamable HTTP against stdio, for Legible: the same server, the same calls, timed on a
// warm session (tools/list, and a click on the counter page that reports its effects). Goal: HTTP
// within 10 % of stdio. Each transport gets a fresh server process; the order alternates by rep.
// Besides the MCP SDK's clients, plain clients (bench/plainMcp.mjs) time tools/list with nothing
// between the wire and JSON.parse, read the server's CPU per call from /proc, and time the same
// answer from a bare node:http server: the floor no HTTP server goes under.
//
//   node bench/http.mjs [--reps N] [--calls N] [--plain-calls N]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startFixtures } from './fixtures.mjs';
import { bareHttpServer, cpuMs, plainHttpSession, plainStdioSession } from './plainMcp.mjs';
import { ROOT } from './servers.mjs';

const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const ENTRY = join(ROOT, 'dist', 'legible.mjs');
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const browserArgs = (outDir) => ['--executable-path', CHROME, '--chrome-arg=--no-sandbox', '--chrome-arg=--disable-background-networking', '--output-dir', outDir];

async function overStdio(outDir) {
  // The environment the HTTP server gets too: the SDK's default is a minimal one, and a variable
  // such as NODE_EXTRA_CA_CERTS (set on this machine) costs Node ~28 ms at start-up.
  const transport = new StdioClientTransport({ command: process.execPath, args: [ENTRY, ...browserArgs(outDir)], stderr: 'ignore', env: { ...process.env } });
  const client = new Client({ name: 'bench-http', version: '1' });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

function startHttpServer(outDir) {
  const child = spawn(process.execPath, [ENTRY, '--port', '0', ...browserArgs(outDir)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ready = new Promise((resolveUrl, reject) => {
    let err = '';
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const match = /at (http:\/\/\S+\/mcp)/.exec(err);
      if (match) resolveUrl(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`legible-mcp --port exited with ${code}: ${err}`)));
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));
  };
  return { child, ready, stop };
}

async function overHttp(outDir) {
  const server = startHttpServer(outDir);
  const url = await server.ready;
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: 'bench-http', version: '1' });
  await client.connect(transport);
  return {
    client,
    async close() {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
      await server.stop();
    },
  };
}

async function measure(connect, fixtures, calls, outDir) {
  // Cold, as the main table's tools/list row: from starting the server to the tools/list answer.
  const began = performance.now();
  const session = await connect(outDir);
  await session.client.listTools();
  const coldListMs = performance.now() - began;
  try {
    const time = async (fn) => {
      const start = performance.now();
      await fn();
      return performance.now() - start;
    };
    const list = [];
    for (let i = 0; i < calls; i++) list.push(await time(() => session.client.listTools()));
    await session.client.callTool({ name: 'navigate', arguments: { url: fixtures.url('/counter') } });
    const outline = await session.client.callTool({ name: 'snapshot', arguments: {} });
    const ref = /button "Increment" \[ref=(e\d+)\]/.exec(outline.content[0].text)[1];
    await session.client.callTool({ name: 'click', arguments: { ref } });
    const click = [];
    for (let i = 0; i < calls; i++) {
      click.push(
        await time(async () => {
          const result = await session.client.callTool({ name: 'click', arguments: { ref } });
          if (result.isError) throw new Error(result.content[0].text);
        }),
      );
    }
    return { coldListMs, toolsListMs: median(list), clickMs: median(click) };
  } finally {
    await session.close();
  }
}

/** Median round trip of `calls` tools/list after 200 to warm up, and the server's CPU per call over them. */
async function timeList(call, pid, calls) {
  for (let i = 0; i < 200; i++) await call('tools/list');
  const cpuBefore = pid === undefined ? 0 : cpuMs(pid);
  const times = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    const answer = await call('tools/list');
    times.push(performance.now() - start);
    if (!answer.result?.tools?.length) throw new Error(`tools/list: ${JSON.stringify(answer).slice(0, 200)}`);
  }
  return { listMs: median(times), cpuMs: pid === undefined ? undefined : (cpuMs(pid) - cpuBefore) / calls };
}

/** From starting the server to the tools/list answer, and then timeList, with a plain client. */
async function measurePlain(transport, calls, outDir) {
  const began = performance.now();
  if (transport === 'stdio') {
    const session = await plainStdioSession(process.execPath, [ENTRY, ...browserArgs(outDir)]);
    try {
      await session.call('tools/list');
      const coldMs = performance.now() - began;
      return { coldMs, ...(await timeList(session.call, session.pid, calls)) };
    } finally {
      await session.close();
    }
  }
  const server = startHttpServer(outDir);
  try {
    const session = await plainHttpSession(await server.ready);
    try {
      await session.call('tools/list');
      const coldMs = performance.now() - began;
      return { coldMs, ...(await timeList(session.call, server.child.pid, calls)) };
    } finally {
      session.close();
    }
  } finally {
    await server.stop();
  }
}

/** The same tools/list answer from a bare node:http server, with the plain client. */
async function measureFloor(answer, calls) {
  const bare = await bareHttpServer(answer);
  try {
    const session = await plainHttpSession(bare.url);
    try {
      return (await timeList(session.call, undefined, calls)).listMs;
    } finally {
      session.close();
    }
  } finally {
    await bare.close();
  }
}

export async function runHttpBench({ fixtures, reps = 1, calls = 15, plainCalls = 2000 }) {
  // An MCP host has used fetch long before it starts a server; Node loads fetch (undici) on its
  // first use, tens of milliseconds that belong to no transport: pay them before timing.
  await (await fetch(fixtures.url('/counter'))).text();
  // Likewise the MCP SDK's client code: its first session in a process compiles its paths (about
  // 25 ms over HTTP here); an untimed session on each transport first, so the rows time the server.
  for (const connect of [overStdio, overHttp]) {
    const outDir = await mkdtemp(join(tmpdir(), 'legible-bench-warm-'));
    try {
      const session = await connect(outDir);
      await session.client.listTools();
      await session.close();
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }
  const runs = [];
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? ['stdio', 'http'] : ['http', 'stdio'];
    for (const transport of order) {
      process.stderr.write(`http rep ${rep + 1}/${reps}: ${transport} …\n`);
      const outDir = await mkdtemp(join(tmpdir(), `legible-bench-${transport}-`));
      try {
        const sdk = await measure(transport === 'stdio' ? overStdio : overHttp, fixtures, calls, outDir);
        const plain = await measurePlain(transport, plainCalls, outDir);
        runs.push({ rep, transport, ...sdk, coldPlainMs: plain.coldMs, plainListMs: plain.listMs, serverCpuMs: plain.cpuMs });
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    }
  }
  const pick = (transport, key) => median(runs.filter((r) => r.transport === transport).map((r) => r[key]));
  const keys = ['coldListMs', 'coldPlainMs', 'toolsListMs', 'plainListMs', 'serverCpuMs', 'clickMs'];
  const of = (transport) => Object.fromEntries(keys.map((key) => [key, pick(transport, key)]));
  const summary = { stdio: of('stdio'), http: of('http') };
  summary.coldListRatio = summary.http.coldListMs / summary.stdio.coldListMs;
  summary.coldPlainRatio = summary.http.coldPlainMs / summary.stdio.coldPlainMs;
  summary.toolsListRatio = summary.http.toolsListMs / summary.stdio.toolsListMs;
  summary.plainListRatio = summary.http.plainListMs / summary.stdio.plainListMs;
  summary.serverCpuRatio = summary.http.serverCpuMs / summary.stdio.serverCpuMs;
  summary.clickRatio = summary.http.clickMs / summary.stdio.clickMs;
  // The floor: Legible's own tools/list answer, sent by a server that does nothing else.
  const stdio = await plainStdioSession(process.execPath, [ENTRY, '--executable-path', CHROME]);
  const answer = await stdio.call('tools/list');
  await stdio.close();
  summary.bareHttpListMs = await measureFloor(answer, plainCalls);
  summary.answerBytes = JSON.stringify(answer).length;
  return { reps, calls, plainCalls, summary, runs };
}

export function formatHttpTable({ summary, plainCalls }) {
  const ms = (v, digits = 1) => `${v.toFixed(digits)} ms`;
  const ratio = (v) => `${v.toFixed(2)}×`;
  const row = (what, key, ratioKey, digits) => `| ${what} | ${ms(summary.stdio[key], digits)} | ${ms(summary.http[key], digits)} | ${ratio(summary[ratioKey])} |`;
  return [
    '| Legible | stdio | Streamable HTTP | HTTP / stdio (goal ≤ 1.10×) |',
    '| --- | --- | --- | --- |',
    row('start the server → tools/list answer, MCP SDK client', 'coldListMs', 'coldListRatio'),
    row('start the server → tools/list answer, plain client', 'coldPlainMs', 'coldPlainRatio'),
    row('tools/list on a warm session, MCP SDK client (median)', 'toolsListMs', 'toolsListRatio', 2),
    row(`tools/list on a warm session, plain client (median of ${plainCalls})`, 'plainListMs', 'plainListRatio', 3),
    row(`Legible's CPU per tools/list (server process, user + system, over ${plainCalls})`, 'serverCpuMs', 'serverCpuRatio', 3),
    row('click with effects report, MCP SDK client (median)', 'clickMs', 'clickRatio'),
    '',
    `The floor: a bare node:http server sending the same tools/list answer (${summary.answerBytes.toLocaleString('en-US')} bytes) from memory takes ${ms(summary.bareHttpListMs, 3)} with the plain client, against Legible's whole tools/list over stdio ${ms(summary.stdio.plainListMs, 3)}.`,
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const { values } = parseArgs({ options: { reps: { type: 'string' }, calls: { type: 'string' }, 'plain-calls': { type: 'string' } } });
  const fixtures = await startFixtures();
  try {
    console.log(formatHttpTable(await runHttpBench({ fixtures, reps: Number(values.reps ?? 1), calls: Number(values.calls ?? 15), plainCalls: Number(values['plain-calls'] ?? 2000) })));
  } finally {
    await fixtures.close();
  }
}
