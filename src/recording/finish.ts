import { rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { burnCaptions } from '../media/captions.js';
import { stripRefs } from './align.js';
import { fileSystemHint } from '../util/disk.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { buildFilmstrip } from './filmstrip.js';
import type { Recorder } from './recorder.js';
import type { RecordingInfo, RecordingStore } from './store.js';

export interface FinishedRecording {
  info: RecordingInfo;
  filmstrip: { data: Buffer; tiles: number };
  sourceFrames: number;
  /** Time from the stop request to a finished file, in ms. */
  stopMs: number;
  /** Of that, the time ffmpeg took to encode what it had not yet (VideoEncoder.finish). */
  encodeMs: number;
}

const WRITE_HINT = 'Check that the output folder is writable and has space, then record again.';

/**
 * Stops a recorder, writes its filmstrip next to the video, and saves the recording's sidecar.
 * `actions` are the page's action log in wall-clock ms; those inside the recording are kept.
 */
export async function finishRecording(recorder: Recorder, actions: { at: number; label: string }[], url: string, store: RecordingStore): Promise<FinishedRecording> {
  const stoppedAt = Date.now();
  const result = await recorder.stop();
  // Times are from the video's first frame; an action taken while blank frames were skipped
  // (the first navigation of a journey) is shown at its start.
  const marks = actions
    .filter((action) => action.at >= result.startedAt - result.blankLeadMs && action.at <= result.endedAt)
    .map((action) => ({ at: Math.max(0, action.at - result.startedAt), label: action.label }));
  if (recorder.options.captions) {
    await burnCaptions(
      result.path,
      marks.map((mark, i) => ({ at: mark.at, until: Math.min(marks[i + 1]?.at ?? Infinity, mark.at + 2_500), text: stripRefs(mark.label) })),
      recorder.options.width,
    );
    result.bytes = (await stat(result.path)).size;
  }
  const filmstrip = await buildFilmstrip(result.keyFrames, marks, result.durationMs);
  const stripPath = result.path.replace(/\.(mp4|webm)$/, '.filmstrip.webp');
  try {
    await writeFile(stripPath, filmstrip.data);
  } catch (error) {
    // A half-written filmstrip must not look finished; the video itself is whole.
    await rm(stripPath, { force: true }).catch(() => undefined);
    throw new LegibleError(
      `The video was saved at ${result.path}, but its filmstrip could not be written (${errorMessage(error)}), so comparisons (record compare) and report will not find the recording.`,
      fileSystemHint(error) ?? WRITE_HINT,
    );
  }
  const made: RecordingInfo = {
    id: basename(result.path).replace(/\.(mp4|webm)$/, ''),
    label: recorder.label(),
    video: result.path,
    filmstrip: stripPath,
    format: recorder.options.format,
    fps: recorder.options.fps,
    width: recorder.options.width,
    height: recorder.options.height,
    durationMs: result.durationMs,
    frames: result.frames,
    distinctFrames: result.distinctFrames,
    bytes: result.bytes,
    startedAt: result.startedAt,
    blankLeadMs: result.blankLeadMs > 0 ? result.blankLeadMs : undefined,
    url,
    actions: marks,
    interruption: result.interruption,
  };
  let info: RecordingInfo;
  try {
    info = await store.save(made);
  } catch (error) {
    throw new LegibleError(
      `The video (${result.path}) and filmstrip were saved, but the recording's details could not be, so comparisons (record compare) and report will not find it: ${errorMessage(error)}.`,
      fileSystemHint(error) ?? WRITE_HINT,
    );
  }
  return { info, filmstrip, sourceFrames: result.sourceFrames, stopMs: Date.now() - stoppedAt, encodeMs: result.finishMs };
}
