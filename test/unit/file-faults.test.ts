import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegReason, runFfmpeg } from '../../src/media/ffmpeg.js';
import { RecordingStore, type RecordingInfo } from '../../src/recording/store.js';
import { fileSystemHint } from '../../src/util/disk.js';

const dir = mkdtempSync(join(tmpdir(), 'legible-file-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ffmpeg failures', () => {
  it('names the root cause, not the last line', () => {
    const stderr = [
      '[mp4 @ 0x1] muxing overhead',
      'Error writing trailer of out.mp4.partial: No space left on device',
      'Error closing file out.mp4.partial: No space left on device',
      'Conversion failed!',
    ].join('\n');
    expect(ffmpegReason(stderr)).toBe('Error writing trailer of out.mp4.partial: No space left on device');
    expect(ffmpegReason('first\nlast words\n')).toBe('last words');
    expect(ffmpegReason('')).toBe('no error output');
  });

  it('counts a run that exits 0 after failing to write its output as failed', async () => {
    // ffmpeg 5 does this when the disk fills before the MP4's index is written (the e2e test with
    // a full tmpfs shows it for real where mounting is allowed); this stand-in behaves the same.
    const fake = join(dir, 'ffmpeg-exit-0');
    writeFileSync(fake, '#!/bin/sh\ncase "$*" in *-version*) echo ffmpeg version 5; exit 0;; esac\necho "Error writing trailer of x.mp4: No space left on device" >&2\nexit 0\n');
    chmodSync(fake, 0o755);
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = fake;
    try {
      const done = await runFfmpeg(['-i', 'in', 'out.mp4']).done;
      expect(done.code).toBe(1);
      expect(ffmpegReason(done.stderr)).toContain('No space left on device');
      // A clean run still counts as a success.
      writeFileSync(fake, '#!/bin/sh\nexit 0\n');
      expect((await runFfmpeg(['-i', 'in', 'out.mp4']).done).code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });
});

describe('file-system errors', () => {
  it('says what to do about a full disk, a read-only folder or a refused write', () => {
    const failure = (code: string) => Object.assign(new Error(`${code}: failed`), { code });
    expect(fileSystemHint(failure('ENOSPC'))).toMatch(/disk is full.*--output-dir/);
    expect(fileSystemHint(failure('EROFS'))).toMatch(/read-only/);
    expect(fileSystemHint(failure('EACCES'))).toMatch(/Permission denied/);
    expect(fileSystemHint(failure('ECONNRESET'))).toBeUndefined();
    expect(fileSystemHint(new Error('no code'))).toBeUndefined();
  });

  it('keeps no recording whose details could not be saved', async () => {
    const store = new RecordingStore(dir);
    const info: RecordingInfo = {
      id: 'broken-1', label: 'broken', video: join(dir, 'broken-1.mp4'), filmstrip: join(dir, 'broken-1.filmstrip.webp'),
      format: 'mp4', fps: 30, width: 1280, height: 720, durationMs: 1000, frames: 30, bytes: 1, startedAt: 1, url: 'http://x/', actions: [],
    };
    // The sidecar's name is taken by a folder, so writing it fails.
    mkdirSync(join(dir, 'broken-1.recording.json'));
    await expect(store.save(info)).rejects.toThrow(/EISDIR|illegal operation on a directory/);
    expect(await store.find('broken-1')).toBeUndefined();
    expect(await store.find('broken')).toBeUndefined();
  });
});
