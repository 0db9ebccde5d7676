import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../src/server/loadOnce.js';

describe('loadOnce', () => {
  it('shares one load between callers and keeps what it loaded', async () => {
    let loads = 0;
    const load = loadOnce(async () => ++loads);
    expect(load.started).toBeUndefined();
    expect(await Promise.all([load(), load()])).toEqual([1, 1]);
    expect(await load()).toBe(1);
    expect(await load.started).toBe(1);
  });

  it('does not keep a failed load: the next caller tries again, and the error says what to do', async () => {
    let attempt = 0;
    const load = loadOnce(async () => {
      attempt++;
      if (attempt === 1) throw new Error("Cannot find module '/x/dist/chunks/callTool-ABC.mjs'");
      return 'loaded';
    });
    await expect(load()).rejects.toThrow(/^Legible could not load its own code \(Cannot find module '\/x\/dist\/chunks\/callTool-ABC\.mjs'\)\. If it was rebuilt or upgraded while it ran, restart it/);
    expect(load.started).toBeUndefined();
    expect(await load()).toBe('loaded');
    expect(attempt).toBe(2);
  });
});
