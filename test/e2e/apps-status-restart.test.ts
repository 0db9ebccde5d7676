/**
 * What app_status and app_restart tell a user whose setup is not yet right, with real processes:
 * a config that cannot be read (status says why and where, as app_start does), a restart with
 * nothing running (nothing is started; app_start is named), a restart after a crash (only the
 * running and crashed apps, the crash said), an app started before another failed (where it
 * runs), an app with no readiness check, a crash notice that reads pino's JSON lines, and an app
 * that ignores PORT (found out early, and the fix named).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsWorkspace, NODE, nodeApp, processesOf, removeWorkspaces, waitForNoProcessesOf } from '../helpers/apps.js';
import { groupOf } from '../helpers/e2e.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

describe('app_status and app_restart', () => {
  let legible: LegibleClient;
  let root: string;
  let config: string;
  const clients: LegibleClient[] = [];

  beforeAll(async () => {
    root = await appsWorkspace({});
    await writeFile(join(root, 'prices.json'), '{}');
    config = JSON.stringify({
      apps: {
        api: nodeApp('api.mjs', { env: { DATA_FILE: join(root, 'prices.json') }, ready: { http: '/health', timeout: '20s' } }),
        worker: { command: [NODE, '-e', 'setInterval(() => {}, 1000); console.log("worker up")'] },
        idle: { command: [NODE, '-e', 'setInterval(() => {}, 1000)'] },
        web: nodeApp('own-port.mjs', { dependsOn: ['api'], ready: { timeout: '20s' } }),
      },
    });
    await writeFile(join(root, 'legible.config.json'), config);
    legible = await startLegible(['--root', root]);
    clients.push(legible);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await removeWorkspaces();
  });

  it('says why a config cannot be read, with the same error app_start gives', async () => {
    const broken: [string, string, RegExp][] = [
      ['invalid JSON', '{"apps": {"api": {"command": "x",}}}', /legible\.config\.json is not valid JSON at line 1, column \d+/],
      ['an empty command', JSON.stringify({ apps: { api: { command: '' } } }), /apps\.api\.command: /],
      ['an unknown dependsOn', JSON.stringify({ apps: { api: { command: 'x', dependsOn: ['db'] } } }), /apps\.api\.dependsOn\[0\]: no app is named "db"/],
      ['a cycle', JSON.stringify({ apps: { a: { command: 'x', dependsOn: ['b'] }, b: { command: 'x', dependsOn: ['a'] } } }), /depend on each other in a circle: /],
    ];
    for (const [what, text, expected] of broken) {
      const dir = await appsWorkspace({});
      await writeFile(join(dir, 'legible.config.json'), text);
      const server = await startLegible(['--root', dir]);
      try {
        const status = await server.call('app', { action: 'status' });
        expect(status.isError, `${what}: ${status.text}`).toBe(true);
        expect(status.text, what).toMatch(expected);
        expect(status.text, what).toContain(join(dir, 'legible.config.json'));
        expect(status.text, what).toMatch(/\nNext: Fix /);
        expect(status.text, what).not.toContain('No apps');
        // The same words as app_start.
        const start = await server.call('app', { action: 'start' });
        expect(start.text.split('\n')[0]).toBe(status.text.split('\n')[0]);
      } finally {
        await server.close();
      }
    }
  });

  it('says when there is no config at all (a missing --root), and what to do, and still shows where apps started elsewhere send OTLP', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'legible-apps-empty-'));
    const server = await startLegible([], {}, empty);
    clients.push(server);
    // No apps defined is no broken config: status answers, with what to write, and the endpoint.
    const status = await server.call('app', { action: 'status' });
    expect(status.isError, status.text).toBe(false);
    expect(status.text).toContain(`No apps to start: No legible.config.json in ${empty}, and no package.json either.`);
    expect(status.text).toContain('To define them: Write legible.config.json there (or start Legible with --root');
    expect(status.text).toMatch(/^Telemetry: OTLP\/HTTP at http:\/\/127\.0\.0\.1:\d+\./m);
    // Starting is what fails, with the same words.
    const start = await server.call('app', { action: 'start' });
    expect(start.isError, start.text).toBe(true);
    expect(start.text).toContain(`Error: No legible.config.json in ${empty}, and no package.json either.`);
    expect(start.text).toContain('Next: Write legible.config.json there (or start Legible with --root');
  });

  it('restarts nothing when nothing runs, and names app_start', async () => {
    const restart = await legible.call('app', { action: 'restart' });
    expect(restart.isError, restart.text).toBe(true);
    expect(restart.text).toContain('Error: No app is running (or crashed), so there was nothing to restart; nothing was started.');
    expect(restart.text).toContain('Next: Start them with app {"action":"start"}');
    expect(processesOf(legible.pid()!)).toEqual([]);
    expect((await legible.call('app', { action: 'status' })).text).toMatch(/^api: not started$/m);
  });

  it('says where the apps it started before a failure keep running', async () => {
    const started = Date.now();
    const failed = await legible.call('app', { action: 'start', name: 'web' });
    expect(failed.isError, failed.text).toBe(true);
    expect(failed.text).toMatch(/\n\(api at http:\/\/localhost:\d+ was started by this call before web failed, and keeps running\.\)/);
    // An app that ignores PORT is found out once the port it named answers, not after the whole 20 s.
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(failed.text).toMatch(/Error: web listens on port \d+, not on port \d+ that Legible gave it \(in PORT\): it printed "Server listening on http:\/\/localhost:\d+"/);
    expect(failed.text).toContain('Next: Make it listen on the port Legible gives it: put {port} in its "command"');
    expect(failed.text).toContain('or read process.env.PORT');
  });

  it('says an app without a readiness check was not waited for', async () => {
    const started = await legible.call('app', { action: 'start', name: 'worker' });
    expect(started.isError, started.text).toBe(false);
    expect(started.text).toMatch(/^Started worker: pid \d+; not waited for: it has no port or "ready" check/m);
    expect(started.text).not.toContain('ready in');
  });

  it('restarts the running and crashed apps only, says which had crashed, and reads pino lines in the crash notice', async () => {
    const status = await legible.call('app', { action: 'status' });
    const apiUrl = groupOf(status.text, /^api: running, pid \d+, (\S+),/m);
    await fetch(`${apiUrl}/crash`).catch(() => undefined);
    const deadline = Date.now() + 5_000;
    let notice = '';
    while (Date.now() < deadline && !notice.includes('Notice:')) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      notice = (await legible.call('app', { action: 'status' })).text;
    }
    expect(notice).toMatch(/^Notice: app api exited unexpectedly/m);
    // pino's JSON lines read as they are everywhere else: the message, not the raw JSON.
    expect(notice).toMatch(/^ {2}info: starting$/m);
    expect(notice).not.toContain('{"level":30');
    const restarted = await legible.call('app', { action: 'restart' });
    expect(restarted.isError, restarted.text).toBe(false);
    expect(restarted.text).toMatch(/^Restarted api at http:\/\/localhost:\d+: pid \d+, ready in .*\. It had crashed \(exit code 1, [\d.]+m?s before\)\.$/m);
    expect(restarted.text).toMatch(/^Restarted worker: pid \d+; not waited for/m);
    // idle and web were never running: not started by a restart of "all running".
    expect(restarted.text).not.toMatch(/idle|web/);
    expect((await legible.call('app', { action: 'status' })).text).toMatch(/^idle: not started$/m);
  });

  it('shows the running apps and the config problem when the config breaks later', async () => {
    const file = join(root, 'legible.config.json');
    await writeFile(file, '{"apps": ');
    try {
      const status = await legible.call('app', { action: 'status' });
      expect(status.isError, status.text).toBe(false);
      expect(status.text).toMatch(/^api: running/m);
      expect(status.text).toMatch(/^The config cannot be read now \(app \{"action":"start"\} would fail\): .*legible\.config\.json is not valid JSON/m);
      expect(status.text).toMatch(/^To fix it: Fix the JSON/m);
    } finally {
      await writeFile(file, config);
    }
    expect(readFileSync(file, 'utf8')).toBe(config);
  });

  it('leaves no process behind', async () => {
    const pid = legible.pid()!;
    await legible.close();
    expect(await waitForNoProcessesOf(pid)).toEqual([]);
  });
});
