/**
 * The loop Legible exists for, with real processes: a pino-logging Node API and a real Vite dev
 * server whose page calls the API at {apps.api.url}. Start → navigate → a click whose request
 * fails → the click's report shows the server's error line → fix the data file the API reads →
 * app_restart → the same click passes; a page load's report shows the server's warning.
 * Afterwards no process the server started is left.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsWorkspace, APP_FIXTURES, NODE, nodeApp, processesOf, removeWorkspaces, VITE, waitForNoProcessesOf } from '../helpers/apps.js';
import { groupOf, refOf } from '../helpers/e2e.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

describe('reproduce, fix, restart, prove', () => {
  let legible: LegibleClient;
  let root: string;

  beforeAll(async () => {
    root = await appsWorkspace({});
    await writeFile(join(root, 'prices.json'), JSON.stringify({ 'sku-2': { amount: 3 } }));
    await writeFile(
      join(root, 'legible.config.json'),
      JSON.stringify({
        apps: {
          api: nodeApp('api.mjs', { env: { DATA_FILE: join(root, 'prices.json'), WARN_AT_START: '1' }, ready: { http: '/health', timeout: '20s' } }),
          web: {
            command: [NODE, VITE, '--port', '{port}', '--strictPort'],
            cwd: join(APP_FIXTURES, 'web'),
            port: 'auto',
            env: { VITE_API_URL: '{apps.api.url}', VITE_CACHE_DIR: join(root, '.vite') },
            ready: { timeout: '30s' },
          },
        },
      }),
    );
    legible = await startLegible(['--root', root]);
  });
  afterAll(async () => {
    await legible?.close();
    await removeWorkspaces();
  });

  it('runs the whole loop and leaves no process behind', async () => {
    const call = async (tool: string, args: Record<string, unknown> = {}) => {
      const result = await legible.call(tool, args);
      expect(result.isError, result.text).toBe(false);
      return result.text;
    };
    const started = await call('app', { action: 'start' });
    expect(started).toMatch(/^Started api at http:\/\/localhost:\d+: pid \d+, ready in [\d.]+m?s \(GET http:\/\/localhost:\d+\/health → 200; first output after/m);
    expect(started).toContain('api warn: cache is cold; first requests will be slow');
    const webUrl = groupOf(started, /^Started web at (\S+):/m);
    const apiUrl = groupOf(started, /^Started api at (\S+):/m);

    await call('navigate', { url: webUrl });
    const ref = refOf(await call('snapshot'), 'button', 'Add to cart');
    const failed = await call('click', { ref });
    expect(failed).toContain('Failed: 500');
    expect(failed).toContain(`POST ${apiUrl}/api/cart → 500`);
    expect(failed).toMatch(/Server: 1 warning or error printed by the apps\n  api error: pricing the cart failed — TypeError: Cannot read properties of undefined \(reading 'amount'\) \(POST \/api\/cart\)\n\s+at /);

    // The fix: the price the API reads at start-up.
    await writeFile(join(root, 'prices.json'), JSON.stringify({ 'sku-1': { amount: 3 } }));
    const restarted = await call('app', { action: 'restart', name: 'api' });
    expect(restarted).toMatch(new RegExp(`^Restarted api at ${apiUrl.replace(/[.:/]/g, '\\$&')}: pid \\d+, ready in`, 'm'));

    const passed = await call('click', { ref });
    expect(passed).toContain('Added: total 6');
    expect(passed).not.toContain('Server:');

    // navigate's load report has the Server section too.
    const loaded = await call('navigate', { url: `${apiUrl}/old` });
    expect(loaded).toMatch(/Server: 1 warning or error printed by the apps\n {2}api warn: deprecated endpoint called \(GET \/old\)/);

    const errors = await call('logs', { query: '{app="api"} | json | level="error"' });
    expect(errors).toMatch(/^1 entry in the last 1h/);
    const status = await call('app', { action: 'status' });
    expect(status).toMatch(/^api: running, pid \d+, http:\/\/localhost:\d+, up [\d.]+m?s, 1 restart, last exit: signal SIGTERM \(stopped/m);
    expect(status).toMatch(/^web: running/m);

    const serverPid = legible.pid()!;
    expect(processesOf(serverPid).length).toBeGreaterThanOrEqual(2);
    await legible.close();
    expect(await waitForNoProcessesOf(serverPid)).toEqual([]);
  });
});
