// How fast can Chromium hand over frames of an animated page, per capture path? Not part of
// `npm run bench`: a measurement behind the Recorder's choice of capture format, size and ack
// (see docs/benchmarks.md, "Recording: capture paths"). Each mode runs for a few seconds on the
// bench's animated page; modes are interleaved within each repetition (A/B in the same minutes,
// so a loaded machine weighs on all of them alike) and the medians are printed.
//
//   node bench/capture-raw.mjs [--reps 3] [--seconds 3] [--modes a,b,…] [--photo] [--video-fps 30]
// --photo: the animated page over a photograph-like background (big frames).
// --video-fps: the rate of the video whose ticks are counted (a tick is 1000 / fps ms).
// Ticks are counted twice on the same frames: each showing the newest frame drawn by then, and as
// Legible's encoder places them (FrameTicks, from dist/: npm run build first).
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { startFixtures } from './fixtures.mjs';
import { cpuSeconds } from './procmem.mjs';
import { FrameTicks } from '../dist/media/frameTicks.js';

const { values: flags } = parseArgs({ options: { reps: { type: 'string' }, seconds: { type: 'string' }, modes: { type: 'string' }, photo: { type: 'boolean' }, 'video-fps': { type: 'string' } } });
const reps = Number(flags.reps ?? 3);
const seconds = Number(flags.seconds ?? 3);

const screencast = (params, ack = 'receipt') => ({ kind: 'screencast', params: { everyNthFrame: 1, ...params }, ack });
/** The video's frame period: a 30 fps video shows at most one new frame per 33.3 ms slot. */
const SLOT_MS = 1000 / Number(flags['video-fps'] ?? 30);
const screenshot = (params) => ({ kind: 'screenshot', params });
const recording = (params) => ({ kind: 'recording', params });
const MODES = {
  'jpeg85-1280': screencast({ format: 'jpeg', quality: 85, maxWidth: 1280, maxHeight: 720 }),
  'jpeg60-1280': screencast({ format: 'jpeg', quality: 60, maxWidth: 1280, maxHeight: 720 }),
  'jpeg85-960': screencast({ format: 'jpeg', quality: 85, maxWidth: 960, maxHeight: 540 }),
  'jpeg85-960-inflight6': screencast({ format: 'jpeg', quality: 85, maxWidth: 960, maxHeight: 540, maxFramesInFlight: 6 }),
  'jpeg85-960-lastframe': screencast({ format: 'jpeg', quality: 85, maxWidth: 960, maxHeight: 540, sendLastFrame: true }),
  'jpeg70-1280': screencast({ format: 'jpeg', quality: 70, maxWidth: 1280, maxHeight: 720 }),
  'jpeg70-960': screencast({ format: 'jpeg', quality: 70, maxWidth: 960, maxHeight: 540 }),
  'jpeg85-1120': screencast({ format: 'jpeg', quality: 85, maxWidth: 1120, maxHeight: 630 }),
  'png-960': screencast({ format: 'png', maxWidth: 960, maxHeight: 540 }),
  'png-1280': screencast({ format: 'png', maxWidth: 1280, maxHeight: 720 }),
  'png-1280-nth2': screencast({ format: 'png', maxWidth: 1280, maxHeight: 720, everyNthFrame: 2 }),
  'jpeg85-1280-nth2': screencast({ format: 'jpeg', quality: 85, maxWidth: 1280, maxHeight: 720, everyNthFrame: 2 }),
  'png-1280-ack-paced': screencast({ format: 'png', maxWidth: 1280, maxHeight: 720 }, 'paced'),
  'jpeg85-1280-ack-paced': screencast({ format: 'jpeg', quality: 85, maxWidth: 1280, maxHeight: 720 }, 'paced'),
  'png-1280-ack-after': screencast({ format: 'png', maxWidth: 1280, maxHeight: 720 }, 'after'),
  'jpeg85-1280-ack-after': screencast({ format: 'jpeg', quality: 85, maxWidth: 1280, maxHeight: 720 }, 'after'),
  // Chromium's own recorder (Page.startScreenRecording, Chromium 14x+): it encodes AV1 into a
  // fragmented MP4 itself; frames counted from the file's timestamps.
  'record-1280': recording({ maxWidth: 1280, maxHeight: 720, frameRate: 25 }),
  'record-960': recording({ maxWidth: 960, maxHeight: 540, frameRate: 25 }),
  'record-1280-60': recording({ maxWidth: 1280, maxHeight: 720, frameRate: 60 }),
  'record-1280-default': recording({ maxWidth: 1280, maxHeight: 720 }),
  'shot-jpeg85': screenshot({ format: 'jpeg', quality: 85, optimizeForSpeed: true }),
  'shot-png': screenshot({ format: 'png', optimizeForSpeed: true }),
  'shot-webp': screenshot({ format: 'webp', quality: 85, optimizeForSpeed: true }),
};
const modes = flags.modes ? flags.modes.split(',') : Object.keys(MODES);
for (const m of modes) if (!MODES[m]) throw new Error(`unknown mode ${m} (known: ${Object.keys(MODES).join(', ')})`);

const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : NaN;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const fixtures = await startFixtures();
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  headless: true,
  pipe: true,
  defaultViewport: { width: 1280, height: 720 },
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--mute-audio', '--hide-scrollbars'],
});

/** Frames per second handed over by one mode, the bytes per frame, and the page's own rAF rate meanwhile. */
async function measure(page, session, mode) {
  let frames = 0;
  const slots = new Set();
  let bytes = 0;
  let distinct = 0;
  let last = '';
  const stamps = [];
  const take = (data, stampMs = Date.now()) => {
    stamps.push(stampMs);
    frames++;
    slots.add(Math.floor(stampMs / SLOT_MS));
    bytes += data.length * 0.75;
    if (data !== last) distinct++;
    last = data;
  };
  const cpuBefore = cpuSeconds(browser.process().pid);
  const began = performance.now();
  const from = Date.now();
  const rafBefore = await page.evaluate(() => window.__frames);
  if (mode.kind === 'screencast') {
    let nextAck = 0;
    const onFrame = async ({ data, sessionId, metadata }) => {
      // "paced": acknowledged no sooner than one video tick after the previous
      // acknowledgement, so the browser, which waits for acknowledgements, captures about as
      // often as the video needs.
      if (mode.ack === 'paced') {
        const now = performance.now();
        nextAck = Math.max(now, nextAck + SLOT_MS);
        setTimeout(() => void session.send('Page.screencastFrameAck', { sessionId }).catch(() => {}), nextAck - now);
      }
      if (mode.ack === 'receipt') void session.send('Page.screencastFrameAck', { sessionId }).catch(() => {});
      take(data, metadata.timestamp * 1000);
      // "after": as if the frame were first decoded and handed on (about what Legible does per frame).
      if (mode.ack === 'after') {
        await sleep(8);
        void session.send('Page.screencastFrameAck', { sessionId }).catch(() => {});
      }
    };
    session.on('Page.screencastFrame', onFrame);
    await session.send('Page.startScreencast', mode.params);
    await sleep(seconds * 1000);
    await session.send('Page.stopScreencast');
    session.off('Page.screencastFrame', onFrame);
  } else if (mode.kind === 'recording') {
    const { stream } = await session.send('Page.startScreenRecording', mode.params);
    const from = Date.now();
    await sleep(seconds * 1000);
    await session.send('Page.stopScreenRecording');
    const chunks = [];
    for (let eof = false; !eof; ) {
      const read = await session.send('IO.read', { handle: stream });
      eof = read.eof;
      if (read.data) chunks.push(Buffer.from(read.data, read.base64Encoded ? 'base64' : 'utf8'));
    }
    await session.send('IO.close', { handle: stream }).catch(() => {});
    const file = join(tmpdir(), `legible-capture-raw-${process.pid}.mp4`);
    writeFileSync(file, Buffer.concat(chunks));
    const times = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    rmSync(file, { force: true });
    for (const t of times) take(String(t), from + t * 1000);
    bytes = Buffer.concat(chunks).length / 0.75;
  } else {
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) take((await session.send('Page.captureScreenshot', mode.params)).data);
  }
  const elapsed = (performance.now() - began) / 1000;
  const cpu = (cpuSeconds(browser.process().pid) - cpuBefore) / elapsed;
  const raf = ((await page.evaluate(() => window.__frames)) - rafBefore) / elapsed;
  const ticks = placedTicks(stamps, from, Date.now());
  return { fps: frames / elapsed, newestFps: ticks.newest / elapsed, placedFps: ticks.placed / elapsed, slotFps: slots.size / elapsed, distinctFps: distinct / elapsed, kb: frames ? bytes / frames / 1024 : 0, rafFps: raf, cpu, load: loadavg()[0] };
}

/**
 * Ticks of a video from `from` to `to` that show a change: each tick showing the newest frame
 * drawn by then (`newest`), and as Legible's encoder places the frames (`placed`).
 */
function placedTicks(stamps, from, to) {
  const sorted = [...stamps].sort((a, b) => a - b);
  const changes = (frames) => frames.filter((frame, i) => i === 0 || frame !== frames[i - 1]).length;
  const newest = [];
  for (let t = from, i = -1; t < to; t += SLOT_MS) {
    while (i + 1 < sorted.length && sorted[i + 1] <= t) i++;
    newest.push(Math.max(i, 0));
  }
  const ticks = new FrameTicks(SLOT_MS);
  ticks.startAt(from);
  sorted.forEach((at, i) => ticks.add(i, at));
  const placed = [];
  for (let frame = ticks.next(to); frame !== undefined; frame = ticks.next(to)) placed.push(frame);
  return sorted.length ? { newest: changes(newest), placed: changes(placed) } : { newest: 0, placed: 0 };
}

const results = Object.fromEntries(modes.map((m) => [m, []]));
try {
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  await page.goto(fixtures.url(flags.photo ? '/animated?photo' : '/animated'));
  await page.evaluate(() => {
    window.__frames = 0;
    const tick = () => {
      window.__frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const session = await page.createCDPSession();
  // beginFrame: only a browser started with --enable-begin-frame-control in the old headless mode has it.
  try {
    await session.send('HeadlessExperimental.enable');
    console.log('HeadlessExperimental: enabled');
  } catch (error) {
    console.log(`HeadlessExperimental: ${error.message.split('\n')[0]}`);
  }
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 ? [...modes].reverse() : modes;
    for (const name of order) {
      const r = await measure(page, session, MODES[name]);
      results[name].push(r);
      console.error(`rep ${rep + 1} ${name}: ${r.fps.toFixed(1)} fps, ${r.slotFps.toFixed(1)} ${SLOT_MS.toFixed(1)}-ms slots/s, ticks with a change ${r.newestFps.toFixed(1)}/s newest-by-tick, ${r.placedFps.toFixed(1)}/s placed by FrameTicks, ${r.kb.toFixed(0)} KB, page ${r.rafFps.toFixed(0)} rAF/s, browser CPU ${r.cpu.toFixed(2)} s/s, load ${r.load.toFixed(1)}`);
    }
  }
} finally {
  await browser.close();
  await fixtures.close();
}

console.log(`\nMedians over ${reps} reps of ${seconds} s (1-minute load average ${median(Object.values(results).flat().map((r) => r.load)).toFixed(1)}):`);
// Paired: each mode's slots against the first mode's in the same repetition (the same minutes).
const paired = (name) => median(results[name].map((r, i) => r.slotFps / results[modes[0]][i].slotFps));
console.log(`| Mode | frames/s | distinct/s | ${SLOT_MS.toFixed(1)} ms slots with a frame /s | same rep, vs ${modes[0]} | ticks with a change /s: newest by tick | placed by FrameTicks | KB/frame | page rAF/s | browser CPU s/s | load |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, rs] of Object.entries(results)) {
  const m = (k) => median(rs.map((r) => r[k]));
  console.log(`| ${name} | ${m('fps').toFixed(1)} | ${m('distinctFps').toFixed(1)} | ${m('slotFps').toFixed(1)} | ${paired(name).toFixed(2)}× | ${m('newestFps').toFixed(1)} | ${m('placedFps').toFixed(1)} | ${m('kb').toFixed(0)} | ${m('rafFps').toFixed(0)} | ${m('cpu').toFixed(2)} | ${m('load').toFixed(1)} |`);
}
