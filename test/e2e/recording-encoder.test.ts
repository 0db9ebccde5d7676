/**
 * How a recording's encoder shares the machine: ffmpeg encodes at a lower CPU priority than the
 * browser's and Legible's own work, and a stop that had to wait for it says how long and why.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, useLegible } from '../helpers/e2e.js';
import { startLegible } from '../helpers/mcpClient.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The niceness of every thread of a process (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1').split(') ')[1]!.split(' ')[16]));
}

describe('the recording encoder', () => {
  const e2e = useLegible({ outputDir: 'rec-encoder' });

  it('runs ffmpeg below the usual CPU priority, every thread of it, so an action goes first', async () => {
    await e2e.open('/animated.html');
    await e2e.call('record', { action: 'start', label: 'niced' });
    const ffmpeg = execFileSync('pgrep', ['-f', `${e2e.outputDir}/niced`], { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(ffmpeg).toHaveLength(1);
    // Frames come, and ffmpeg starts its encoding threads (later on a loaded machine).
    await expect.poll(() => threadNiceness(ffmpeg[0]!).length, { timeout: 15_000 }).toBeGreaterThan(1);
    expect(new Set(threadNiceness(ffmpeg[0]!))).toEqual(new Set([10]));
    expect(threadNiceness(e2e.legible.pid()!)).toContain(0);
    await e2e.call('record', { action: 'stop' });
  });

  it('says when stop waited for ffmpeg to catch up, and warns of it at start above 1920×1080', async () => {
    // ffmpeg behind a wrapper that holds its exit 1.5 s, as an ffmpeg that fell behind would
    // (a 4K video on 2 cores): the encoding itself is real.
    const dir = await tempDir('slow-ffmpeg');
    const wrapper = join(dir, 'ffmpeg');
    const real = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
    writeFileSync(wrapper, `#!/bin/sh\n"${real}" "$@"\ncode=$?\ncase "$*" in *image2pipe*) sleep 1.5 ;; esac\nexit $code\n`);
    chmodSync(wrapper, 0o755);
    const legible = await startLegible(['--output-dir', dir], { FFMPEG_PATH: wrapper });
    try {
      await legible.call('navigate', { url: `${e2e.fixtures.url}/animated.html` });
      const start = await legible.call('record', { action: 'start', size: '2560x1440' });
      expect(start.isError, start.text).toBe(false);
      expect(start.text).toContain('Above 1920×1080, encoding may fall behind the recording; stop then waits for ffmpeg to catch up.');
      await wait(500);
      const stop = await legible.call('record', { action: 'stop' });
      expect(stop.isError, stop.text).toBe(false);
      expect(stop.text).toMatch(/finished \d+ ms after stop\.\nEncoding took (\d+\.\d) s of that: ffmpeg fell behind 2560×1440 at 30 fps here, and stop waited for it; a smaller size or fps keeps up\./);
      expect(Number(/Encoding took (\d+\.\d) s/.exec(stop.text)![1])).toBeGreaterThanOrEqual(1.5);
    } finally {
      await legible.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
