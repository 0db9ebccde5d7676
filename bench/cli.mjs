// The command-line rows: a warm `snapshot` call (process start to exit) and the shop task (open the
// shop, search "shoes", add to cart, find out why it failed) with the fewest calls each CLI needs
// with its defaults, for Legible's `legible`, agent-browser and @playwright/cli, all on the system
// Chromium. Each tool runs in its own temporary folder and session, and is closed afterwards.
//
//   node bench/cli.mjs [--reps N] [--calls N] [--tools legible,agent-browser,playwright-cli]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CONSOLE_ERROR_TEXT, SHOE_NAMES, startFixtures } from './fixtures.mjs';
import { ROOT } from './servers.mjs';

const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b);
  if (!sorted.length) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs one CLI call; wall time from spawn to exit. */
function call(command, args, { cwd, env }) {
  return new Promise((resolve) => {
    const began = performance.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: performance.now() - began });
    });
  });
}

/** The ref of `role "name"` in any of the three outline formats ([ref=e5], [level=1, ref=e5]). */
function refOf(text, role, name) {
  const match = new RegExp(`${role} "${name}"[^\\n]*?ref=(e\\d+)`).exec(text);
  if (!match) throw new Error(`no ${role} "${name}" in:\n${text.slice(0, 2000)}`);
  return match[1];
}

const NODE = process.execPath;

/**
 * Each tool: how to run it, open a page, take a snapshot, close it; and its shop plan: the calls
 * an agent needs with the tool's defaults to see the results, click "Add to cart" and see why it
 * failed (the HTTP 500 and the console error), reading refs from the outputs.
 */
export const CLI_TOOLS = [
  {
    id: 'legible',
    name: 'Legible (legible)',
    available: () => existsSync(join(ROOT, 'dist', 'legible-cli.mjs')),
    setup: async (dir) => {
      await mkdir(join(dir, '.git'));
      const runtime = await mkdtemp(join(tmpdir(), 'legible-bench-rt-'));
      return { env: { LEGIBLE_RUNTIME_DIR: runtime, CHROME_PATH: CHROME }, cleanup: () => rm(runtime, { recursive: true, force: true }) };
    },
    run: (args, ctx) => call(NODE, [join(ROOT, 'dist', 'legible-cli.mjs'), ...args], ctx),
    open: (url) => ['open', url],
    snapshot: ['snapshot'],
    close: ['daemon', 'stop'],
    async shop(run, url) {
      const first = await run(['batch', `open ${url}`, 'snapshot']);
      const [box, search, add] = [refOf(first.out, 'searchbox', 'Search products'), refOf(first.out, 'button', 'Search'), refOf(first.out, 'button', 'Add to cart')];
      await run(['type', box, 'shoes']);
      await run(['click', search]);
      await run(['click', add]);
    },
  },
  {
    id: 'agent-browser',
    name: 'agent-browser',
    available: () => existsSync(join(ROOT, 'node_modules', 'agent-browser', 'bin', 'agent-browser-linux-x64')),
    setup: async (dir) => ({ env: { AGENT_BROWSER_SESSION: `bench-${process.pid}-${Date.now()}`, AGENT_BROWSER_EXECUTABLE_PATH: CHROME, HOME: dir }, cleanup: async () => {} }),
    run: (args, ctx) => call(join(ROOT, 'node_modules', 'agent-browser', 'bin', 'agent-browser-linux-x64'), args, ctx),
    open: (url) => ['open', url],
    snapshot: ['snapshot'],
    close: ['close'],
    async shop(run, url) {
      await run(['open', url]);
      const page = await run(['snapshot']);
      const [box, search, add] = [refOf(page.out, 'searchbox', 'Search products'), refOf(page.out, 'button', 'Search'), refOf(page.out, 'button', 'Add to cart')];
      await run(['fill', `@${box}`, 'shoes']);
      await run(['click', `@${search}`]); // prints "✓ Done"
      await run(['snapshot']); // to see the results
      await run(['click', `@${add}`]); // "✓ Done": no word of the failure
      await run(['console']);
      await run(['network', 'requests']);
    },
  },
  {
    id: 'playwright-cli',
    name: '@playwright/cli',
    available: () => existsSync(join(ROOT, 'node_modules', '@playwright', 'cli', 'playwright-cli.js')),
    setup: async () => ({ env: { PLAYWRIGHT_MCP_EXECUTABLE_PATH: CHROME, PLAYWRIGHT_MCP_SANDBOX: 'false' }, cleanup: async () => {} }),
    run: (args, ctx) => call(NODE, [join(ROOT, 'node_modules', '@playwright', 'cli', 'playwright-cli.js'), ...args], ctx),
    open: (url) => ['open', url],
    snapshot: ['snapshot'],
    close: ['close'],
    async shop(run, url) {
      await run(['open', url]); // writes the snapshot to a file
      const page = await run(['snapshot']);
      const [box, search, add] = [refOf(page.out, 'searchbox', 'Search products'), refOf(page.out, 'button', 'Search'), refOf(page.out, 'button', 'Add to cart')];
      await run(['fill', box, 'shoes']);
      await run(['click', search]); // the snapshot goes to a file
      await run(['snapshot']); // to see the results
      await run(['click', add]); // "Console: 2 errors" and a link to a log file
      await run(['console']);
    },
  },
];

async function measureTool(tool, { fixtures, calls }) {
  const dir = await mkdtemp(join(tmpdir(), `legible-bench-${tool.id}-`));
  const { env, cleanup } = await tool.setup(dir);
  const ctx = { cwd: dir, env };
  const result = { tool: tool.id, errors: {} };
  try {
    // Warm calls: the browser is up and the page open; each call is a fresh process.
    const opened = await tool.run(tool.open(fixtures.url('/counter')), ctx);
    if (opened.code !== 0) throw new Error(`open failed: ${opened.out.slice(0, 500)}`);
    const warm = [];
    const bare = [];
    for (let i = 0; i < calls; i++) {
      const snap = await tool.run(tool.snapshot, ctx);
      if (snap.code !== 0 || !snap.out.includes('Increment')) throw new Error(`snapshot failed: ${snap.out.slice(0, 500)}`);
      warm.push(snap.ms);
      // `node -e 0` between the calls, so both see the same machine (its load changes by the second).
      bare.push((await call(NODE, ['-e', '0'], { cwd: dir, env: {} })).ms);
    }
    result.warmSnapshotMs = median(warm);
    result.nodeMs = median(bare);
    // The shop task, counted call by call.
    const log = [];
    const run = async (args) => {
      const done = await tool.run(args, ctx);
      log.push({ args, ...done });
      return done;
    };
    try {
      await tool.shop(run, fixtures.url('/shop'));
    } catch (error) {
      result.errors.shop = String(error.message ?? error).slice(0, 300);
    }
    const firstWith = (test) => log.findIndex((entry) => test(entry.out));
    const resultsAt = firstWith((out) => SHOE_NAMES.every((name) => out.includes(name)));
    const http500At = firstWith((out) => /api\/cart[^\n]*500|500[^\n]*api\/cart/.test(out));
    const consoleAt = firstWith((out) => out.includes(CONSOLE_ERROR_TEXT));
    const lastClick = log.map((e) => e.args[0]).lastIndexOf('click');
    result.shop = {
      calls: log.length,
      chars: log.reduce((sum, entry) => sum + entry.out.length, 0),
      wallMs: log.reduce((sum, entry) => sum + entry.ms, 0),
      resultsVisible: resultsAt !== -1,
      http500Visible: http500At !== -1,
      consoleErrorVisible: consoleAt !== -1,
      // Both failures in the output of the click that caused them: no extra call to find out.
      failureInClickOutput: lastClick !== -1 && http500At === lastClick && consoleAt === lastClick,
      extraCallsAfterClick: lastClick === -1 ? undefined : log.length - 1 - lastClick,
      exitCodes: log.map((entry) => entry.code),
    };
  } catch (error) {
    result.errors.run = String(error.message ?? error).slice(0, 300);
  } finally {
    await tool.run(tool.close, ctx).catch(() => undefined);
    await cleanup();
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}

export async function runCliBench({ fixtures, reps = 1, calls = 15, tools: wanted } = {}) {
  const tools = CLI_TOOLS.filter((tool) => !wanted || wanted.includes(tool.id));
  const unavailable = tools.filter((tool) => !tool.available()).map((tool) => tool.id);
  const runs = [];
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      if (unavailable.includes(tool.id)) continue;
      process.stderr.write(`cli rep ${rep + 1}/${reps}: ${tool.name} …\n`);
      // @playwright/cli takes seconds per call: fewer warm calls keep the run short.
      runs.push({ rep, ...(await measureTool(tool, { fixtures, calls: tool.id === 'playwright-cli' ? Math.min(calls, 5) : calls })) });
    }
  }
  const summary = {};
  for (const tool of tools) {
    const mine = runs.filter((r) => r.tool === tool.id);
    const pick = (f) => median(mine.map(f));
    summary[tool.id] = {
      warmSnapshotMs: pick((r) => r.warmSnapshotMs),
      shopCalls: pick((r) => r.shop?.calls),
      shopChars: pick((r) => r.shop?.chars),
      shopWallMs: pick((r) => r.shop?.wallMs),
      failureInClickOutput: mine.length ? mine.every((r) => r.shop?.failureInClickOutput) : undefined,
      allVisible: mine.length ? mine.every((r) => r.shop?.resultsVisible && r.shop?.http500Visible && r.shop?.consoleErrorVisible) : undefined,
      errors: mine.flatMap((r) => Object.entries(r.errors).map(([step, error]) => `${step}: ${error}`)),
    };
  }
  // `node -e 0`, timed between Legible's own warm calls: the floor any Node command line pays.
  summary.nodeMs = median(runs.filter((r) => r.tool === 'legible').map((r) => r.nodeMs));
  if (summary.legible?.warmSnapshotMs !== undefined) summary.legibleOverNodeMs = summary.legible.warmSnapshotMs - summary.nodeMs;
  return { reps, calls, unavailable, summary, runs };
}

const ms = (v) => (v === undefined ? '—' : `${Math.round(v)} ms`);
const yes = (v) => (v === undefined ? '—' : v ? 'yes' : 'no');

export function formatCliTable(result) {
  const ids = CLI_TOOLS.map((t) => t.id).filter((id) => result.summary[id]);
  const head = ['', ...ids.map((id) => CLI_TOOLS.find((t) => t.id === id).name)];
  const rows = [
    ['warm `snapshot` call (median)', ...ids.map((id) => ms(result.summary[id].warmSnapshotMs))],
    ['shop task: calls', ...ids.map((id) => String(result.summary[id].shopCalls ?? '—'))],
    ['shop task: characters printed', ...ids.map((id) => String(result.summary[id].shopChars ?? '—'))],
    ['shop task: wall time', ...ids.map((id) => ms(result.summary[id].shopWallMs))],
    ['results, 500 and console error seen', ...ids.map((id) => yes(result.summary[id].allVisible))],
    ['500 and console error in the click\'s own output', ...ids.map((id) => yes(result.summary[id].failureInClickOutput))],
  ];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
  lines.push('', `node -e 0 (median): ${ms(result.summary.nodeMs)}; legible's warm snapshot over it: ${ms(result.summary.legibleOverNodeMs)} (goals: ≤ 80 ms and ≤ 40 ms on an idle machine).`);
  if (result.unavailable.length) lines.push(`Not installed, so not run: ${result.unavailable.join(', ')}.`);
  for (const id of ids) for (const error of result.summary[id].errors) lines.push(`${id}: ${error}`);
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const { values } = parseArgs({ options: { reps: { type: 'string' }, calls: { type: 'string' }, tools: { type: 'string' } } });
  const fixtures = await startFixtures();
  try {
    const result = await runCliBench({ fixtures, reps: Number(values.reps ?? 1), calls: Number(values.calls ?? 15), tools: values.tools?.split(',') });
    console.log(formatCliTable(result));
  } finally {
    await fixtures.close();
  }
}
