// The rows about the apps under test, measured on Legible alone (the peers have no such tools):
// app_start overhead, log capture throughput and memory at the cap, LogQL on 1,000,000 lines, and
// whether an action gets slower while an app runs and logs.
//
//   node bench/apps.mjs        (after npm run build) measures these rows alone and prints them.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEARCH_QUERY, startFixtures } from './fixtures.mjs';
import { measureLogql } from './logql.mjs';
import { mb, statusKb } from './procmem.mjs';
import { formatNotes, formatTable, median, ROWS, summarize } from './report.mjs';
import { launch, SERVERS } from './servers.mjs';

const APPS = join(import.meta.dirname, 'apps');
const START_REPS = 5;
/** Flood until the store is full (entries start being dropped), at most this long. */
const FLOOD_MAX_SECONDS = 40;
const ROUNDS = 4;
const CLICKS_PER_ROUND = 5;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spawn → first byte of output of `node -e` printing one line: Node's start-up on this machine now. */
function nodeBootMs() {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(process.execPath, ['-e', 'process.stdout.write("x\\n")'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', () => resolve(performance.now() - began));
    child.once('error', reject);
  });
}

async function workspace(readyFile) {
  const root = await mkdtemp(join(tmpdir(), 'legible-bench-apps-'));
  const app = (file, more = {}) => ({ command: [process.execPath, join(APPS, file)], port: 'auto', ...more });
  await writeFile(
    join(root, 'legible.config.json'),
    JSON.stringify({ apps: { ready: app('ready.mjs', { env: { READY_FILE: readyFile } }), flood: app('flood.mjs', { ready: { log: '"level"' } }), chatty: app('chatty.mjs') } }),
  );
  return root;
}

/** Measures the app rows with a Legible server started with --root on a workspace of bench apps. */
export async function measureApps(server, { fixtures, outDir }) {
  await mkdir(outDir, { recursive: true });
  const readyFile = join(outDir, 'ready.json');
  const root = await workspace(readyFile);
  const { session, adapter } = await launch(server, outDir, ['--root', root]);
  session.counting = false;
  const result = {};
  try {
    // app_start overhead: Legible's time to ready minus the app's own (first output → ready).
    const runs = [];
    for (let rep = 0; rep < START_REPS; rep++) {
      await rm(readyFile, { force: true });
      // Node's own start-up until a first statement prints, measured just before: part of the
      // overhead, but not Legible's.
      const bootMs = await nodeBootMs();
      const started = await session.must('app', { action: 'start', name: 'ready' });
      // The port may accept connections a moment before the app's own listen callback writes the file.
      let own;
      for (let wait = 0; !own && wait < 100; wait++) {
        own = await readFile(readyFile, 'utf8').then((text) => JSON.parse(text)).catch(() => undefined);
        if (!own) await sleep(10);
      }
      if (!own) throw new Error('the ready app did not write its timings');
      const overheadMs = started.ms - (own.ready - own.first);
      runs.push({ legibleMs: started.ms, appMs: own.ready - own.first, overheadMs, bootMs, shareMs: overheadMs - bootMs });
      await session.must('app', { action: 'stop', name: 'ready' });
    }
    const middle = (key) => median(runs.map((run) => run[key]));
    result.appStart = { runs, overheadMs: middle('overheadMs'), legibleMs: middle('legibleMs'), appMs: middle('appMs'), nodeBootMs: middle('bootMs'), legibleShareMs: middle('shareMs') };

    // Capture: lines per second taken from a flooding JSON logger, and memory once the store is full.
    const flood = await session.must('app', { action: 'start', name: 'flood' });
    const began = performance.now();
    let status;
    do {
      await sleep(1_000);
      status = await session.must('app', { action: 'status' });
    } while (!/flood: [^\n]*old log entr/.test(status.text) && performance.now() - began < FLOOD_MAX_SECONDS * 1000);
    const held = await session.must('logs', { query: 'sum(count_over_time({app="flood"}[1h]))' });
    const seconds = (performance.now() - began) / 1000 + flood.ms / 1000;
    const dropped = Number(/flood: [^\n]*?([\d,]+) old log entr/.exec(status.text)?.[1]?.replace(/,/g, '') ?? 0);
    const kept = Number(/\{\} (\d+)/.exec(held.text)?.[1] ?? 0);
    result.capture = { lines: dropped + kept, kept, dropped, atCap: dropped > 0, seconds, linesPerS: (dropped + kept) / seconds, rssMb: mb(statusKb(session.pid, 'VmRSS')), statusMs: status.ms };
    await session.must('app', { action: 'stop', name: 'flood' });

    // An action while an app runs and logs (a line every 2 ms) against the same action without.
    await adapter.open(fixtures.url('/shop'));
    const snapshot = await adapter.snapshot();
    const box = adapter.findRef(snapshot.text, 'searchbox', 'Search products');
    const search = adapter.findRef(snapshot.text, 'button', 'Search');
    await adapter.type(box, SEARCH_QUERY);
    const clicks = async (times) => {
      for (let i = 0; i < CLICKS_PER_ROUND; i++) times.push((await adapter.click(search)).ms);
    };
    // Rounds alternate without and with the app, so a change in the machine's load meanwhile
    // falls on both sides.
    const idle = [];
    const logging = [];
    for (let round = 0; round < ROUNDS; round++) {
      await clicks(idle);
      await session.must('app', { action: 'start', name: 'chatty' });
      await clicks(logging);
      await session.must('app', { action: 'stop', name: 'chatty' });
    }
    const idleMs = median(idle);
    const loggingMs = median(logging);
    result.click = { idleMs, loggingMs, ratio: loggingMs / idleMs };
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await session.close();
    await rm(root, { recursive: true, force: true });
  }
  result.logql = await measureLogql();
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fixtures = await startFixtures();
  const outDir = await mkdtemp(join(tmpdir(), 'legible-bench-'));
  try {
    const legible = SERVERS.find((s) => s.id === 'legible');
    const result = await measureApps(legible, { fixtures, outDir });
    console.log(JSON.stringify(result, (key, value) => (key === 'runs' ? undefined : value), 2));
    const rows = summarize([legible], [], undefined, undefined, result).filter((row) => ROWS.find((r) => r.key === row.key).apps);
    console.log(`\n${formatTable([legible], rows)}`);
    const notes = formatNotes([legible], [], undefined, undefined, result);
    if (notes) console.log(`\nNotes:\n${notes}`);
  } finally {
    await fixtures.close();
    await rm(outDir, { recursive: true, force: true });
  }
}
