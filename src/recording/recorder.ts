import type { PageDriver } from '../cdp/pageDriver.js';
import { frameSignature, isBlankSignature, signatureDistance } from '../media/frameSignature.js';
import { VideoEncoder, type EncodedVideo, type VideoFormat } from '../media/videoEncoder.js';
import { logDebug } from '../util/log.js';
import { KeyFrames, type KeyFrame } from './keyFrames.js';

export interface RecorderOptions {
  label: string;
  path: string;
  fps: number;
  format: VideoFormat;
  width: number;
  height: number;
  /** Burn the actions' captions into the video when it is finished. */
  captions: boolean;
  /**
   * Start the video at the first frame that is not a blank page (a recording begun on a fresh
   * tab shows about:blank until the first page paints). The time skipped is reported.
   */
  skipBlankStart?: boolean;
}

interface ScreencastFrame {
  data: string;
  sessionId: number;
  metadata: { timestamp?: number; deviceWidth: number; deviceHeight: number };
}

/**
 * How the browser hands frames over (Page.startScreencast): JPEG at quality 85, at 3/4 of the
 * video's size (ffmpeg scales the frames up to it). Chosen by measurement on this 2-core machine
 * under load (bench/capture-raw.mjs, bench/capture-e2e.mjs; figures in docs/benchmarks.md,
 * "Recording: capture paths"): the browser's cost per frame grows with its pixels, and at 3/4
 * size it paints and sends more frames, so the video holds more distinct ones (1.1–1.4× in
 * pairs measured in the same minutes), while 13 px text stays readable. PNG was no faster at
 * the same size on a plain page and 3× slower on a page with pictures (1.8 MB a frame); lower
 * JPEG quality gained nothing measurable; everyNthFrame > 1 and acknowledging frames late both
 * lose the last change before a still period (the browser never sends it); Page.captureScreenshot
 * in a loop gave 10 frames/s; HeadlessExperimental.beginFrame does not exist in this headless mode.
 */
export const CAPTURE = { format: 'jpeg', quality: 85, scale: 0.75 } as const;

/**
 * A video's frame rate unless asked otherwise, and the most it may be. The browser hands over
 * 45-55 frames a second of an animated page on this 2-core machine (bench/capture-raw.mjs, load
 * 11-13), so most ticks of a 30 fps video get a new frame: 25.3 distinct frames a second against
 * 21.5 at 25 fps (bench/capture-e2e.mjs, paired, load 16; 29.6 at load 7), for 12 % more ffmpeg
 * CPU and 11 % more bytes. 60 fps showed 1.8× the distinct frames of 30 for twice ffmpeg's CPU
 * and 1.5× the bytes: worth it only when motion matters, so it is asked for, not the default.
 */
export const DEFAULT_FPS = 30;
export const MAX_FPS = 60;

export interface RecordingResult extends EncodedVideo {
  /** Wall-clock time of the video's first frame: the recording's start, or the first paint (skipBlankStart). */
  startedAt: number;
  endedAt: number;
  /** Time from the recording's start to the video's first frame, when blank frames were skipped. */
  blankLeadMs: number;
  keyFrames: KeyFrame[];
  /** Frames the browser sent (the rest of the video's frames repeat them). */
  sourceFrames: number;
  /** Something that cut the recording short (the page closed, the browser went away). */
  interruption?: string;
}

interface Frame {
  image: Buffer;
  at: number;
}

/**
 * Records one page: CDP screencast frames (each acknowledged at once so the browser keeps
 * sending) go to a VideoEncoder, and each frame of the video, with the signature ffmpeg made of
 * it, to change detection for the filmstrip. Frame handling runs on CDP events, off the
 * tool-call path.
 */
export class Recorder {
  /** Wall-clock time the capture began (set as the screencast is asked for, after ffmpeg was started). */
  startedAt = Date.now();
  /** The page's URL when the recording started. */
  readonly startUrl: string;
  private readonly encoder: VideoEncoder;
  private readonly keyFrames = new KeyFrames();
  private readonly offs: (() => void)[] = [];
  private readonly holdTimer: NodeJS.Timeout;
  private sourceFrames = 0;
  private clockOffset: number | undefined;
  /** The browser's timestamp of the newest frame used, in ms. */
  private lastStamp = -Infinity;
  /** Wall-clock time of the video's first frame; undefined while blank leading frames are skipped. */
  private origin: number | undefined;
  /** While skipping blank leading frames: one is being checked, the newest waiting one, the last blank one. */
  private checking = false;
  private waiting: Frame | undefined;
  private lastBlank: Frame | undefined;
  /** Whether the encoder has been given a frame. */
  private shown = false;
  /** The signature of the video's last frame so far. */
  private lastSignature: Uint8Array | undefined;
  private interruption: string | undefined;

  private constructor(
    private readonly page: PageDriver,
    readonly options: RecorderOptions,
  ) {
    this.startUrl = page.url();
    // The timeline starts with the capture (start), or at the first frame given when blank frames are skipped.
    this.encoder = new VideoEncoder({
      path: options.path,
      fps: options.fps,
      format: options.format,
      width: options.width,
      height: options.height,
      onVideoFrame: (image, at, signature) => this.onVideoFrame(image, at, signature),
    });
    this.holdTimer = setInterval(() => this.encoder.hold(Date.now()), 250);
    this.holdTimer.unref();
  }

  static async start(page: PageDriver, options: RecorderOptions): Promise<Recorder> {
    const recorder = new Recorder(page, options);
    recorder.offs.push(page.onCdp('Page.screencastFrame', (frame: ScreencastFrame) => recorder.onFrame(frame)));
    page.onClose(() => recorder.interrupt('the page was closed during the recording'));
    // The video's time 0: what came before (starting ffmpeg) is not part of the recording.
    recorder.startedAt = Date.now();
    if (!options.skipBlankStart) recorder.origin = recorder.encoder.startAt(recorder.startedAt);
    try {
      await page.send('Page.startScreencast', {
        format: CAPTURE.format,
        quality: CAPTURE.quality,
        maxWidth: Math.round(options.width * CAPTURE.scale),
        maxHeight: Math.round(options.height * CAPTURE.scale),
        everyNthFrame: 1,
      });
    } catch (error) {
      await recorder.encoder.abort();
      recorder.dispose();
      throw error;
    }
    return recorder;
  }

  label(): string {
    return this.options.label;
  }

  failed(): string | undefined {
    return this.encoder.failed();
  }

  interrupt(reason: string): void {
    this.interruption ??= reason;
  }

  /**
   * Wall-clock time of a frame. Chromium stamps each frame with the wall-clock time it was drawn;
   * on this machine that is our own clock, so the frame is placed when it was drawn, however late
   * it arrives (frames come in bursts when the machine is busy, and placing them on arrival put
   * several on one video tick: 5 % fewer distinct frames on the same frames). A browser elsewhere
   * may have another clock: its offset is taken from the first frame.
   */
  private frameTime(stampMs: number | undefined): number {
    const now = Date.now();
    if (stampMs === undefined) return now;
    this.clockOffset ??= Math.abs(now - stampMs) < 2_000 ? 0 : now - stampMs;
    const at = stampMs + this.clockOffset;
    // Never in the future, and never wildly off if the browser's clock jumps.
    return Math.abs(at - now) > 2_000 ? now : Math.min(at, now);
  }

  private onFrame(frame: ScreencastFrame): void {
    void this.page.send('Page.screencastFrameAck', { sessionId: frame.sessionId }).catch(() => undefined);
    this.sourceFrames++;
    const stamp = frame.metadata.timestamp === undefined ? undefined : frame.metadata.timestamp * 1000;
    // Frames can arrive out of order; an older one would show the page going back in time.
    if (stamp !== undefined) {
      if (stamp < this.lastStamp) return;
      this.lastStamp = stamp;
    }
    const next = { image: Buffer.from(frame.data, 'base64'), at: this.frameTime(stamp) };
    if (this.origin === undefined || this.checking) this.checkLeading(next);
    else this.use(next);
  }

  private use(frame: Frame): void {
    this.shown = true;
    this.encoder.addFrame(frame.image, frame.at);
  }

  /**
   * Skips blank frames at the start: each is checked (the newest one waiting while another is),
   * and the first that shows something becomes the video's first frame.
   */
  private checkLeading(frame: Frame): void {
    if (this.checking) {
      this.waiting = frame;
      return;
    }
    if (this.origin !== undefined) {
      this.use(frame);
      return;
    }
    this.checking = true;
    void frameSignature(frame.image)
      .then((signature) => {
        if (isBlankSignature(signature)) this.lastBlank = frame;
        else this.begin(frame);
      })
      .catch((error: unknown) => {
        logDebug(`frame analysis failed: ${String(error)}`);
        this.begin(frame);
      })
      .finally(() => {
        this.checking = false;
        const waiting = this.waiting;
        this.waiting = undefined;
        if (waiting) this.checkLeading(waiting);
      });
  }

  /** The video starts with this frame. */
  private begin(frame: Frame): void {
    this.origin = Math.max(frame.at, this.startedAt);
    this.shown = true;
    this.encoder.addFrame(frame.image, this.origin);
  }

  /**
   * Change detection, for the filmstrip's moments: each frame of the video (ffmpeg decodes it and
   * makes its signature on the way, so it costs no decoding here) against the one before.
   */
  private onVideoFrame(image: Buffer, at: number, signature: Uint8Array): void {
    const change = this.lastSignature ? signatureDistance(this.lastSignature, signature) : Infinity;
    this.lastSignature = signature;
    this.keyFrames.offer({ image, at, change });
  }

  private async captureStill(): Promise<void> {
    try {
      const shot = await this.page.send<{ data: string }>('Page.captureScreenshot', { format: CAPTURE.format, quality: CAPTURE.quality });
      const image = Buffer.from(shot.data, 'base64');
      this.sourceFrames++;
      this.origin ??= this.startedAt;
      this.shown = true;
      this.encoder.addFrame(image, this.origin);
    } catch {
      // the page is gone: finish reports that no frame was captured
    }
  }

  private dispose(): void {
    clearInterval(this.holdTimer);
    for (const off of this.offs) off();
  }

  /** Stops the screencast and finishes the file. */
  async stop(): Promise<RecordingResult> {
    const endedAt = Date.now();
    this.dispose();
    if (!this.page.isClosed()) await this.page.send('Page.stopScreencast').catch(() => undefined);
    while (this.checking) await new Promise((resolve) => setTimeout(resolve, 10));
    if (this.origin === undefined && this.lastBlank) {
      // Nothing but a blank page was ever painted: that is what the video shows, from the start.
      this.origin = this.startedAt;
      this.shown = true;
      this.encoder.addFrame(this.lastBlank.image, this.origin);
    }
    // A still page may not have sent its first frame yet: take one picture so the video shows it.
    if (!this.shown && !this.page.isClosed()) await this.captureStill();
    // Every frame's signature has come back once ffmpeg is done: the key frames are complete.
    const video = await this.encoder.finish(endedAt);
    const origin = this.origin ?? this.startedAt;
    return {
      ...video,
      startedAt: origin,
      endedAt,
      blankLeadMs: origin - this.startedAt,
      keyFrames: this.keyFrames.list(),
      sourceFrames: this.sourceFrames,
      interruption: this.interruption,
    };
  }

  async abort(): Promise<void> {
    this.dispose();
    await this.encoder.abort();
  }
}
