// MCP over Streamable HTTP against stdio, for Legible: the same server, the same calls, timed on a
// warm session (tools/list, and a click on the counter page that reports its effects). Goal: HTTP
// within 10 % of stdio. Each transport gets a fresh server process; the order alternates by rep.
//
//   node bench/http.mjs [--reps N] [--calls N]
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
  const transport = new StdioClientTransport({ command: process.execPath, args: [ENTRY, ...browserArgs(outDir)], stderr: 'ignore' });
  const client = new Client({ name: 'bench-http', version: '1' });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

async function overHttp(outDir) {
  const child = spawn(process.execPath, [ENTRY, '--port', '0', ...browserArgs(outDir)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((resolveUrl, reject) => {
    let err = '';
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const match = /at (http:\/\/\S+\/mcp)/.exec(err);
      if (match) resolveUrl(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`legible-mcp --port exited with ${code}: ${err}`)));
  });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: 'bench-http', version: '1' });
  await client.connect(transport);
  return {
    client,
    async close() {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));
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

export async function runHttpBench({ fixtures, reps = 1, calls = 15 }) {
  const runs = [];
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? ['stdio', 'http'] : ['http', 'stdio'];
    for (const transport of order) {
      process.stderr.write(`http rep ${rep + 1}/${reps}: ${transport} …\n`);
      const outDir = await mkdtemp(join(tmpdir(), `legible-bench-${transport}-`));
      try {
        runs.push({ rep, transport, ...(await measure(transport === 'stdio' ? overStdio : overHttp, fixtures, calls, outDir)) });
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    }
  }
  const pick = (transport, key) => median(runs.filter((r) => r.transport === transport).map((r) => r[key]));
  const of = (transport) => ({ coldListMs: pick(transport, 'coldListMs'), toolsListMs: pick(transport, 'toolsListMs'), clickMs: pick(transport, 'clickMs') });
  const summary = { stdio: of('stdio'), http: of('http') };
  summary.coldListRatio = summary.http.coldListMs / summary.stdio.coldListMs;
  summary.toolsListRatio = summary.http.toolsListMs / summary.stdio.toolsListMs;
  summary.clickRatio = summary.http.clickMs / summary.stdio.clickMs;
  return { reps, calls, summary, runs };
}

export function formatHttpTable({ summary }) {
  const ms = (v) => `${v.toFixed(1)} ms`;
  const ratio = (v) => `${v.toFixed(2)}×`;
  return [
    '| Legible | stdio | Streamable HTTP | HTTP / stdio (goal ≤ 1.10×) |',
    '| --- | --- | --- | --- |',
    `| start the server → tools/list answer | ${ms(summary.stdio.coldListMs)} | ${ms(summary.http.coldListMs)} | ${ratio(summary.coldListRatio)} |`,
    `| tools/list on a warm session (median) | ${ms(summary.stdio.toolsListMs)} | ${ms(summary.http.toolsListMs)} | ${ratio(summary.toolsListRatio)} |`,
    `| click with effects report (median) | ${ms(summary.stdio.clickMs)} | ${ms(summary.http.clickMs)} | ${ratio(summary.clickRatio)} |`,
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const { values } = parseArgs({ options: { reps: { type: 'string' }, calls: { type: 'string' } } });
  const fixtures = await startFixtures();
  try {
    console.log(formatHttpTable(await runHttpBench({ fixtures, reps: Number(values.reps ?? 1), calls: Number(values.calls ?? 15) })));
  } finally {
    await fixtures.close();
  }
}
