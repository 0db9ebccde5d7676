import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LegibleError } from '../util/errors.js';
import { codecArgs, ffmpegReason, runFfmpeg } from './ffmpeg.js';
import { captionFilters, fontOption, sec } from './captions.js';
import { fitText } from './fitText.js';
import type { VideoFormat } from './videoEncoder.js';

export interface SideBySidePlan {
  left: { path: string; label: string };
  right: { path: string; label: string };
  /** Pieces of each video (ms) laid end to end; the shorter side of a piece holds its last frame. */
  segments: { left: { start: number; end: number }; right: { start: number; end: number }; length: number }[];
  captions: { at: number; until: number; text: string }[];
  output: string;
  format: VideoFormat;
  fps: number;
  /** Height of each half; widths follow a 16:9 box. */
  height?: number;
}

export const CAPTION_BAR = 48;
/** Bar above each half that carries its label, so the label never covers the page. */
export const LABEL_BAR = 40;


/**
 * Renders two recordings side by side, each half labelled, with optional captions in a bar
 * below. Text goes through files (textfile=) so nothing in it needs ffmpeg escaping.
 */
export async function renderSideBySide(plan: SideBySidePlan): Promise<void> {
  const height = plan.height ?? 540;
  const width = Math.round((height * 16) / 9 / 2) * 2;
  const work = await mkdtemp(join(tmpdir(), 'legible-compare-'));
  try {
    const font = fontOption();
    const text = async (name: string, value: string) => {
      const file = join(work, `${name}.txt`);
      await writeFile(file, value);
      return file;
    };
    const filters: string[] = [];
    for (const [index, side] of (['left', 'right'] as const).entries()) {
      const parts: string[] = [];
      plan.segments.forEach((segment, i) => {
        if (segment.length <= 0) return;
        const piece = segment[side];
        const own = piece.end - piece.start;
        const name = `${side}${i}`;
        const hold = Math.max(0, segment.length - own);
        if (own > 0) {
          filters.push(
            `[${index}:v]trim=start=${sec(piece.start)}:end=${sec(piece.end)},setpts=PTS-STARTPTS,` +
              `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=white,setsar=1,fps=${plan.fps}` +
              (hold > 0 ? `,tpad=stop_mode=clone:stop_duration=${sec(hold)}` : '') +
              `[${name}]`,
          );
        } else {
          // This side has nothing in this stretch: show its frame at that moment, held.
          filters.push(
            `[${index}:v]trim=start=${sec(Math.max(0, piece.start - 50))}:end=${sec(piece.start + 1)},setpts=PTS-STARTPTS,` +
              `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=white,setsar=1,fps=${plan.fps},` +
              `trim=end_frame=1,tpad=stop_mode=clone:stop_duration=${sec(segment.length)}[${name}]`,
          );
        }
        parts.push(`[${name}]`);
      });
      const labelFile = await text(`label-${side}`, fitText(side === 'left' ? plan.left.label : plan.right.label, width - 24, 24, true));
      filters.push(
        `${parts.join('')}concat=n=${parts.length}:v=1:a=0,pad=iw:ih+${LABEL_BAR}:0:${LABEL_BAR}:color=${side === 'left' ? '0x8c1d18' : '0x1a7f37'},` +
          `drawtext=${font}:textfile=${labelFile}:x=12:y=8:fontsize=24:fontcolor=white[${side}]`,
      );
    }
    const captions = await captionFilters(plan.captions, work, { y: `h-${CAPTION_BAR - 12}`, size: 24, box: false, width: 2 * width });
    const graph = [`[left][right]hstack=inputs=2`, `drawbox=x=iw/2-1:y=0:w=2:h=ih:color=white:t=fill`, `pad=iw:ih+${CAPTION_BAR}:0:0:color=0x1f2328`, ...captions, 'format=yuv420p'];
    filters.push(`${graph.join(',')}[out]`);
    const codec = codecArgs(plan.format);
    const run = runFfmpeg(['-y', '-i', plan.left.path, '-i', plan.right.path, '-filter_complex', filters.join(';'), '-map', '[out]', '-r', String(plan.fps), ...codec, plan.output]);
    const timer = setTimeout(() => run.process.kill('SIGKILL'), 120_000);
    const result = await run.done;
    clearTimeout(timer);
    if (result.code !== 0) {
      await rm(plan.output, { force: true });
      throw new LegibleError(
        `ffmpeg could not render the comparison: ${ffmpegReason(result.stderr)}`,
        'Check that the output folder is writable and has space; if one of the two videos is cut short, record it again (record start, then stop).',
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Grabs one frame (PNG) of a video at `atMs`. */
export async function grabFrame(path: string, atMs: number): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'legible-frame-'));
  const out = join(work, 'frame.png');
  try {
    const { existsSync } = await import('node:fs');
    const { readFile } = await import('node:fs/promises');
    let result = await runFfmpeg(['-y', '-ss', sec(Math.max(0, atMs)), '-i', path, '-frames:v', '1', out]).done;
    // Past the last frame ffmpeg writes nothing: take the last frame instead.
    if (result.code === 0 && !existsSync(out)) result = await runFfmpeg(['-y', '-sseof', '-0.3', '-i', path, '-frames:v', '1', out]).done;
    if (result.code !== 0 || !existsSync(out)) {
      throw new LegibleError(
        `ffmpeg could not read a frame of ${path} at ${sec(atMs)} s: ${result.stderr.trim() ? ffmpegReason(result.stderr) : 'no frame there'}`,
        'The video may be cut short or not a video at all: record it again (record start, then stop).',
      );
    }
    return await readFile(out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
