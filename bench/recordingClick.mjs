// What a running recording costs an action: clicks on the counter page with a spinner turning (so
// the browser sends frames all the time, the worst case for a recording), without and with a
// recording (record start's defaults: 30 fps, the viewport's size), in alternating rounds so a
// change in the machine's load falls on both sides. Legible only (`npm run bench` runs it after
// the memory run); also alone, to compare builds side by side (each its own server, the builds
// taking turns within each round):
//
//   node bench/recordingClick.mjs [--rounds 6] [--clicks 8] [name=path/to/legible.mjs …]
// Without builds, it measures dist/legible.mjs. A build outside the repository cannot find its
// node_modules: copy it to a folder inside it (e.g. .variants/, which git ignores).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFixtures } from './fixtures.mjs';
import { cpuSeconds } from './procmem.mjs';
import { median } from './report.mjs';
import { launch, SERVERS } from './servers.mjs';

const ROUNDS = 6;
const CLICKS = 8;

/** Opens the spinner page in a Legible server; returns what a round needs. */
async function prepare(server, { fixtures, outDir }) {
  await mkdir(outDir, { recursive: true });
  const { session, adapter } = await launch(server, outDir);
  session.counting = false;
  await adapter.open(fixtures.url('/counter?spinner'));
  const button = adapter.findRef((await adapter.snapshot()).text, 'button', 'Increment');
  if (!button) throw new Error('no Increment button on the counter page');
  return { session, adapter, button, idle: [], recording: [], ratios: [], cpuIdle: [], cpuRecording: [], stopMs: [] };
}

/** One round on one server: `clicks` clicks without a recording, then as many while recording. */
async function round(side, clicks, index) {
  const idle = [];
  const recording = [];
  const clickAll = async (times, cpu) => {
    const cpuBefore = cpuSeconds(side.session.pid);
    const began = performance.now();
    for (let i = 0; i < clicks; i++) times.push((await side.adapter.click(side.button)).ms);
    cpu.push((cpuSeconds(side.session.pid) - cpuBefore) / ((performance.now() - began) / 1000));
  };
  // Which goes first alternates, so neither side always follows a recording's stop.
  const recorded = async () => {
    await side.session.must('record', { action: 'start', label: `clicks-${index}` });
    await clickAll(recording, side.cpuRecording);
    side.stopMs.push((await side.session.must('record', { action: 'stop' })).ms);
  };
  if (index % 2) {
    await recorded();
    await clickAll(idle, side.cpuIdle);
  } else {
    await clickAll(idle, side.cpuIdle);
    await recorded();
  }
  side.idle.push(...idle);
  side.recording.push(...recording);
  // The round's own ratio: both sides within the same few seconds of the machine's load.
  side.ratios.push(median(recording) / median(idle));
}

function summary(side) {
  const idleMs = median(side.idle);
  const recordingMs = median(side.recording);
  return {
    idleMs,
    recordingMs,
    // The median of each round's ratio, which a change in the machine's load between rounds moves less than the ratio of the medians.
    ratio: median(side.ratios),
    // CPU-seconds a second of the server and everything below it (browser, ffmpeg) while clicking.
    cpuIdle: median(side.cpuIdle),
    cpuRecording: median(side.cpuRecording),
    stopMs: median(side.stopMs),
    clicks: side.idle.length,
  };
}

/** The row for `npm run bench`: Legible's click without and with a recording. */
export async function measureRecordingClick(server, { fixtures, outDir, rounds = ROUNDS, clicks = CLICKS }) {
  let side;
  try {
    side = await prepare(server, { fixtures, outDir });
    for (let i = 0; i < rounds; i++) await round(side, clicks, i);
    return summary(side);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await side?.session.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values: flags, positionals } = parseArgs({ options: { rounds: { type: 'string' }, clicks: { type: 'string' } }, allowPositionals: true });
  const rounds = Number(flags.rounds ?? ROUNDS);
  const clicks = Number(flags.clicks ?? CLICKS);
  const legible = SERVERS.find((s) => s.id === 'legible');
  const builds = positionals.length
    ? positionals.map((p) => p.split('=')).map(([name, path]) => ({ name, server: { ...legible, entry: resolve(path) } }))
    : [{ name: 'dist', server: legible }];
  const fixtures = await startFixtures();
  const work = await mkdtemp(join(tmpdir(), 'legible-bench-recording-click-'));
  const sides = [];
  try {
    for (const build of builds) sides.push({ ...build, side: await prepare(build.server, { fixtures, outDir: join(work, build.name) }) });
    for (let i = 0; i < rounds; i++) for (const { side } of i % 2 ? [...sides].reverse() : sides) await round(side, clicks, i);
  } finally {
    for (const { side } of sides) await side.session.close();
    await fixtures.close();
    await rm(work, { recursive: true, force: true });
  }
  console.log(`Click on the spinner page without / with a recording (30 fps); ${rounds} rounds of ${clicks} clicks a side, medians; load ${loadavg()[0].toFixed(1)}`);
  // Each build's round ratio against the first build's in the same round (the same minute).
  const first = sides[0].side.ratios;
  console.log(`| Build | without (ms) | recording (ms) | recording / without, same round | that, vs ${sides[0].name} in the same round | CPU s/s without | CPU s/s recording | record stop (ms) |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { name, side } of sides) {
    const s = summary(side);
    const paired = median(side.ratios.map((ratio, i) => ratio / first[i]));
    console.log(`| ${name} | ${s.idleMs.toFixed(1)} | ${s.recordingMs.toFixed(1)} | ${s.ratio.toFixed(2)} | ${paired.toFixed(2)}× | ${s.cpuIdle.toFixed(2)} | ${s.cpuRecording.toFixed(2)} | ${s.stopMs.toFixed(0)} |`);
  }
}
