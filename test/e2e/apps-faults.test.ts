/**
 * Apps that go wrong, each a real process: a command that does not exist, an app that exits
 * during start-up, one that never becomes ready, a health check that answers 500, a fixed port
 * that is taken, an app that crashes on a request, one that floods its output; and configs that
 * do not parse. Each gives a clear error within a bounded time, and leaves no process behind.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsWorkspace, NODE, nodeApp, processesOf, removeWorkspaces, waitForNoProcessesOf } from '../helpers/apps.js';
import { groupOf } from '../helpers/e2e.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

describe('apps that go wrong', () => {
  let legible: LegibleClient;
  let root: string;
  let blocker: Server;
  let takenPort: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    takenPort = (blocker.address() as { port: number }).port;
    root = await appsWorkspace({
      missing: { command: ['legible-no-such-command-xyz'], port: 'auto' },
      missingShell: { command: 'legible-no-such-command-xyz --port {port}', port: 'auto' },
      exits: { command: [NODE, '-e', "console.error('Error: DATABASE_URL is not set'); process.exit(3)"], port: 'auto' },
      never: nodeApp('never-ready.mjs', { ready: { tcp: true, timeout: '1500ms' } }),
      sick: nodeApp('status500.mjs', { ready: { http: '/health', timeout: '1500ms' } }),
      taken: nodeApp('crash.mjs', { port: takenPort }),
      crash: nodeApp('crash.mjs'),
      flood: nodeApp('flood.mjs'),
    });
    legible = await startLegible(['--root', root, '--log-entries', '50000']);
  });
  afterAll(async () => {
    await legible?.close();
    blocker?.close();
    await removeWorkspaces();
  });

  async function failure(args: Record<string, unknown>, action = 'start'): Promise<string> {
    const started = Date.now();
    const result = await legible.call('app', { action, ...args });
    expect(result.isError, result.text).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    return result.text;
  }

  it('lists the configured apps for an unknown name', async () => {
    const text = await failure({ name: 'nope' });
    expect(text).toContain('Error: No app is named "nope" in');
    expect(text).toContain('Next: The apps are: missing, missingShell, exits, never, sick, taken, crash, flood.');
    expect((await legible.call('app', { action: 'stop', name: 'nope' })).text).toContain('No app is named "nope"');
  });

  it('says when the command does not exist, as argv or in a shell', async () => {
    expect(await failure({ name: 'missing' })).toContain('Error: missing could not start: the command "legible-no-such-command-xyz" was not found.\n');
    const shell = await failure({ name: 'missingShell' });
    expect(shell).toContain('the command "legible-no-such-command-xyz" was not found');
    expect(shell).toMatch(/not found/);
  });

  it('reports an app that exits during start-up with its exit code and last lines', async () => {
    const text = await failure({ name: 'exits' });
    expect(text).toMatch(/^Error: exits exited during start-up \(exit code 3, after \d+ ms\)\.\nLast output of exits:\n {2}stderr\| Error: DATABASE_URL is not set\n/m);
    expect(text).toContain('Next: Fix what its last lines of output show, then start it again. (app {"action":"start","name":"exits"})');
  });

  it('gives up on an app that never becomes ready, says what it waited for, and stops it', async () => {
    const starting = failure({ name: 'never' });
    // app_status answers at once meanwhile, not after the start gave up.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const before = Date.now();
    const status = await legible.call('app', { action: 'status' });
    expect(Date.now() - before).toBeLessThan(800);
    expect(status.text).toMatch(/^never: starting, pid \d+, http:\/\/localhost:\d+$/m);
    const text = await starting;
    expect(text).toMatch(/^Error: never was not ready after 1\.5 s: Legible waited for port \d+ accepting connections; last seen: port \d+ refused connections\. It was stopped\./m);
    expect(text).toContain('stderr| WARN: no database configured, waiting for one');
    expect(text).toContain('logs {"query":"{app=\\"never\\"}"}');
    expect((await legible.call('app', { action: 'status' })).text).toMatch(/^never: failed, port \d+, last exit: signal SIGTERM \(failed to start/m);
  });

  it('names the status of a health check that answers 500', async () => {
    const text = await failure({ name: 'sick' });
    expect(text).toMatch(/last seen: GET http:\/\/localhost:\d+\/health answered 500\./);
    expect(text).toContain('listening with a broken health check');
  });

  it('refuses a fixed port that is already in use', async () => {
    const text = await failure({ name: 'taken' });
    expect(text).toContain(`Error: Port ${takenPort} of taken is already in use: something else listens there.`);
    expect(text).toContain('"port": "auto"');
  });

  it('tells the next call when an app crashes, with its last lines', async () => {
    const started = await legible.call('app', { action: 'start', name: 'crash' });
    expect(started.isError, started.text).toBe(false);
    const url = groupOf(started.text, /^Started crash at (\S+):/m);
    const pid = Number(groupOf(started.text, /pid (\d+)/));
    await fetch(`${url}/boom`).catch(() => undefined);
    // Wait for the exit to be seen, then any tool call carries the notice.
    const deadline = Date.now() + 5_000;
    while (processesOf(legible.pid()!).includes(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await legible.call('app', { action: 'status' });
    expect(next.text).toMatch(/^Notice: app crash exited unexpectedly \(exit code 1\) after running [\d.]+m?s\. Restart it with app \{"action":"restart","name":"crash"\}/m);
    expect(next.text).toContain("TypeError: Cannot read properties of undefined (reading 'id')");
    expect(next.text).toMatch(/^crash: crashed, port \d+, last exit: exit code 1 \(crashed/m);
    // Said once.
    expect((await legible.call('app', { action: 'status' })).text).not.toContain('Notice:');
  });

  it('stays responsive and bounded while an app floods its output', async () => {
    const started = await legible.call('app', { action: 'start', name: 'flood' });
    expect(started.isError, started.text).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const before = Date.now();
    const status = await legible.call('app', { action: 'status' });
    expect(Date.now() - before).toBeLessThan(1_500);
    expect(status.text).toMatch(/flood: running, pid \d+/);
    expect(status.text).toMatch(/flood: .*, \d+ old log entries dropped/);
    const errors = await legible.call('logs', { query: '{app="flood"} | json | level="error"', limit: 3 });
    expect(errors.text).toMatch(/entries in the last 1h, newest first \(showing 3\)/);
    expect(errors.text).toContain('Note: ');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${legible.pid()}/status`, 'utf8'))![1]) / 1024;
    expect(rss, 'resident memory of the Legible server, MB').toBeLessThan(400);
    const stopped = await legible.call('app', { action: 'stop', name: 'flood' });
    expect(stopped.text).toMatch(/^Stopped flood \(/);
  });

  it('says where a config is broken: JSON syntax, or a wrong value by its path', async () => {
    const file = join(root, 'legible.config.json');
    const good = readFileSync(file, 'utf8');
    await writeFile(file, '{"apps": {"api": {"command": "x",}}}');
    expect(await failure({})).toMatch(/Error: .*legible\.config\.json is not valid JSON at line 1, column \d+/);
    await writeFile(file, JSON.stringify({ apps: { api: { command: 'x', port: 'sometimes' } } }));
    expect(await failure({})).toContain('apps.api.port: expected "auto" or a port number from 1 to 65535');
    await writeFile(file, good);
  });

  it('leaves no process behind once the server exits', async () => {
    const pid = legible.pid()!;
    await legible.close();
    expect(await waitForNoProcessesOf(pid)).toEqual([]);
  });
});
