import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupOf, killBrowser, useLegible } from '../helpers/e2e.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

function probe(path: string) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,r_frame_rate,nb_read_frames:format=duration', '-of', 'json', path], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as { streams: { codec_name: string; width: number; height: number; r_frame_rate: string; nb_read_frames: string }[]; format: { duration: string } };
  const stream = parsed.streams[0]!;
  const [num, den] = stream.r_frame_rate.split('/').map(Number) as [number, number];
  return { codec: stream.codec_name, width: stream.width, height: stream.height, fps: num / den, frames: Number(stream.nb_read_frames), duration: Number(parsed.format.duration) };
}

/** One frame of a video as a PNG. */
function frameAt(path: string, at: number): Promise<Buffer> {
  return Promise.resolve(execFileSync('ffmpeg', ['-v', 'error', '-ss', at.toFixed(2), '-i', path, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-']));
}

/** Mean absolute pixel difference of two images of the same size. */
async function imageDifference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((image) => sharp(image).greyscale().raw().toBuffer()));
  let sum = 0;
  for (let i = 0; i < x!.length; i++) sum += Math.abs(x![i]! - y![i]!);
  return sum / x!.length;
}

/** Whether this machine lets the tests mount a small tmpfs (root in a container usually may) to fill a disk. */
function canMountTmpfs(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'legible-mount-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `body` against a Legible server of its own whose output folder is a fresh temporary one, removed after. */
async function withOwnServer(prefix: string, body: (legible: LegibleClient, out: string) => Promise<void>): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), `legible-${prefix}-`));
  const legible = await startLegible(['--output-dir', out]);
  try {
    await body(legible, out);
  } finally {
    await legible.close();
    rmSync(out, { recursive: true, force: true });
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Frames of a video that differ from the one before, as ffmpeg's mpdecimate sees them. */
function distinctFrames(path: string): number {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-an', '-vf', 'mpdecimate', '-f', 'framecrc', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\n').filter((line) => line && !line.startsWith('#')).length;
}

/** The left edge of the red box (#d1242f) in a frame of animated.html, in pixels. */
async function boxLeft(frame: Buffer): Promise<number> {
  const { data, info } = await sharp(frame).raw().toBuffer({ resolveWithObject: true });
  const y = 180;
  for (let x = 0; x < info.width; x++) {
    const i = (y * info.width + x) * info.channels;
    if (data[i]! > 170 && data[i + 1]! < 90 && data[i + 2]! < 90) return x;
  }
  throw new Error('no red box in the frame');
}

/** Mean absolute pixel difference of two regions of an image. */
async function regionDifference(image: Buffer, a: { left: number; top: number }, b: { left: number; top: number }, size: { width: number; height: number }): Promise<number> {
  const grab = (at: { left: number; top: number }) => sharp(image).extract({ ...at, ...size }).greyscale().raw().toBuffer();
  const [x, y] = await Promise.all([grab(a), grab(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}

describe('recording', () => {
  const e2e = useLegible({ outputDir: 'rec' });

  /** The ticks of a video at `fps` (33.3 ms at 30), between two wall-clock times, in which animated.html drew at least one frame. */
  const paintedTicks = async (from: number, to: number, fps: number) =>
    Number(groupOf(await e2e.call('evaluate', { function: `() => new Set(window.paints.filter((t) => t >= ${from} && t <= ${to}).map((t) => Math.floor(t * ${fps} / 1000))).size` }), /(\d+)/));

  it('records an animated page in real time at 30 fps by default: the video shows the motion as the page painted it, and stop says how many frames differ', async () => {
    await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/animated.html` });
    const before = Date.now();
    const start = await e2e.legible.call('record', { action: 'start', label: 'anim' });
    const started = Date.now();
    expect(start.isError, start.text).toBe(false);
    expect(start.text).toContain('1280×720, 30 fps, mp4');
    await wait(3_000);
    const stopping = Date.now();
    const stop = await e2e.legible.call('record', { action: 'stop' });
    const stopped = Date.now();
    expect(stop.isError, stop.text).toBe(false);
    const video = groupOf(stop.text, /Video: (.+\.mp4)/);
    expect(video.startsWith(e2e.outputDir)).toBe(true);
    expect(stop.text).toMatch(/\d+ frames at 30 fps, /);
    const info = probe(video);
    expect(info.codec).toBe('h264');
    expect(info.fps).toBe(30);
    expect(info.width % 2).toBe(0);
    expect(info.height % 2).toBe(0);
    expect([info.width, info.height]).toEqual([1280, 720]);
    // The video covers the time between the two calls: no slow motion, no fast forward.
    expect(info.duration).toBeGreaterThanOrEqual((stopping - started) / 1000 - 0.1);
    expect(info.duration).toBeLessThanOrEqual((stopped - before) / 1000 + 0.1);
    expect(Math.abs(info.frames - info.duration * 30)).toBeLessThanOrEqual(2);

    // What the viewer sees: frames that differ from the one before (mpdecimate, counted here
    // independently of Legible), against what the page itself painted meanwhile: the 33.3 ms
    // ticks of a 30 fps video in which the page drew at least one frame.
    const distinct = distinctFrames(video);
    // stop's figure is counted as the video is encoded; within a frame or two of the file's.
    expect(Math.abs(Number(groupOf(stop.text, /(\d+) of them distinct \(/)) - distinct)).toBeLessThanOrEqual(2);
    const painted = await paintedTicks(started, stopping, 30);
    const perSecond = distinct / info.duration;
    const paintedPerSecond = painted / ((stopping - started) / 1000);
    // Thresholds from measurement (bench/capture-e2e.mjs: 3 s of this kind of page, 2 cores, load
    // average 17–28 from other engineers' test suites, 33 recordings): the video held 0.59–1.03×
    // the ticks the page painted in (median 0.88; the recorder before this check 0.50–0.88×,
    // median 0.71, when it placed frames on arrival rather than when they were drawn), 9–24
    // distinct frames a second, at 25 fps; at 30 fps (6 recordings of 5 s, load 15–17) 0.76–1.01×
    // (median 0.94), 19–26 a second. On a quiet machine the page paints in all 30 ticks a second.
    // Below half the painted ticks the recorder is losing what the page drew (the load does not
    // explain that: it slows the page too); below 3 a second the video shows no motion at all.
    expect(perSecond, `${distinct} distinct frames in ${info.duration} s; the page painted in ${painted} ticks`).toBeGreaterThanOrEqual(Math.max(3, 0.5 * paintedPerSecond));

    // Timing inside the video: the box moves 300 px/s, so between 0.5 s and 2.5 s of the video it
    // moved 600 px (modulo its 1100 px loop) when frames show when they were drawn. A frame is at
    // most one stall late (about 0.25 s seen under load): ±0.4 s, ±120 px.
    const [x1, x2] = await Promise.all([0.5, 2.5].map(async (at) => boxLeft(await frameAt(video, at))));
    const moved = (((x2! - x1!) % 1100) + 1100) % 1100;
    expect(moved, `box at ${x1} px then ${x2} px`).toBeGreaterThan(480);
    expect(moved, `box at ${x1} px then ${x2} px`).toBeLessThan(720);

    expect(stop.images).toHaveLength(1);
    const meta = await sharp(stop.images[0]!.data).metadata();
    expect(meta.width).toBeGreaterThan(600);
    expect(stop.links.some((link) => link.uri.endsWith('.mp4'))).toBe(true);
    expect(existsSync(groupOf(stop.text, /Filmstrip: (\S+\.webp)/))).toBe(true);
  });

  it('shows the state change in the filmstrip and lists the actions with their times', async () => {
    await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/shop.html` });
    const snapshot = await e2e.legible.call('snapshot');
    await e2e.legible.call('record', { action: 'start', label: 'search' });
    await e2e.legible.call('type', { ref: groupOf(snapshot.text, /searchbox "Search products" \[ref=(e\d+)\]/), text: 'shoes' });
    const click = await e2e.legible.call('click', { ref: groupOf(snapshot.text, /button "Search" \[ref=(e\d+)\]/) });
    expect(click.text).toContain('Red shoes');
    await wait(300);
    const stop = await e2e.legible.call('record', { action: 'stop' });
    expect(stop.isError, stop.text).toBe(false);
    expect(stop.text).toMatch(/\d+\.\d s Typing "shoes" into searchbox "Search products"/);
    expect(stop.text).toMatch(/\d+\.\d s Clicking button "Search"/);
    const moments = Number(groupOf(stop.text, /\((\d+) moments\)/));
    expect(moments).toBeGreaterThanOrEqual(2);
    // First tile (empty results) and last tile (result cards) differ: tiles are 320 px wide, 180 px tall.
    const sheet = stop.images[0]!.data;
    const columns = Math.ceil(moments / Math.ceil(moments / 4));
    const lastColumn = (moments - 1) % columns;
    const lastRow = Math.floor((moments - 1) / columns);
    const difference = await regionDifference(sheet, { left: 0, top: 0 }, { left: lastColumn * 326, top: lastRow * 226 }, { width: 320, height: 180 });
    expect(difference).toBeGreaterThan(1);
  });

  it('compares before and after side by side, in step action by action, with a two-row filmstrip', async () => {
    for (const [label, query] of [
      ['before', 'zzz'],
      ['after', 'shoes'],
    ] as const) {
      await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/shop.html` });
      const snapshot = await e2e.legible.call('snapshot');
      await e2e.legible.call('record', { action: 'start', label });
      await e2e.legible.call('type', { ref: groupOf(snapshot.text, /searchbox "Search products" \[ref=(e\d+)\]/), text: query });
      await e2e.legible.call('click', { ref: groupOf(snapshot.text, /button "Search" \[ref=(e\d+)\]/) });
      await wait(label === 'before' ? 300 : 900);
      const stop = await e2e.legible.call('record', { action: 'stop' });
      expect(stop.isError, stop.text).toBe(false);
    }
    const compare = await e2e.legible.call('record', { action: 'compare' });
    expect(compare.isError, compare.text).toBe(false);
    expect(compare.text).toContain('Kept in step at each of the 2 actions');
    const video = groupOf(compare.text, /Video: (.+\.mp4)/);
    const info = probe(video);
    expect([info.width, info.height]).toEqual([1920, 628]);
    expect(info.fps).toBe(30);
    const sheet = await sharp(compare.images[0]!.data).metadata();
    // Two rows of tiles (each 135 px + 40 px caption) and a label column.
    expect(sheet.height).toBe(2 * 175 + 6);
    // The left half is labelled "before", the right "after": the label bars differ in colour.
    const frame = execFileSync('ffmpeg', ['-v', 'error', '-ss', '0.5', '-i', video, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-']);
    const { data, info: raw } = await sharp(frame).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => Array.from(data.subarray((y * raw.width + x) * raw.channels, (y * raw.width + x) * raw.channels + 3));
    expect(pixel(900, 5)).not.toEqual(pixel(1860, 5));

    // A server started later on the same output folder still lists the comparison as resources.
    const later = await startLegible(['--output-dir', e2e.outputDir]);
    try {
      const { resources } = await later.client.listResources();
      const names = resources.map((resource) => resource.name);
      expect(names).toContain(basename(video));
      expect(names).toContain(basename(video).replace(/\.mp4$/, '.filmstrip.webp'));
      expect(resources.find((resource) => resource.name === basename(video))!.description).toBe('Side-by-side video: before vs after');
      const read = await later.client.readResource({ uri: `legible://recordings/${basename(video)}` });
      expect((read.contents[0] as { blob: string }).blob.length).toBeGreaterThan(1000);
    } finally {
      await later.close();
    }
  });

  it('records WebM with burned-in captions, and lists recordings as readable MCP resources', async () => {
    await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/animated.html` });
    const snapshot = await e2e.legible.call('snapshot');
    await e2e.legible.call('record', { action: 'start', label: 'webm', format: 'webm', captions: true });
    await e2e.legible.call('click', { ref: groupOf(snapshot.text, /button "Toggle colour" \[ref=(e\d+)\]/) });
    await wait(1_500);
    const stop = await e2e.legible.call('record', { action: 'stop' });
    expect(stop.isError, stop.text).toBe(false);
    const video = groupOf(stop.text, /Video: (.+\.webm)/);
    const info = probe(video);
    expect(info.codec).toBe('vp9');
    expect(info.duration).toBeGreaterThan(1.4);
    // The caption bar is drawn at the bottom-left while the click's caption shows: dark box pixels.
    const frame = execFileSync('ffmpeg', ['-v', 'error', '-ss', '0.6', '-i', video, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-']);
    const { data, info: raw } = await sharp(frame).greyscale().raw().toBuffer({ resolveWithObject: true });
    const y = raw.height - 30;
    let dark = 0;
    for (let x = 10; x < 300; x++) if (data[y * raw.width + x]! < 128) dark++;
    expect(dark).toBeGreaterThan(100);

    const link = stop.links.find((l) => l.uri.startsWith('legible://recordings/'));
    expect(link?.uri).toMatch(/\.webm$/);
    const listed = await e2e.legible.client.listResources();
    const uris = listed.resources.map((resource) => resource.uri);
    expect(uris).toContain(link!.uri);
    expect(uris.some((uri) => uri.endsWith('.filmstrip.webp'))).toBe(true);
    const read = await e2e.legible.client.readResource({ uri: link!.uri });
    const blob = (read.contents[0] as { blob: string }).blob;
    expect(Buffer.from(blob, 'base64').subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
  });

  it('makes odd sizes even, with square pixels', async () => {
    await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/animated.html` });
    await e2e.legible.call('record', { action: 'start', label: 'odd', size: '1001x601' });
    await wait(400);
    const stop = await e2e.legible.call('record', { action: 'stop' });
    const video = groupOf(stop.text, /Video: (.+\.mp4)/);
    const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height,sample_aspect_ratio', '-of', 'csv=p=0', video], { encoding: 'utf8' }).trim();
    expect(out).toBe('1002,602,1:1');
  });

  it('records at up to 60 fps when asked (the browser hands over more frames than 30 a second), and refuses more', async () => {
    await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/animated.html` });
    const start = await e2e.legible.call('record', { action: 'start', label: 'fast', fps: 60 });
    expect(start.isError, start.text).toBe(false);
    expect(start.text).toContain(', 60 fps, mp4');
    await wait(1_000);
    const stop = await e2e.legible.call('record', { action: 'stop' });
    expect(stop.isError, stop.text).toBe(false);
    expect(stop.text).toMatch(/\d+ frames at 60 fps, /);
    const info = probe(groupOf(stop.text, /Video: (.+\.mp4)/));
    expect(info.fps).toBe(60);
    expect(Math.abs(info.frames - info.duration * 60)).toBeLessThanOrEqual(2);
    const over = await e2e.legible.call('record', { action: 'start', fps: 61 });
    expect(over.isError).toBe(true);
    expect(over.text).toContain('"fps" must be at most 60 (got 61)');
  });

  it('keeps square pixels at device scale factor 2, letterboxed into the video size', async () => {
    const file = join(e2e.outputDir, 'dsf2.json');
    writeFileSync(
      file,
      JSON.stringify({
        title: 'dsf 2',
        steps: [
          { type: 'setViewport', width: 800, height: 600, deviceScaleFactor: 2, isMobile: false, hasTouch: false, isLandscape: true },
          { type: 'navigate', url: 'data:text/html,<body style="margin:40px"><div style="width:120px;height:120px;background:%23d1242f"></div>' },
          { type: 'waitForExpression', expression: 'new Promise((done) => setTimeout(() => done(true), 300))' },
        ],
      }),
    );
    const run = await e2e.legible.call('journey', { action: 'run', journey: file, record: 'dsf2' });
    expect(run.isError, run.text).toBe(false);
    const video = groupOf(run.text, /(\S+dsf2\S*\.mp4)/);
    const info = probe(video);
    expect([info.width, info.height]).toEqual([1280, 720]);
    expect(info.fps).toBe(30);
    // The 120×120 CSS px box is square in the video: no stretching from the 2x frames.
    const { data, info: raw } = await sharp(await frameAt(video, info.duration - 0.1)).raw().toBuffer({ resolveWithObject: true });
    let [left, right, top, bottom] = [raw.width, -1, raw.height, -1];
    for (let y = 0; y < raw.height; y++) {
      for (let x = 0; x < raw.width; x++) {
        const i = (y * raw.width + x) * raw.channels;
        if (data[i]! > 170 && data[i + 1]! < 80 && data[i + 2]! < 80) [left, right, top, bottom] = [Math.min(left, x), Math.max(right, x), Math.min(top, y), Math.max(bottom, y)];
      }
    }
    const [width, height] = [right - left + 1, bottom - top + 1];
    expect(height, 'the red box should be in the frame').toBeGreaterThan(50);
    expect(Math.abs(width - height)).toBeLessThanOrEqual(Math.ceil(height * 0.05));
  });

  it('explains the faults: double start, stop without start, unknown recording, bad label', async () => {
    await e2e.legible.call('navigate', { url: `${e2e.fixtures.url}/shop.html` });
    const none = await e2e.legible.call('record', { action: 'stop' });
    expect(none.isError).toBe(true);
    expect(none.text).toContain('Nothing is recording');
    await e2e.legible.call('record', { action: 'start', label: 'twice' });
    const again = await e2e.legible.call('record', { action: 'start', label: 'twice-again' });
    expect(again.isError).toBe(true);
    expect(again.text).toContain('already recording');
    expect((await e2e.legible.call('record', { action: 'stop' })).isError).toBe(false);
    const missing = await e2e.legible.call('record', { action: 'compare', a: 'no-such-recording', b: 'after' });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain('There is no recording "no-such-recording"');
    const bad = await e2e.legible.call('record', { action: 'start', label: '../escape' });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/label/i);
  });

  it('keeps a clearly marked partial video when the page closes mid-recording', async () => {
    const opened = await e2e.legible.call('pages', { action: 'new', url: `${e2e.fixtures.url}/animated.html` });
    const id = groupOf(opened.text, /Opened (p\d+)/);
    await e2e.legible.call('record', { action: 'start', label: 'closing', page: id });
    await wait(800);
    const next = await e2e.legible.call('pages', { action: 'close', id });
    expect(next.text).toMatch(/Notice: Recording "closing" stopped because its page closed; the partial video is at (\S+\.mp4)/);
    const video = groupOf(next.text, /partial video is at (\S+\.mp4)/);
    expect(probe(video).duration).toBeGreaterThan(0.5);
  });
});

describe('recording faults with ffmpeg', () => {
  let fixtures: FixtureServer;
  beforeAll(async () => {
    fixtures = await startFixtureServer();
  });
  afterAll(async () => {
    await fixtures?.close();
  });

  it('says how to install ffmpeg when there is none, and the other tools keep working', async () => {
    const legible = await startLegible([], { FFMPEG_PATH: '/nonexistent/ffmpeg' });
    try {
      await legible.call('navigate', { url: `${fixtures.url}/shop.html` });
      const start = await legible.call('record', { action: 'start' });
      expect(start.isError).toBe(true);
      expect(start.text).toContain('FFMPEG_PATH');
      const snapshot = await legible.call('snapshot');
      expect(snapshot.isError).toBe(false);
      expect(snapshot.text).toContain('Tiny Shop');
    } finally {
      await legible.close();
    }
  });

  it('reports ffmpeg killed mid-recording and keeps no broken file', async () => {
    await withOwnServer('kill', async (legible, out) => {
      await legible.call('navigate', { url: `${fixtures.url}/animated.html` });
      await legible.call('record', { action: 'start', label: 'killed' });
      await wait(500);
      const ffmpeg = execFileSync('pgrep', ['-f', `${out}/killed`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
      expect(ffmpeg.length).toBeGreaterThan(0);
      for (const pid of ffmpeg) process.kill(Number(pid), 'SIGKILL');
      await wait(300);
      const stop = await legible.call('record', { action: 'stop' });
      expect(stop.isError).toBe(true);
      expect(stop.text).toContain('No file was kept');
      expect(readdirSync(out).filter((name) => name.endsWith('.mp4') || name.endsWith('.partial'))).toEqual([]);
      expect((await legible.call('snapshot')).isError).toBe(false);
    });
  });

  it('keeps recording across navigations, same site and cross site', async () => {
    await withOwnServer('nav', async (legible) => {
      await legible.call('navigate', { url: `${fixtures.url}/animated.html` });
      await legible.call('record', { action: 'start', label: 'moving' });
      await wait(600);
      expect((await legible.call('navigate', { url: `${fixtures.url}/shop.html` })).isError).toBe(false);
      await wait(600);
      // localhost is another site than 127.0.0.1: Chromium moves the tab to a new renderer process.
      const crossSite = `${fixtures.url.replace('127.0.0.1', 'localhost')}/animated.html`;
      expect((await legible.call('navigate', { url: crossSite })).isError).toBe(false);
      await wait(1_000);
      const stop = await legible.call('record', { action: 'stop' });
      expect(stop.isError, stop.text).toBe(false);
      expect(stop.text).not.toContain('Partial');
      expect(stop.text).toMatch(/s Opening .*\/shop\.html\n\s+\d+\.\d s Opening .*localhost.*\/animated\.html/);
      const path = groupOf(stop.text, /Video: (\S+\.mp4)/);
      const video = probe(path);
      expect(video.duration).toBeGreaterThan(1.8);
      // Frames kept coming from the new renderer: the picture changes after the cross-site
      // navigation (a screencast that stopped there would have held one frame to the end).
      const crossSiteAt = Number(groupOf(stop.text, /(\d+\.\d) s Opening http:\/\/localhost/));
      const [early, last] = await Promise.all([frameAt(path, crossSiteAt + 0.1), frameAt(path, video.duration - 0.05)]);
      expect(await imageDifference(early, last)).toBeGreaterThan(0.5);
    });
  });

  it('returns the partial video from record_stop when the browser crashed mid-recording', async () => {
    await withOwnServer('crash', async (legible, out) => {
      await legible.call('navigate', { url: `${fixtures.url}/animated.html` });
      await legible.call('record', { action: 'start', label: 'crashed' });
      await wait(800);
      expect((await killBrowser(legible.pid()!)).length).toBeGreaterThan(0);
      const stop = await legible.call('record', { action: 'stop' });
      expect(stop.isError, stop.text).toBe(false);
      expect(stop.text).toMatch(/Notice: .*browser.*(crashed|closed).*launched a new one/);
      expect(stop.text).toMatch(/Partial: page p\d+ closed during the recording/);
      expect(stop.images).toHaveLength(1);
      expect(stop.text).toMatch(/^Page p\d+ is not recording; here is recording "crashed", which its page's closing cut short\./m);
      const video = probe(groupOf(stop.text, /Video: (\S+\.mp4)/));
      expect(video.duration).toBeGreaterThan(0.2);
      expect(readdirSync(out).filter((name) => name.endsWith('.partial'))).toEqual([]);
      // Handed over once; the new browser works and can record again.
      const again = await legible.call('record', { action: 'stop' });
      expect(again.isError).toBe(true);
      expect(again.text).toContain('Nothing is recording');
      await legible.call('navigate', { url: `${fixtures.url}/animated.html` });
      expect((await legible.call('record', { action: 'start', label: 'after-crash' })).isError).toBe(false);
      await wait(300);
      expect((await legible.call('record', { action: 'stop' })).isError).toBe(false);
    });
  });

  it.skipIf(!canMountTmpfs())('says when the output folder is full, and keeps no broken file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'legible-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', out]);
    const legible = await startLegible(['--output-dir', out]);
    try {
      await legible.call('navigate', { url: `${fixtures.url}/animated.html` });
      expect((await legible.call('record', { action: 'start', label: 'full' })).isError).toBe(false);
      // Long enough for ffmpeg to have begun the file, which then cannot be finished.
      await wait(1_000);
      // Fill the disk while it records (dd stops with "No space left on device").
      spawnSync('dd', ['if=/dev/zero', `of=${join(out, 'filler')}`, 'bs=64k']);
      await wait(500);
      const stop = await legible.call('record', { action: 'stop' });
      expect(stop.isError, stop.text).toBe(true);
      expect(stop.text).toContain('No space left on device');
      expect(stop.text).toContain('No file was kept');
      expect(stop.text).toMatch(/^Next: .*space/m);
      // ffmpeg 5 exits 0 with an MP4 that has no index: nothing of the kind may be left looking finished.
      expect(readdirSync(out)).toEqual(['filler']);

      // Removing the broken video freed its space: fill that too.
      spawnSync('dd', ['if=/dev/zero', `of=${join(out, 'filler-2')}`, 'bs=4k']);
      const start = await legible.call('record', { action: 'start', label: 'again' });
      expect(start.isError).toBe(true);
      expect(start.text).toMatch(/has only .* free, too little to record/);
      expect(start.text).toContain('--output-dir');
      const shot = await legible.call('screenshot', { path: 'shot.png' });
      expect(shot.isError).toBe(true);
      expect(shot.text).toMatch(/Could not save the screenshot .*no space left/i);
      const save = await legible.call('journey', { action: 'save', name: 'full' });
      expect(save.isError).toBe(true);
      expect(save.text).toMatch(/^Next: .*space/m);
      expect((await legible.call('snapshot')).isError).toBe(false);
    } finally {
      await legible.close();
      execFileSync('umount', [out]);
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('gives a clear error for a read-only output folder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'legible-ro-'));
    const locked = join(out, 'locked');
    execFileSync('mkdir', [locked]);
    chmodSync(locked, 0o500);
    const legible = await startLegible(['--output-dir', locked]);
    // root ignores permission bits, so make the folder a file instead once the server runs (it
    // refuses a file at start): nothing can be created inside.
    rmSync(locked, { recursive: true });
    execFileSync('touch', [locked]);
    try {
      await legible.call('navigate', { url: `${fixtures.url}/shop.html` });
      const start = await legible.call('record', { action: 'start' });
      expect(start.isError).toBe(true);
      expect(start.text).toMatch(/output folder/i);
      expect(start.text).toMatch(/writable|A file stands where a folder should be/);
    } finally {
      await legible.close();
      rmSync(out, { recursive: true, force: true });
    }
  });
});
