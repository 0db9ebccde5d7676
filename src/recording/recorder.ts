import type { PageDriver } from '../cdp/pageDriver.js';
import { frameSignature, signatureDistance } from '../media/frameSignature.js';
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
}

interface ScreencastFrame {
  data: string;
  sessionId: number;
  metadata: { timestamp?: number; deviceWidth: number; deviceHeight: number };
}

export interface RecordingResult extends EncodedVideo {
  startedAt: number;
  endedAt: number;
  keyFrames: KeyFrame[];
  /** Frames the browser sent (the rest of the video's frames repeat them). */
  sourceFrames: number;
  /** Something that cut the recording short (the page closed, the browser went away). */
  interruption?: string;
}

/**
 * Records one page: CDP screencast frames (each acknowledged at once so the browser keeps
 * sending) go to a VideoEncoder, and a sample of them to change detection for the filmstrip.
 * Frame handling runs on CDP events, off the tool-call path.
 */
export class Recorder {
  readonly startedAt = Date.now();
  /** The page's URL when the recording started. */
  readonly startUrl: string;
  private readonly encoder: VideoEncoder;
  private readonly keyFrames = new KeyFrames();
  private readonly offs: (() => void)[] = [];
  private readonly holdTimer: NodeJS.Timeout;
  private sourceFrames = 0;
  private clockOffset: number | undefined;
  private analysing = false;
  private pendingAnalysis: { jpeg: Buffer; at: number } | undefined;
  private lastSignature: Uint8Array | undefined;
  private interruption: string | undefined;

  private constructor(
    private readonly page: PageDriver,
    readonly options: RecorderOptions,
  ) {
    this.startUrl = page.url();
    this.encoder = new VideoEncoder({ path: options.path, fps: options.fps, format: options.format, width: options.width, height: options.height, startMs: this.startedAt });
    this.holdTimer = setInterval(() => this.encoder.hold(Date.now()), 250);
    this.holdTimer.unref();
  }

  static async start(page: PageDriver, options: RecorderOptions): Promise<Recorder> {
    const recorder = new Recorder(page, options);
    recorder.offs.push(page.onCdp('Page.screencastFrame', (frame: ScreencastFrame) => recorder.onFrame(frame)));
    page.onClose(() => recorder.interrupt('the page was closed during the recording'));
    try {
      await page.send('Page.startScreencast', { format: 'jpeg', quality: 85, maxWidth: options.width, maxHeight: options.height, everyNthFrame: 1 });
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

  /** Wall-clock time of a frame: the browser's own timestamp, mapped onto this process's clock. */
  private frameTime(frame: ScreencastFrame): number {
    const now = Date.now();
    const stamp = frame.metadata.timestamp;
    if (stamp === undefined) return now;
    this.clockOffset ??= now - stamp * 1000;
    const at = stamp * 1000 + this.clockOffset;
    // Never in the future, and never wildly off if the browser's clock jumps.
    return Math.abs(at - now) > 2_000 ? now : Math.min(at, now);
  }

  private onFrame(frame: ScreencastFrame): void {
    void this.page.send('Page.screencastFrameAck', { sessionId: frame.sessionId }).catch(() => undefined);
    const at = this.frameTime(frame);
    const jpeg = Buffer.from(frame.data, 'base64');
    this.sourceFrames++;
    this.encoder.addFrame(jpeg, at);
    this.analyse(jpeg, at);
  }

  /** Change detection on the latest frame; frames that arrive while one is analysed are skipped but the newest is kept. */
  private analyse(jpeg: Buffer, at: number): void {
    if (this.analysing) {
      this.pendingAnalysis = { jpeg, at };
      return;
    }
    this.analysing = true;
    void frameSignature(jpeg)
      .then((signature) => {
        const change = this.lastSignature ? signatureDistance(this.lastSignature, signature) : Infinity;
        this.lastSignature = signature;
        this.keyFrames.offer({ jpeg, at: at - this.startedAt, change });
      })
      .catch((error: unknown) => logDebug(`frame analysis failed: ${String(error)}`))
      .finally(() => {
        this.analysing = false;
        const next = this.pendingAnalysis;
        this.pendingAnalysis = undefined;
        if (next) this.analyse(next.jpeg, next.at);
      });
  }

  private async captureStill(): Promise<void> {
    try {
      const shot = await this.page.send<{ data: string }>('Page.captureScreenshot', { format: 'jpeg', quality: 85 });
      const jpeg = Buffer.from(shot.data, 'base64');
      this.sourceFrames++;
      this.encoder.addFrame(jpeg, this.startedAt);
      this.keyFrames.offer({ jpeg, at: 0, change: Infinity });
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
    if (!this.page.isClosed()) {
      await this.page.send('Page.stopScreencast').catch(() => undefined);
      // A still page may not have sent its first frame yet: take one picture so the video shows it.
      if (this.sourceFrames === 0) await this.captureStill();
    }
    while (this.analysing) await new Promise((resolve) => setTimeout(resolve, 10));
    const video = await this.encoder.finish(endedAt);
    return {
      ...video,
      startedAt: this.startedAt,
      endedAt,
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
