// Reads a video file's duration, frame count and frame rate with ffprobe, and counts its distinct
// frames with ffmpeg's mpdecimate.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

const rate = (fraction) => {
  const [n, d] = String(fraction ?? '').split('/').map(Number);
  return d ? n / d : n || undefined;
};

/** { durationS, frames, fps (frames / duration), streamFps (avg_frame_rate), codec, width, height } */
export async function probeVideo(path) {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,avg_frame_rate,nb_read_frames,duration:format=duration', '-of', 'json', path],
    { timeout: 60_000 },
  );
  const info = JSON.parse(stdout);
  const stream = info.streams?.[0] ?? {};
  const durationS = Number(stream.duration ?? info.format?.duration);
  const frames = Number(stream.nb_read_frames);
  return {
    durationS,
    frames,
    fps: durationS > 0 ? frames / durationS : undefined,
    streamFps: rate(stream.avg_frame_rate),
    codec: stream.codec_name,
    width: stream.width,
    height: stream.height,
  };
}

/**
 * Frames that differ from the one before, as a viewer sees them: the frames left after ffmpeg's
 * mpdecimate (default thresholds, which ignore encoding noise). A 30 fps video of a page painted
 * 14 times a second holds about 14 distinct frames a second; the rest repeat.
 */
export async function distinctFrames(path) {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-an', '-vf', 'mpdecimate', '-f', 'framecrc', '-'], { timeout: 120_000, maxBuffer: 256 << 20 });
  return stdout.split('\n').filter((line) => line && !line.startsWith('#')).length;
}
