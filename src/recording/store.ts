import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { redactText, redactUrl } from '../util/redact.js';

/** Recordings and their filmstrips are MCP resources under this prefix (see server/resources.ts). */
export const RECORDING_URI_PREFIX = 'legible://recordings/';

export function recordingUri(path: string): string {
  return `${RECORDING_URI_PREFIX}${basename(path)}`;
}

/** The MIME type of a recording's file: its video, or its filmstrip. */
export function recordingMime(path: string): string {
  if (path.endsWith('.webm')) return 'video/webm';
  if (path.endsWith('.webp')) return 'image/webp';
  return 'video/mp4';
}

export const actionMarkSchema = z.object({
  /** Milliseconds from the start of the recording. */
  at: z.number(),
  label: z.string(),
});
export type ActionMark = z.infer<typeof actionMarkSchema>;

export const recordingInfoSchema = z.object({
  id: z.string(),
  label: z.string(),
  video: z.string(),
  filmstrip: z.string().optional(),
  format: z.enum(['mp4', 'webm']),
  fps: z.number(),
  width: z.number(),
  height: z.number(),
  durationMs: z.number(),
  frames: z.number(),
  /** Frames a viewer sees change (ffmpeg's mpdecimate); absent when it could not be counted. */
  distinctFrames: z.number().optional(),
  bytes: z.number(),
  /** Wall-clock ms of the video's first frame. */
  startedAt: z.number(),
  /** Blank frames (a page not painted yet) skipped before the first frame, in ms. */
  blankLeadMs: z.number().optional(),
  url: z.string(),
  actions: z.array(actionMarkSchema),
  interruption: z.string().optional(),
});
export type RecordingInfo = z.infer<typeof recordingInfoSchema>;

/** record_compare's output names: compare-<a>-vs-<b>-<time>.mp4 (or .webm, or .filmstrip.webp). */
const COMPARISON_FILE = /^compare-(.+?)-vs-(.+)-\d{4}-\d\d-\d\dT[\dZ-]+\.(filmstrip\.webp|mp4|webm)$/;

/**
 * Finished recordings, each a video plus a `<id>.recording.json` sidecar in the output folder, so they can
 * be found by label or id (also by a later server run) and listed as resources.
 */
export class RecordingStore {
  private readonly byId = new Map<string, RecordingInfo>();
  /** Other files made from recordings (comparisons), for listing as resources. */
  private readonly extras: { path: string; description: string }[] = [];
  private loading: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  /** Reads the folder once; every caller waits for that same read, so none sees half of it. */
  private load(): Promise<void> {
    this.loading ??= this.readFolder();
    return this.loading;
  }

  private async readFolder(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    // Side-by-side videos and their filmstrips from earlier runs of the server are listed again.
    for (const name of names) {
      const compared = COMPARISON_FILE.exec(name);
      if (compared) this.addFile(join(this.dir, name), `${compared[3] === 'filmstrip.webp' ? 'Comparison filmstrip' : 'Side-by-side video'}: ${compared[1]} vs ${compared[2]}`);
    }
    for (const name of names.filter((n) => n.endsWith('.recording.json'))) {
      try {
        const info = recordingInfoSchema.parse(JSON.parse(await readFile(join(this.dir, name), 'utf8')));
        if (!this.byId.has(info.id)) this.byId.set(info.id, info);
      } catch {
        // not ours, or damaged: skip it
      }
    }
  }

  /** Writes the sidecar with its URL and action labels through util/redact (a typed token, a ?token= query); returns what it wrote. */
  async save(recording: RecordingInfo): Promise<RecordingInfo> {
    await this.load();
    const info: RecordingInfo = { ...recording, url: redactUrl(recording.url), actions: recording.actions.map((action) => ({ ...action, label: redactText(action.label) })) };
    const file = join(this.dir, `${info.id}.recording.json`);
    try {
      await writeFile(file, `${JSON.stringify(info, null, 2)}\n`);
    } catch (error) {
      await rm(file, { force: true }).catch(() => undefined);
      throw error;
    }
    this.byId.set(info.id, info);
    return info;
  }

  /** By id, or the latest recording with that label. */
  async find(idOrLabel: string): Promise<RecordingInfo | undefined> {
    await this.load();
    const exact = this.byId.get(idOrLabel);
    if (exact) return exact;
    return [...this.byId.values()].filter((info) => info.label === idOrLabel).sort((a, b) => b.startedAt - a.startedAt)[0];
  }

  addFile(path: string, description: string): void {
    if (!this.extras.some((file) => file.path === path)) this.extras.push({ path, description });
  }

  async files(): Promise<{ path: string; description: string }[]> {
    await this.load();
    return [...this.extras];
  }

  async list(): Promise<RecordingInfo[]> {
    await this.load();
    return [...this.byId.values()].sort((a, b) => a.startedAt - b.startedAt);
  }
}
