import { z } from 'zod';
import { findFfmpeg } from '../media/ffmpeg.js';
import { diffServer } from '../report/serverDiff.js';
import { formatServerDiff } from '../report/serverText.js';
import { compareRecordings } from '../recording/compare.js';
import { seconds } from '../recording/filmstrip.js';
import { finishRecording, type FinishedRecording } from '../recording/finish.js';
import { DEFAULT_FPS, MAX_FPS, Recorder } from '../recording/recorder.js';
import { recordingMime, recordingUri, type RecordingInfo } from '../recording/store.js';
import { formatBytes } from '../format/networkFormat.js';
import { freeBytes } from '../util/disk.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { plural, quote } from '../util/text.js';
import { writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { nameParam, recordingLabel } from './common.js';
import type { ToolResponse } from './response.js';
import { callText, defineFamily } from './family.js';
import { defineTool } from './tool.js';
import { finishTrace, startTrace } from './traceRecording.js';

/** Below this much free space, record_start refuses at once rather than fail at record_stop. */
const MIN_FREE_BYTES = 16 * 1024 * 1024;

const labelParam = recordingLabel;

/**
 * Video sizes a recording may have: big enough to show a page, 4K at most. Not every size is
 * encoded in real time. On 2 cores at 30 fps, 1920×1080 kept up (finished 0.1-0.3 s after
 * stop); 3840×2160 kept up only on a quiet machine and a plain page (0.2-0.7 s), and fell
 * behind on a page with pictures (2.7 s after 10 s recorded) or a loaded machine (3.5 s after
 * 5 s, 6.4 s after 20 s: the backlog grows with the length); docs/benchmarks.md, "Big videos".
 */
const MIN_SIDE = 100;
const MAX_SIDE = 3840;
const MAX_PIXELS = 3840 * 2160;
/** Above this many pixels, record start says that encoding may fall behind (see above). */
const LIVE_PIXELS = 1920 * 1080;
/** A stop that waited this long for ffmpeg says so, and why. */
const SLOW_ENCODE_MS = 1_000;
function saneSize(size: string): boolean {
  const [width = 0, height = 0] = size.split('x').map(Number);
  return width >= MIN_SIDE && height >= MIN_SIDE && width <= MAX_SIDE && height <= MAX_SIDE && width * height <= MAX_PIXELS;
}

export const recordStartTool = defineTool({
  name: 'record_start',
  title: 'Start recording',
  description:
    "Start recording the page as video under a label (e.g. \"before\", \"after\"); actions are timestamped.",
  input: {
    label: labelParam.optional(),
    fps: z.number().int().min(1).max(MAX_FPS).optional(),
    size: z
      .string()
      // The form first, and only then the range (abort): one message, never two that disagree.
      .regex(/^\d+x\d+$/, { message: 'it is WxH in pixels, such as 1280x720', abort: true })
      .refine(saneSize, `each side is ${MIN_SIDE}-${MAX_SIDE} px, and the whole at most 3840x2160`)
      .optional()
      .describe('WxH'),
    format: z.enum(['mp4', 'webm']).optional(),
    captions: z.boolean().optional(),
    trace: z.boolean().optional(),
  },
  kind: 'action',
  scope: 'page',
  async handle({ params, state, context, response }) {
    if (state.recorder || state.page.tracer.current()) {
      const running = state.recorder?.label() ?? state.page.tracer.current()!.label;
      throw new LegibleError(`Page ${state.page.id} is already recording (${quote(running)}).`, `Stop it with ${callText(recordStopTool)} first; one recording runs per page.`);
    }
    if (params.trace) {
      if (params.fps || params.size || params.format || params.captions) throw new UsageError('A trace has no video options (fps, size, format, captions).', `Call ${callText(recordStartTool, { trace: true })} with at most a label.`);
      await startTrace(state, params.label ?? 'trace', response);
      return;
    }
    findFfmpeg();
    const label = params.label ?? 'recording';
    const format = params.format ?? 'mp4';
    const viewport = state.page.viewport() ?? context.config.viewport;
    const [width, height] = params.size ? (params.size.split('x').map(Number) as [number, number]) : [viewport.width, viewport.height];
    const path = await context.outputPath(label, format);
    const free = await freeBytes(dirname(path));
    if (free !== undefined && free < MIN_FREE_BYTES) {
      throw new LegibleError(
        `The output folder ${dirname(path)} has only ${formatBytes(free)} free, too little to record a video.`,
        'Free some space there, or start the server with another --output-dir.',
      );
    }
    context.forgetInterruptedRecordings();
    const fps = params.fps ?? DEFAULT_FPS;
    state.recorder = await Recorder.start(state.page, { label, path, fps, format, width, height, captions: params.captions ?? false });
    response.text(`Recording ${quote(label)} on ${state.page.id} (${width}×${height}, ${fps} fps, ${format}). Act on the page, then call ${callText(recordStopTool)}.`);
    if (width * height > LIVE_PIXELS) response.text(`Above 1920×1080, encoding may fall behind the recording; stop then waits for ffmpeg to catch up.`);
  },
});

export const recordStopTool = defineTool({
  name: 'record_stop',
  title: 'Stop recording',
  description:
    "Stop recording (or collect one cut short by its page closing). Returns the video path, duration, frames, size, the actions with times, and a filmstrip of the key moments.",
  input: {},
  kind: 'action',
  scope: 'page',
  handlesDialogs: true,
  async handle({ state, context, response }) {
    if (state.page.tracer.current()) {
      await finishTrace(state, context, response);
      return;
    }
    const recorder = state.recorder;
    if (recorder) {
      state.recorder = undefined;
      reportRecording(await finishRecording(recorder, state.actions, recorder.startUrl, context.recordings()), response);
      return;
    }
    // A recording whose page closed (or whose browser crashed) was finished then: hand it over now.
    const interrupted = await context.takeInterruptedRecording();
    if (!interrupted) throw new LegibleError(`Nothing is recording on page ${state.page.id}.`, `Start a recording with ${callText(recordStartTool)} first.`);
    response.text(`Page ${state.page.id} is not recording; here is recording ${quote(interrupted.info.label)}, which its page's closing cut short.`);
    reportRecording(interrupted, response);
  },
});

/** What the viewer sees change: "52 of them distinct (17.3/s" (the caller closes the parenthesis). */
function distinctText(info: RecordingInfo): string {
  if (info.distinctFrames === undefined) return '(distinct frames not counted';
  return `${info.distinctFrames} of them distinct (${(info.distinctFrames / Math.max(info.durationMs / 1000, 0.001)).toFixed(1)}/s`;
}

function reportRecording({ info, filmstrip, sourceFrames, stopMs, encodeMs }: FinishedRecording, response: ToolResponse): void {
  const lines = [
    `Recording ${quote(info.label)} (id ${info.id}): ${seconds(info.durationMs)}, ${plural(info.frames, 'frame')} at ${info.fps} fps, ${distinctText(info)}; ${sourceFrames} sent by the browser), ${formatBytes(info.bytes)}, finished ${stopMs} ms after stop.`,
    ...(encodeMs >= SLOW_ENCODE_MS
      ? [`Encoding took ${seconds(encodeMs)} of that: ffmpeg fell behind ${info.width}×${info.height} at ${info.fps} fps here, and stop waited for it; a smaller size or fps keeps up.`]
      : []),
    `Video: ${info.video}`,
    `Filmstrip: ${info.filmstrip} (${plural(filmstrip.tiles, 'moment')})`,
  ];
  if (info.blankLeadMs) lines.push(`The video starts at the page's first paint, ${seconds(info.blankLeadMs)} after recording began (a blank page until then).`);
  if (info.interruption) lines.push(`Partial: ${info.interruption}; the video covers what was recorded until then.`);
  lines.push(info.actions.length ? `Actions:\n${info.actions.map((a) => `  ${seconds(a.at)} ${a.label}`).join('\n')}` : 'Actions: none during the recording.');
  response.text(lines.join('\n'));
  response.image(filmstrip.data, 'image/webp');
  response.resourceLink(recordingUri(info.video), basename(info.video), recordingMime(info.video), `Recording ${info.label}`);
}

export const recordCompareTool = defineTool({
  name: 'record_compare',
  title: 'Compare recordings',
  description:
    "Two recordings side by side (default \"before\" and \"after\"), in step action by action, captioned; returns the video and a two-row filmstrip.",
  input: {
    a: nameParam.optional(),
    b: nameParam.optional(),
    captions: z.boolean().optional(),
  },
  kind: 'action',
  scope: 'browser',
  async handle({ params, context, response }) {
    findFfmpeg();
    const store = context.recordings();
    const find = async (key: string) => {
      const info = await store.find(key);
      if (!info) {
        const known = (await store.list()).map((r) => r.label);
        throw new UsageError(
          `There is no recording ${quote(key)}.`,
          known.length ? `Recordings: ${[...new Set(known)].join(', ')} (labels) — or record one with ${callText(recordStartTool)} and ${callText(recordStopTool)}.` : `Record one with ${callText(recordStartTool)} and ${callText(recordStopTool)} first.`,
        );
      }
      return info;
    };
    const left = await find(params.a ?? 'before');
    const right = await find(params.b ?? 'after');
    if (left.id === right.id) throw new UsageError('Both sides are the same recording.', 'Name two different recordings with a and b.');
    const output = await context.outputPath(`compare-${left.label}-vs-${right.label}`, 'mp4');
    const comparison = await compareRecordings(left, right, { output, captions: params.captions ?? true });
    const stripPath = output.replace(/\.mp4$/, '.filmstrip.webp');
    await writeFile(stripPath, comparison.filmstrip.data);
    response.text(
      [
        `Compared ${quote(left.label)} (${seconds(left.durationMs)}) with ${quote(right.label)} (${seconds(right.durationMs)}): ${seconds(comparison.alignment.durationMs)} side by side, ${comparison.width}×${comparison.height}, ${formatBytes(comparison.bytes)}.`,
        comparison.alignment.inStep
          ? comparison.alignment.captions.length === 1
            ? 'Kept in step at the one action both took.'
            : `Kept in step at each of the ${comparison.alignment.captions.length} actions both took.`
          : 'The two took different actions, so they are aligned at the start only.',
        `Video: ${comparison.video}`,
        `Filmstrip: ${stripPath}`,
      ].join('\n'),
    );
    // Recordings of journey runs: what the apps did, compared too (the report has it in full).
    const runs = await Promise.all([left, right].map((info) => context.runs().ofRecording(info.id).catch(() => undefined)));
    const server = runs[0] && runs[1] ? diffServer(runs[0], runs[1]) : undefined;
    if (server) response.text(formatServerDiff(server).join('\n'));
    response.image(comparison.filmstrip.data, 'image/webp');
    store.addFile(comparison.video, `Side-by-side video: ${left.label} vs ${right.label}`);
    store.addFile(stripPath, `Comparison filmstrip: ${left.label} vs ${right.label}`);
    response.resourceLink(recordingUri(comparison.video), basename(comparison.video), recordingMime(comparison.video), `${left.label} vs ${right.label}`);
  },
});

export const recordFamily = defineFamily({
  name: 'record',
  description: 'start: film the tab as label (before, after), actions timed; trace: a perf trace instead. stop: video, filmstrip. compare: a, b (before, after) side by side.',
  actions: { start: recordStartTool, stop: recordStopTool, compare: recordCompareTool },
});
