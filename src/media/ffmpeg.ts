import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import type { Readable } from 'node:stream';
import { LegibleError } from '../util/errors.js';

let cached: string | null | undefined;
/** The FFMPEG_PATH already seen to run: each ffmpeg run asks again, and checking spawns ffmpeg synchronously. */
let checkedEnvPath: string | undefined;

function runs(path: string): boolean {
  try {
    return spawnSync(path, ['-hide_banner', '-version'], { timeout: 5_000 }).status === 0;
  } catch {
    return false;
  }
}

/**
 * Finds ffmpeg: FFMPEG_PATH, then the optional `ffmpeg-static` package (its binary download
 * fails on machines without general internet, so it may be absent), then `ffmpeg` on the PATH.
 */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFMPEG_PATH) {
    if (env.FFMPEG_PATH === checkedEnvPath) return checkedEnvPath;
    if (runs(env.FFMPEG_PATH)) return (checkedEnvPath = env.FFMPEG_PATH);
    throw new LegibleError(`FFMPEG_PATH points at ${env.FFMPEG_PATH}, which does not run.`, 'Point FFMPEG_PATH at a working ffmpeg binary, or unset it to use ffmpeg from the PATH.', { kind: 'environment' });
  }
  if (cached !== undefined && cached !== null) return cached;
  const candidates: string[] = [];
  try {
    const fromPackage = createRequire(import.meta.url)('ffmpeg-static') as string | null;
    if (fromPackage && existsSync(fromPackage)) candidates.push(fromPackage);
  } catch {
    // ffmpeg-static is optional
  }
  candidates.push('ffmpeg');
  cached = candidates.find(runs) ?? null;
  if (!cached) {
    throw new LegibleError(
      'Recording needs ffmpeg, and none was found (FFMPEG_PATH, the ffmpeg-static package, or ffmpeg on the PATH).',
      'Install it (Debian/Ubuntu: apt-get install -y ffmpeg; macOS: brew install ffmpeg) or set FFMPEG_PATH. The other tools work without it.',
      { kind: 'environment' },
    );
  }
  return cached;
}

const filters = new Map<string, boolean>();
/** Whether the ffmpeg in use has a filter (builds differ: mpdecimate, for one, needs a GPL build). */
export function hasFilter(name: string): boolean {
  const ffmpeg = findFfmpeg();
  const key = `${ffmpeg}\0${name}`;
  let known = filters.get(key);
  if (known === undefined) {
    const result = spawnSync(ffmpeg, ['-hide_banner', '-h', `filter=${name}`], { encoding: 'utf8', timeout: 5_000 });
    known = result.status === 0 && result.stdout.startsWith(`Filter ${name}`);
    filters.set(key, known);
  }
  return known;
}

/** ffprobe next to the ffmpeg in use, or on the PATH. */
export function findFfprobe(env: NodeJS.ProcessEnv = process.env): string {
  const ffmpeg = findFfmpeg(env);
  const sibling = ffmpeg.replace(/ffmpeg(\.exe)?$/, 'ffprobe$1');
  return sibling !== ffmpeg && existsSync(sibling) ? sibling : 'ffprobe';
}

/**
 * Encoder arguments for an output format. `live` is for encoding while recording: no lookahead
 * or B-frames, so each frame is encoded as it comes and finishing is quick.
 */
export function codecArgs(format: 'mp4' | 'webm', options: { live?: boolean } = {}): string[] {
  if (format === 'webm') return ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-b:v', '0', '-crf', '36'];
  return ['-c:v', 'libx264', '-preset', 'veryfast', ...(options.live ? ['-tune', 'zerolatency'] : []), '-crf', '26', '-movflags', '+faststart'];
}

export interface FfmpegRun {
  process: ChildProcess;
  /** File descriptor 3 of ffmpeg (`pipe:3`), when asked for: a second stream of output beside stdout. */
  side?: Readable;
  /** Resolves with the exit code (or the signal's name) once ffmpeg has exited. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const OUTPUT_WRITE_ERROR = /Error writing trailer|Error closing file|No space left on device|Disk quota exceeded|Input\/output error/i;
const ROOT_CAUSE = /No space left on device|Disk quota exceeded|Input\/output error|Permission denied|Read-only file system|No such file or directory|Invalid data found|moov atom not found/i;

/**
 * The line of ffmpeg's error output that says why it failed: the root cause if it named one, else
 * its last word; cut to 300 characters (a filter graph in a line can be thousands).
 */
export function ffmpegReason(stderr: string): string {
  const lines = stderr.trim().split('\n').map((line) => line.trim()).filter(Boolean);
  const line = lines.find((candidate) => ROOT_CAUSE.test(candidate)) ?? lines.at(-1) ?? 'no error output';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** What to do when a recording's video cannot be read. */
const UNREADABLE_VIDEO = 'The video may be cut short or not a video at all: record it again (record start, then stop).';

/**
 * The niceness of an ffmpeg that encodes while the agent acts (a recording): when the CPUs are
 * busy, the browser and Legible go first and ffmpeg catches up after, from the frames waiting in
 * its pipe (0.95× the click's slowdown from recording, in paired rounds on 2 cores:
 * bench/recordingClick.mjs, docs/benchmarks.md). The cost: on a machine loaded by others, stop
 * may wait longer for ffmpeg to catch up.
 */
const BACKGROUND_NICENESS = 10;

/**
 * Starts ffmpeg with the given arguments; stderr is kept (bounded) for error messages. With
 * `stdout`, its standard output is a pipe for the caller to read; with `side`, so is its file
 * descriptor 3. `background` lowers its CPU priority (BACKGROUND_NICENESS), set before it reads
 * its first input, so every thread it starts inherits it.
 */
export function runFfmpeg(args: string[], options: { stdin?: boolean; stdout?: boolean; side?: boolean; background?: boolean } = {}): FfmpegRun {
  const base = ['-hide_banner', '-loglevel', 'error', ...(options.stdin ? [] : ['-nostdin'])];
  const child = spawn(findFfmpeg(), [...base, ...args], {
    stdio: [options.stdin ? 'pipe' : 'ignore', options.stdout ? 'pipe' : 'ignore', 'pipe', ...(options.side ? ['pipe' as const] : [])],
  });
  if (options.background && child.pid !== undefined) {
    try {
      setPriority(child.pid, BACKGROUND_NICENESS);
    } catch {
      // not allowed here: it runs at the usual priority
    }
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('error', (error) => resolve({ code: -1, signal: null, stderr: `${stderr}\n${error.message}` }));
    // ffmpeg 5 exits 0 even when it could not write the end of the file (a full disk leaves an MP4
    // without its index): such a run counts as failed.
    child.on('close', (code, signal) => resolve({ code: code === 0 && OUTPUT_WRITE_ERROR.test(stderr) ? 1 : code, signal, stderr }));
  });
  child.stdin?.on('error', () => undefined);
  return { process: child, done, side: options.side ? (child.stdio[3] as Readable) : undefined };
}

export interface ProbeResult {
  durationSec: number;
  frames: number;
  fps: number;
  width: number;
  height: number;
  codec: string;
}

/** Reads duration, frame count, frame rate and size of a video with ffprobe. */
export function probeVideo(path: string): ProbeResult {
  const result = spawnSync(
    findFfprobe(),
    ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=codec_name,width,height,r_frame_rate,nb_read_packets:format=duration', '-of', 'json', path],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (result.status !== 0) throw new LegibleError(`ffprobe could not read ${path}: ${ffmpegReason(result.stderr ?? '')}`, UNREADABLE_VIDEO);
  const parsed = JSON.parse(result.stdout) as {
    streams: { codec_name: string; width: number; height: number; r_frame_rate: string; nb_read_packets: string }[];
    format: { duration: string };
  };
  const stream = parsed.streams[0];
  if (!stream) throw new LegibleError(`${path} has no video stream.`, UNREADABLE_VIDEO);
  const [num, den] = stream.r_frame_rate.split('/').map(Number) as [number, number];
  return {
    durationSec: Number(parsed.format.duration),
    frames: Number(stream.nb_read_packets),
    fps: den ? num / den : num,
    width: stream.width,
    height: stream.height,
    codec: stream.codec_name,
  };
}
