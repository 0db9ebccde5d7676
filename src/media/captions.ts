import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LegibleError } from '../util/errors.js';
import { codecArgs, ffmpegReason, runFfmpeg } from './ffmpeg.js';
import { fitText } from './fitText.js';

export interface Caption {
  /** Start and end on the video's timeline, in ms. */
  at: number;
  until: number;
  text: string;
}

const FONT_CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf'];

/** drawtext's font option: a known font file, or fontconfig's default sans. */
export function fontOption(): string {
  const file = FONT_CANDIDATES.find((path) => existsSync(path));
  return file ? `fontfile=${file}` : 'font=Sans';
}

export const sec = (ms: number) => (ms / 1000).toFixed(3);

/** Left margin of a caption, in pixels (its box's border is drawn around it). */
const CAPTION_X = 16;

/**
 * drawtext filters that show each caption in its time window at `y`. Texts are written to files
 * in `work` (textfile=), so nothing in them needs ffmpeg's escaping, and cut to fit `width`
 * (the frame's) at a word, with an ellipsis: drawtext itself would cut them off at the edge.
 */
export async function captionFilters(captions: Caption[], work: string, options: { y: string; size: number; box: boolean; width: number }): Promise<string[]> {
  const font = fontOption();
  const filters: string[] = [];
  for (const [i, caption] of captions.entries()) {
    const file = join(work, `caption-${i}.txt`);
    await writeFile(file, fitText(caption.text, options.width - 2 * CAPTION_X - (options.box ? 20 : 0), options.size, true));
    const box = options.box ? ':box=1:boxcolor=black@0.7:boxborderw=10' : '';
    filters.push(`drawtext=${font}:textfile=${file}:x=${CAPTION_X}:y=${options.y}:fontsize=${options.size}:fontcolor=white${box}:enable='between(t,${sec(caption.at)},${sec(caption.until)})'`);
  }
  return filters;
}

/** Re-encodes a video (`width` pixels wide) with captions burned in at the bottom, replacing the file. */
export async function burnCaptions(path: string, captions: Caption[], width: number): Promise<void> {
  if (!captions.length) return;
  const work = await mkdtemp(join(tmpdir(), 'legible-captions-'));
  const output = join(work, path.endsWith('.webm') ? 'out.webm' : 'out.mp4');
  try {
    const filters = await captionFilters(captions, work, { y: 'h-th-24', size: 22, box: true, width });
    const codec = codecArgs(path.endsWith('.webm') ? 'webm' : 'mp4');
    const run = runFfmpeg(['-y', '-i', path, '-vf', filters.join(','), ...codec, output]);
    const result = await run.done;
    if (result.code !== 0) throw new LegibleError(`ffmpeg could not burn the captions in: ${ffmpegReason(result.stderr)}`, 'Record again without captions.');
    await rename(output, path).catch(async () => {
      // across file systems: copy then remove
      const { copyFile } = await import('node:fs/promises');
      await copyFile(output, path);
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
