/** Where a workspace's daemon lives, and the line framing it speaks. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/daemon/jsonLines.js';
import { checkSessionName, daemonKey, daemonPaths, findWorkspace, runtimeDir } from '../../src/daemon/paths.js';

const made: string[] = [];
const temp = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'legible-paths-'));
  made.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

describe('the workspace and its daemon', () => {
  it('is the nearest folder with a .git (a clone\'s folder or a worktree\'s file), else the folder itself', async () => {
    const root = await temp();
    mkdirSync(join(root, 'repo', '.git'), { recursive: true });
    mkdirSync(join(root, 'repo', 'src', 'deep'), { recursive: true });
    mkdirSync(join(root, 'worktree', 'pkg'), { recursive: true });
    writeFileSync(join(root, 'worktree', '.git'), 'gitdir: ../repo/.git/worktrees/x\n');
    expect(findWorkspace(join(root, 'repo', 'src', 'deep'))).toBe(join(root, 'repo'));
    expect(findWorkspace(join(root, 'worktree', 'pkg'))).toBe(join(root, 'worktree'));
    mkdirSync(join(root, 'loose'));
    expect(findWorkspace(join(root, 'loose'))).toBe(join(root, 'loose'));
  });

  it('gets a key per workspace and session, and a short socket path', async () => {
    expect(daemonKey('/a', 'default')).toMatch(/^[0-9a-f]{16}$/);
    expect(daemonKey('/a', 'default')).toBe(daemonKey('/a', 'default'));
    expect(daemonKey('/a', 'default')).not.toBe(daemonKey('/b', 'default'));
    expect(daemonKey('/a', 'default')).not.toBe(daemonKey('/a', 'review'));
    const paths = daemonPaths('/a/very/long/workspace/path/'.repeat(10), 'default', { LEGIBLE_RUNTIME_DIR: await temp() });
    expect(Buffer.byteLength(paths.socket)).toBeLessThan(107);
    expect(() => checkSessionName('../x')).toThrow(/Session names are 1-40 letters/);
  });

  it('keeps its sockets in a private folder, and refuses one others may write to', async () => {
    const dir = join(await temp(), 'rt');
    expect(runtimeDir({ LEGIBLE_RUNTIME_DIR: dir })).toBe(dir);
    chmodSync(dir, 0o777);
    expect(() => runtimeDir({ LEGIBLE_RUNTIME_DIR: dir })).toThrow(/may be written by others \(mode 777\)/);
  });
});

describe('LineSplitter', () => {
  it('splits lines across chunks, skips blank ones, and drops an oversized line whole', () => {
    const lines: string[] = [];
    let tooLong = 0;
    const splitter = new LineSplitter((line) => lines.push(line), 10, () => tooLong++);
    splitter.push(Buffer.from('{"a":1}\n{"b"'));
    splitter.push(Buffer.from(':2}\n\n'));
    splitter.push(Buffer.from('x'.repeat(8)));
    splitter.push(Buffer.from('y'.repeat(8)));
    splitter.push(Buffer.from('zz\n{"c":3}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(tooLong).toBe(1);
  });
});
