import { rename, rm, stat } from 'node:fs/promises';
import { LegibleError } from '../util/errors.js';
import { codecArgs, ffmpegReason, hasFilter, runFfmpeg, type FfmpegRun } from './ffmpeg.js';
import { SIGNATURE_BYTES, SIGNATURE_FILTER } from './frameSignature.js';
import { FrameTicks } from './frameTicks.js';

export type VideoFormat = 'mp4' | 'webm';

export interface EncoderOptions {
  path: string;
  fps: number;
  format: VideoFormat;
  /** Output width and height (made even); frames are scaled to fit, keeping their aspect ratio. */
  width: number;
  height: number;
  /**
   * Wall-clock ms where the video starts. The first frame is shown from here: the browser may
   * take a while to send it, and the video must still cover the whole recording.
   */
  startMs?: number;
  /**
   * Called with each frame of the video, in order, once ffmpeg has decoded it: the frame given,
   * its time from the video's start (ms) and its signature (frameSignature.ts), which ffmpeg
   * makes on the way. Change detection reads these instead of decoding each frame again: that
   * cost ~2.5 ms of CPU a frame with sharp, up to 60 frames a second, taken from the browser
   * while the agent acted (bench/recordingClick.mjs; docs/benchmarks.md).
   */
  onVideoFrame?: (frame: Buffer, atMs: number, signature: Uint8Array) => void;
}

export interface EncodedVideo {
  path: string;
  frames: number;
  /** Frames a viewer sees change (ffmpeg's mpdecimate); undefined when this ffmpeg lacks the filter. */
  distinctFrames?: number;
  durationMs: number;
  bytes: number;
  /**
   * How long finishing took: writing the frames still due, and ffmpeg encoding what it had not
   * yet. Long when the video is too big to encode in real time here: ffmpeg fell behind.
   */
  finishMs: number;
}


const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * Streams JPEG frames into ffmpeg at a constant frame rate, placing each frame by its own
 * timestamp (FrameTicks): a frame is repeated until the next one's time comes, so still periods
 * are held and the video plays in real time. Frames are written to ffmpeg's stdin as soon as
 * their tick is decided (a tick or two after they were drawn), not kept longer.
 * Writes to `<path>.partial` and renames on success, so a broken file never looks finished.
 */
export class VideoEncoder {
  private readonly run: FfmpegRun;
  private readonly interval: number;
  private readonly partial: string;
  private readonly ticks: FrameTicks<Buffer>;
  /** The newest frame given. */
  private latest: Buffer | undefined;
  private written = 0;
  /** Frames mpdecimate kept so far (one framecrc line each), or undefined when not counted. */
  private distinct: number | undefined;
  private failure: string | undefined;
  private finishing = false;
  /** Writes happen in order, each waiting for ffmpeg to drain, so memory stays bounded. */
  private chain: Promise<void> = Promise.resolve();
  /** Frames written whose signature has not come back yet (ffmpeg's lag: a few frames). */
  private readonly unsigned: { frame: Buffer; at: number }[] = [];

  constructor(private readonly options: EncoderOptions) {
    this.interval = 1000 / options.fps;
    this.ticks = new FrameTicks(this.interval);
    if (options.startMs !== undefined) this.ticks.startAt(options.startMs);
    this.partial = `${options.path}.partial`;
    const width = even(options.width);
    const height = even(options.height);
    const fit = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=white,setsar=1,format=yuv420p`;
    // What the viewer sees: a second output passes the same frames through mpdecimate, which
    // drops a frame that looks like the last one kept, and lists each kept frame on stdout
    // (framecrc). Counting here costs no second decoding of the video at stop.
    const counting = hasFilter('mpdecimate');
    this.distinct = counting ? 0 : undefined;
    // Each frame's signature, from the decoded frame before it is scaled, on file descriptor 3.
    const signing = options.onVideoFrame !== undefined;
    const graph = [
      ...(signing ? ['[0:v]split=2[source][sign]', `[sign]${SIGNATURE_FILTER}[signature]`] : []),
      `${signing ? '[source]' : '[0:v]'}${fit}${counting ? ',split=2[video][probe]' : '[video]'}`,
      ...(counting ? ['[probe]mpdecimate[distinct]'] : []),
    ];
    this.run = runFfmpeg(
      [
        '-y',
        // Frames are JPEGs of a known type: no probing, so ffmpeg encodes from the first frame on
        // (its default 5 MB probe held a still page's whole recording back until stop).
        '-probesize', '32', '-analyzeduration', '0',
        '-f', 'image2pipe', '-c:v', 'mjpeg', '-framerate', String(options.fps), '-i', '-',
        '-filter_complex', graph.join(';'), '-map', '[video]',
        '-r', String(options.fps),
        ...codecArgs(options.format, { live: true }),
        '-f', options.format,
        this.partial,
        ...(counting ? ['-map', '[distinct]', '-f', 'framecrc', 'pipe:1'] : []),
        ...(signing ? ['-map', '[signature]', '-f', 'rawvideo', 'pipe:3'] : []),
      ],
      { stdin: true, stdout: counting, side: signing, background: true },
    );
    if (signing) this.readSignatures(options.onVideoFrame!);
    if (counting) {
      let partialLine = '';
      this.run.process.stdout?.on('data', (chunk: Buffer) => {
        const lines = (partialLine + chunk.toString('latin1')).split('\n');
        partialLine = lines.pop() ?? '';
        for (const line of lines) if (line && !line.startsWith('#')) this.distinct!++;
      });
    }
    void this.run.done.then(({ code, signal, stderr }) => {
      if (code !== 0 && !this.finishing) this.failure = `ffmpeg stopped (${signal ?? `exit code ${code}`}): ${ffmpegReason(stderr)}`;
    });
  }

  /** Hands each signature ffmpeg writes to `onVideoFrame`, with the frame it was made of. */
  private readSignatures(onVideoFrame: NonNullable<EncoderOptions['onVideoFrame']>): void {
    let bytes: Buffer = Buffer.alloc(0);
    this.run.side?.on('error', () => undefined);
    this.run.side?.on('data', (chunk: Buffer) => {
      bytes = bytes.length ? Buffer.concat([bytes, chunk]) : chunk;
      while (bytes.length >= SIGNATURE_BYTES) {
        const signature = new Uint8Array(bytes.subarray(0, SIGNATURE_BYTES));
        bytes = bytes.subarray(SIGNATURE_BYTES);
        const shown = this.unsigned.shift();
        if (shown) onVideoFrame(shown.frame, shown.at, signature);
      }
    });
  }

  /** Sets where the video starts (wall-clock ms), unless a frame already did; returns it. */
  startAt(ms: number): number {
    return this.ticks.startAt(ms);
  }

  /** Why the encoder failed, if it did. */
  failed(): string | undefined {
    return this.failure;
  }

  /** Adds a frame drawn at `atMs` (wall-clock ms), shown until the next frame's time. Frames come in the order drawn. */
  addFrame(jpeg: Buffer, atMs: number): void {
    if (this.failure || this.finishing) return;
    this.latest = jpeg;
    this.ticks.add(jpeg, atMs);
    this.chain = this.chain.then(() => this.writeDecided());
  }

  /**
   * Called on a timer during still periods (the browser sends no frames while nothing changes):
   * writes the held frame up to a little before `nowMs`, so the work is spread out and stop
   * does not face a burst. The margin leaves room for frames that arrive late.
   */
  hold(nowMs: number, marginMs = 200): void {
    if (!this.latest || this.failure || this.finishing) return;
    this.ticks.knownUntil(nowMs - marginMs);
    this.chain = this.chain.then(() => this.writeDecided());
  }

  /** Writes every tick decided so far; with `endMs`, every tick before it. */
  private async writeDecided(endMs?: number): Promise<void> {
    while (!this.failure) {
      const frame = this.ticks.next(endMs);
      if (frame === undefined) return;
      await this.write(frame);
    }
  }

  private async write(frame: Buffer): Promise<void> {
    const stdin = this.run.process.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) {
      this.failure ??= 'ffmpeg closed its input';
      return;
    }
    if (this.options.onVideoFrame) this.unsigned.push({ frame, at: this.written * this.interval });
    this.written++;
    if (!stdin.write(frame)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stdin.off('drain', done);
          stdin.off('close', done);
          resolve();
        };
        stdin.on('drain', done);
        stdin.on('close', done);
      });
    }
  }

  /** Holds the last frame until `endMs`, closes the stream and waits for ffmpeg to finish. */
  async finish(endMs: number, timeoutMs = 30_000): Promise<EncodedVideo> {
    const began = Date.now();
    const last = this.latest;
    this.finishing = true;
    if (last) {
      await this.chain;
      await this.writeDecided(endMs);
      if (this.written === 0) await this.write(last);
    }
    const failedBefore = this.failure;
    this.run.process.stdin?.end();
    const timer = setTimeout(() => this.run.process.kill('SIGKILL'), timeoutMs);
    const { code, signal, stderr } = await this.run.done;
    clearTimeout(timer);
    if (failedBefore || code !== 0 || !this.latest) {
      await rm(this.partial, { force: true });
      const reason = failedBefore ?? (!this.latest ? 'no frame was captured' : `ffmpeg ${signal ?? `exit code ${code}`}: ${ffmpegReason(stderr)}`);
      throw new LegibleError(`The video could not be finished: ${reason}. No file was kept.`, 'Check that ffmpeg works (ffmpeg -version) and the output folder has space, then record again.');
    }
    await rename(this.partial, this.options.path);
    const { size } = await stat(this.options.path);
    return { path: this.options.path, frames: this.written, distinctFrames: this.distinct, durationMs: this.written * this.interval, bytes: size, finishMs: Date.now() - began };
  }

  /** Stops ffmpeg and removes the partial file. */
  async abort(): Promise<void> {
    this.finishing = true;
    this.run.process.kill('SIGKILL');
    await this.run.done;
    await rm(this.partial, { force: true });
  }
}
