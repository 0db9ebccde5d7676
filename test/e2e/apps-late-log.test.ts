/**
 * A line an app's logger writes late — from a logger thread, as pino's transports do, or pino's
 * own asynchronous writes on a loaded machine — still lands in the Server section of the action
 * whose request made the app log it: the report waits (bounded) until the app has nothing left to run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsWorkspace, nodeApp, removeWorkspaces } from '../helpers/apps.js';
import { groupOf } from '../helpers/e2e.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

describe('a log line written after the answer', () => {
  let legible: LegibleClient;
  let url: string;

  beforeAll(async () => {
    const root = await appsWorkspace({ api: nodeApp('slow-logger.mjs', { ready: { http: '/health', timeout: '20s' } }) });
    legible = await startLegible(['--root', root]);
    const started = await legible.call('app', { action: 'start' });
    expect(started.isError, started.text).toBe(false);
    url = groupOf(started.text, /^Started api at (\S+):/m);
  });
  afterAll(async () => {
    await legible?.close();
    await removeWorkspaces();
  });

  const navigate = async (path: string) => {
    const result = await legible.call('navigate', { url: `${url}${path}` });
    expect(result.isError, result.text).toBe(false);
    return result.text;
  };

  it("is in the Server section of the action that caused it, once the app's logger thread wrote it", async () => {
    // The app sends no spans: after two actions it is no longer waited for (the wait that hid the race).
    for (let i = 0; i < 2; i++) expect(await navigate('/health')).not.toContain('Server:');
    expect(await navigate('/warn?ms=400')).toMatch(/Server: 1 warning or error printed by the apps\n {2}api warn: written 400 ms late by the logger thread/);
    expect(await navigate('/health')).not.toContain('Server:');
  });
});
