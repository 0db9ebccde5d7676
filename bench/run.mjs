// npm run bench: runs the journey against Legible and the two peer servers, one after another,
// alternating their order over the reps (each rep a fresh server process), then prints the table
// and writes bench/results/<timestamp>.json.
//
//   node bench/run.mjs [--reps N] [--quick] [--servers legible,chrome-devtools-mcp,playwright-mcp]
//                      [--record-seconds S] [--no-memory] [--no-apps] [--keep] [--no-promql] [--promql-only]
//                      [--no-telemetry] [--no-cli] [--only step,step]
// --no-cli skips the command-line rows (bench/cli.mjs: legible, agent-browser, @playwright/cli)
// and MCP over HTTP against stdio (bench/http.mjs).
import { execFileSync } from 'node:child_process';
import { runTelemetryBench } from './telemetry.mjs';
import { measureTelemetryServer } from './telemetryServer.mjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { startFixtures } from './fixtures.mjs';
import { formatCliTable, runCliBench } from './cli.mjs';
import { formatHttpTable, runHttpBench } from './http.mjs';
import { runJourney } from './journey.mjs';
import { measureApps } from './apps.mjs';
import { measureActionMemory } from './memory.mjs';
import { measureRecordingClick } from './recordingClick.mjs';
import { formatPromqlTable, measurePromql } from './promql.mjs';
import { formatNotes, formatTable, summarize, writeResults } from './report.mjs';
import { ROOT, SERVERS } from './servers.mjs';

const { values: flags } = parseArgs({
  options: {
    reps: { type: 'string' },
    quick: { type: 'boolean' },
    servers: { type: 'string' },
    'record-seconds': { type: 'string' },
    'no-memory': { type: 'boolean' },
    'no-cli': { type: 'boolean' },
    'no-apps': { type: 'boolean' },
    'no-telemetry': { type: 'boolean' },
    keep: { type: 'boolean' },
    'no-promql': { type: 'boolean' },
    'promql-only': { type: 'boolean' },
    only: { type: 'string' },
  },
});

const reps = flags.quick ? 1 : Number(flags.reps ?? 3);
const recordSeconds = Number(flags['record-seconds'] ?? 10);
// Steps of the journey to run (the others, and the memory, app, PromQL and telemetry runs, are
// skipped): search, failures, screenshot, table, recording.
const only = flags.only?.split(',').map((s) => s.trim());
if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps takes a whole number ≥ 1, not ${flags.reps}`);
const wanted = flags.servers?.split(',').map((s) => s.trim());
const servers = flags['promql-only'] ? [] : wanted ? SERVERS.filter((s) => wanted.includes(s.id)) : SERVERS;
if (!servers.length && !flags['promql-only']) throw new Error(`--servers: none of ${wanted} (known: ${SERVERS.map((s) => s.id).join(', ')})`);

const log = (line) => process.stderr.write(`${line}\n`);
const run = (command, args) => {
  try {
    return execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};
const version = (command, args) => run(command, args)?.split('\n')[0];

const startedAt = new Date();
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  chromium: version(process.env.CHROME_PATH ?? '/usr/bin/chromium', ['--version']),
  ffmpeg: version('ffmpeg', ['-version']),
  // Other work on the machine skews the timings: the 1-minute load average before and after.
  loadAtStart: loadavg()[0],
};
// What was measured: the commit, and whether src/ differed from it (the build is of the work tree).
const legibleSource = { commit: run('git', ['rev-parse', 'HEAD']), srcChanged: !!run('git', ['status', '--porcelain', '--', 'src']) };
log(`Bench: ${reps} rep(s) of ${servers.map((s) => `${s.name} ${s.version}`).join(', ')}; ${machine.cpus} cores, Node ${machine.node}, ${machine.chromium}`);

const fixtures = await startFixtures();
const work = await mkdtemp(join(tmpdir(), 'legible-bench-'));
const results = [];
const recordingUnavailable = {};
let memory;
let recordingClick;
let cli;
let http;
let apps;
let promql;
let telemetry;
try {
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) {
      const began = performance.now();
      log(`rep ${rep + 1}/${reps}: ${server.name} …`);
      const result = await runJourney(server, { fixtures, outDir: join(work, `${server.id}-${rep}`), recordSeconds, rep, recordingUnavailable: recordingUnavailable[server.id], only });
      if (result.recording?.available === false) recordingUnavailable[server.id] ??= result.recording.note;
      result.order = order.indexOf(server);
      result.wallS = (performance.now() - began) / 1000;
      result.loadAfter = loadavg()[0];
      results.push(result);
      const errors = Object.entries(result.errors);
      log(`  done in ${result.wallS.toFixed(1)} s${errors.length ? `; failed steps: ${errors.map(([step, e]) => `${step} (${e})`).join('; ')}` : ''}`);
    }
  }
  const legible = servers.find((s) => s.id === 'legible');
  if (legible && !flags['no-memory'] && !only) {
    log('Legible memory: 500 actions …');
    const began = performance.now();
    memory = await measureActionMemory(legible, { fixtures, outDir: join(work, 'memory') });
    log(`  done in ${((performance.now() - began) / 1000).toFixed(1)} s`);
    log('Legible: clicks without and with a recording …');
    const clicksBegan = performance.now();
    recordingClick = await measureRecordingClick(legible, { fixtures, outDir: join(work, 'recording-click') });
    log(`  done in ${((performance.now() - clicksBegan) / 1000).toFixed(1)} s${recordingClick.error ? `: ${recordingClick.error}` : ''}`);
  }
  if (!flags['no-cli'] && !flags['promql-only'] && !only) {
    cli = await runCliBench({ fixtures, reps });
    http = await runHttpBench({ fixtures, reps });
  }
  if (legible && !flags['no-apps'] && !only) {
    log('Legible apps: app_start, log capture, LogQL on 1,000,000 lines, clicks while an app logs …');
    const began = performance.now();
    apps = await measureApps(legible, { fixtures, outDir: join(work, 'apps') });
    log(`  done in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
  if (!flags['no-promql'] && !only) {
    log('PromQL range queries, Legible vs Prometheus …');
    const began = performance.now();
    promql = await measurePromql({ reps: Math.max(5, reps), log, server: servers.find((s) => s.id === 'legible'), outDir: join(work, 'promql') });
    log(`  done in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
  if (servers.some((s) => s.id === 'legible') && !flags['no-telemetry'] && !only) {
    log('Legible telemetry: OTLP ingest, TraceQL search …');
    const began = performance.now();
    telemetry = await runTelemetryBench();
    log(`  done in ${((performance.now() - began) / 1000).toFixed(1)} s${telemetry.error ? `: ${telemetry.error}` : ''}`);
    log('Legible telemetry through the server: ingest while tools answer, the Server section, memory at the caps …');
    const serverBegan = performance.now();
    telemetry.server = await measureTelemetryServer(servers.find((s) => s.id === 'legible'), { outDir: join(work, 'telemetry') });
    log(`  done in ${((performance.now() - serverBegan) / 1000).toFixed(1)} s${telemetry.server.error ? `: ${telemetry.server.error}` : ''}`);
  }
} finally {
  await fixtures.close();
  if (!flags.keep) await rm(work, { recursive: true, force: true });
  else log(`Kept the servers' output under ${work}`);
}

machine.loadAtEnd = loadavg()[0];
const summary = summarize(servers, results, memory, telemetry, apps, recordingClick);
const table = formatTable(servers, summary);
const notes = formatNotes(servers, results, memory, telemetry, apps, recordingClick);
const finishedAt = new Date();
const path = await writeResults(join(ROOT, 'bench', 'results'), {
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  durationS: (finishedAt - startedAt) / 1000,
  options: { reps, recordSeconds, servers: servers.map((s) => s.id), memory: !!memory, recordingClick: !!recordingClick, apps: !!apps, promql: !!promql, telemetry: !!telemetry, cli: !!cli, only },
  machine,
  legibleSource,
  servers: servers.map(({ id, name, version, entry }) => ({ id, name, version, entry: relative(ROOT, entry), args: SERVERS.find((s) => s.id === id).args('<outDir>') })),
  summary,
  memory,
  recordingClick,
  cli,
  http,
  apps,
  promql,
  telemetry,
  reps: results,
});

console.log(
  `\nLegible benchmark — medians over ${reps} rep(s); ${machine.cpus} cores, Node ${machine.node}, ${machine.chromium ?? 'Chromium ?'}; ` +
    `load average ${machine.loadAtStart.toFixed(1)} at the start, ${machine.loadAtEnd.toFixed(1)} at the end\n`,
);
if (servers.length) console.log(table);
if (notes) console.log(`\nNotes:\n${notes}`);
if (cli) console.log(`\nCommand lines (medians over ${reps} rep(s)):\n\n${formatCliTable(cli)}`);
if (http) console.log(`\nMCP over Streamable HTTP against stdio:\n\n${formatHttpTable(http)}`);
if (promql) console.log(`\n${formatPromqlTable(promql)}`);
console.log(`\nFull results: ${path} (${((finishedAt - startedAt) / 1000).toFixed(0)} s)`);
