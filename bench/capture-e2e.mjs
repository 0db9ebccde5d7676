// What the viewer of a Legible recording sees, for one or more builds of the server: each records
// the bench's animated page for a few seconds through MCP (record_start / record_stop), and the
// video's distinct frames are counted with ffmpeg's mpdecimate. Builds are interleaved within each
// repetition (A/B in the same minutes), so a loaded machine weighs on all of them alike.
// Not part of `npm run bench`; see docs/benchmarks.md, "Recording: capture paths".
//
//   node bench/capture-e2e.mjs [--reps 5] [--seconds 3] [name=path/to/legible.mjs[@fps] …]
// Without builds, it measures dist/legible.mjs. `@fps` records at that frame rate (record start's
// fps) instead of the build's default; `a=dist/legible.mjs@25 b=dist/legible.mjs@30` compares two
// rates of one build. A build outside the repository cannot find its
// node_modules: copy it to a folder inside it (e.g. .variants/, which git ignores).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startFixtures } from './fixtures.mjs';
import { startSession } from './mcp.mjs';
import { descendants } from './procmem.mjs';
import { readFileSync, statSync } from 'node:fs';
import { ROOT } from './servers.mjs';
import { probeVideo } from './video.mjs';

const run = promisify(execFile);
const { values: flags, positionals } = parseArgs({ options: { reps: { type: 'string' }, seconds: { type: 'string' }, page: { type: 'string' }, keep: { type: 'boolean' } }, allowPositionals: true });
const reps = Number(flags.reps ?? 5);
const seconds = Number(flags.seconds ?? 3);
const builds = positionals.length
  ? positionals.map((p) => {
      const [name, spec] = p.split('=');
      const [path, fps] = spec.split('@');
      return [name, resolve(path), fps ? Number(fps) : undefined];
    })
  : [['dist', join(ROOT, 'dist', 'legible.mjs')]];
/** The tick of the video, in ms, from record start's answer ("…, 30 fps, mp4)"). */
const tickMs = (startText) => 1000 / Number(/, (\d+) fps, /.exec(startText)[1]);

const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds used so far by the server and each kind of process below it: { legible, ffmpeg, chromium }. */
function cpuSeconds(root) {
  const total = { legible: 0, ffmpeg: 0, chromium: 0 };
  for (const pid of [root, ...descendants(root)]) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
      const kind = pid === root ? 'legible' : /ffmpeg/.test(comm) ? 'ffmpeg' : 'chromium';
      total[kind] += seconds;
    } catch {
      // gone
    }
  }
  return total;
}

/** Frames left after mpdecimate (ffmpeg's defaults): the frames a viewer sees change. */
async function distinctFrames(video) {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', video, '-vf', 'mpdecimate', '-vsync', 'vfr', '-f', 'framecrc', '-'], { maxBuffer: 64 << 20 });
  return stdout.split('\n').filter((line) => line && !line.startsWith('#')).length;
}

const fixtures = await startFixtures();
const work = await mkdtemp(join(tmpdir(), 'legible-capture-'));
const sessions = {};
const results = Object.fromEntries(builds.map(([name]) => [name, []]));
try {
  for (const [name, entry] of builds) {
    const out = join(work, name);
    sessions[name] = await startSession({ command: process.execPath, args: [entry, '--viewport', '1280x720', '--output-dir', out], cwd: work });
    await sessions[name].must('navigate', { url: flags.page ?? fixtures.url('/animated') });
    // The page's own frame rate: what it painted while being recorded (the ceiling of distinct frames).
    await sessions[name].must('evaluate', { function: '() => { window.__paints = []; const tick = () => { window.__paints.push(Date.now()); if (window.__paints.length > 20000) window.__paints.splice(0, 10000); requestAnimationFrame(tick); }; requestAnimationFrame(tick); }' });
  }
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 ? [...builds].reverse() : builds;
    for (const [name, , fps] of order) {
      const session = sessions[name];
      const cpuBefore = cpuSeconds(session.pid);
      const start = await session.must('record', { action: 'start', label: `${name}-${rep}`, ...(fps ? { fps } : {}) });
      const tick = tickMs(start.text);
      const from = Date.now();
      await sleep(seconds * 1000);
      const to = Date.now();
      // Paints, and the ticks of the video (33.3 ms at 30 fps) in which the page painted at least once.
      const painted = JSON.parse(/\{.*\}/s.exec((await session.must('evaluate', { function: `() => { const p = window.__paints.filter((t) => t >= ${from} && t <= ${to}); return { paints: p.length, slots: new Set(p.map((t) => Math.floor(t / ${tick}))).size }; }` })).text)[0]);
      const paintFps = painted.paints / ((to - from) / 1000);
      const paintSlotFps = painted.slots / ((to - from) / 1000);
      const cpuAfter = cpuSeconds(session.pid);
      const cpu = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, (cpuAfter[k] - cpuBefore[k]) / seconds]));
      const stop = await session.must('record', { action: 'stop' });
      const video = /^Video: (.+)$/m.exec(stop.text)[1].trim();
      const probe = await probeVideo(video);
      const distinct = await distinctFrames(video);
      const r = {
        sourceFps: Number(/(\d+) sent by the browser/.exec(stop.text)?.[1]) / probe.durationS,
        distinctFps: distinct / probe.durationS,
        durationS: probe.durationS,
        stopMs: stop.ms,
        finishedMs: Number(/finished (\d+) ms after stop/.exec(stop.text)?.[1]),
        kbPerS: statSync(video).size / 1024 / probe.durationS,
        paintFps,
        paintSlotFps,
        answerDistinct: Number(/(\d+) of them distinct/.exec(stop.text)?.[1]),
        answer: stop.text.split('\n')[0],
        load: loadavg()[0],
        cpuLegible: cpu.legible,
        cpuFfmpeg: cpu.ffmpeg,
        cpuChromium: cpu.chromium,
      };
      results[name].push(r);
      console.error(`rep ${rep + 1} ${name}: ${r.distinctFps.toFixed(1)} distinct/s, ${r.sourceFps.toFixed(1)} sent/s, page ${r.paintFps.toFixed(0)} rAF/s in ${r.paintSlotFps.toFixed(1)} slots/s (distinct ${(r.distinctFps / r.paintSlotFps).toFixed(2)}× that), answer says ${r.answerDistinct} distinct of ${distinct}, stop ${r.stopMs.toFixed(0)} ms (finished ${r.finishedMs} ms after), ${r.kbPerS.toFixed(0)} KB/s, CPU legible/ffmpeg/chromium ${[r.cpuLegible, r.cpuFfmpeg, r.cpuChromium].map((c) => c.toFixed(2)).join('/')}, load ${r.load.toFixed(1)}`);
    }
  }
} finally {
  for (const session of Object.values(sessions)) await session.close();
  await fixtures.close();
  if (flags.keep) console.error(`Kept the videos under ${work}`);
  else await rm(work, { recursive: true, force: true });
}

console.log(`\nMedians over ${reps} reps of ${seconds} s:`);
// Paired: each build's distinct rate against the first build's in the same repetition (the same minutes).
const first = builds[0][0];
const paired = (name) => median(results[name].map((r, i) => r.distinctFps / results[first][i].distinctFps));
console.log(`| Build | distinct frames/s (mpdecimate) | same rep, vs ${first} | sent by the browser /s | page rAF/s | video ticks the page painted in /s | distinct / painted slots | stop answers (ms) | finished after stop (ms) | KB/s of video | CPU s/s: server | ffmpeg | browser | load |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, rs] of Object.entries(results)) {
  const m = (k) => median(rs.map((r) => r[k]));
  console.log(`| ${name} | ${m('distinctFps').toFixed(1)} | ${paired(name).toFixed(2)}× | ${m('sourceFps').toFixed(1)} | ${m('paintFps').toFixed(0)} | ${m('paintSlotFps').toFixed(1)} | ${median(rs.map((r) => r.distinctFps / r.paintSlotFps)).toFixed(2)} | ${m('stopMs').toFixed(0)} | ${m('finishedMs').toFixed(0)} | ${m('kbPerS').toFixed(0)} | ${m('cpuLegible').toFixed(2)} | ${m('cpuFfmpeg').toFixed(2)} | ${m('cpuChromium').toFixed(2)} | ${m('load').toFixed(1)} |`);
}
