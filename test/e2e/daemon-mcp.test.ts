/**
 * `legible-mcp --daemon`: an MCP client over stdio and the legible command line share the
 * workspace's daemon, so both see the same browser; when the daemon dies, the MCP client's next
 * call starts a new one and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, type Workspace } from '../helpers/cli.js';
import { waitForExit } from '../helpers/e2e.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

let fixtures: FixtureServer;
let ws: Workspace;
let mcp: LegibleClient | undefined;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  ws = await makeWorkspace('daemon-mcp');
});

afterAll(async () => {
  const proxy = mcp?.pid();
  await mcp?.close();
  if (proxy) await waitForExit(proxy); // the proxy goes with its client; the daemon is the workspace's
  await ws?.dispose();
  await fixtures?.close();
});

describe('legible-mcp --daemon', () => {
  it('shares the browser with the command line, and survives the daemon dying mid-call', async () => {
    const opened = await ws.run(['open', `${fixtures.url}/shop.html`]);
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    const pid = ws.daemonPid()!;
    mcp = await startLegible(['--daemon'], { ...ws.env }, ws.dir);
    const listed = await mcp.client.listTools();
    expect(listed.tools.map((tool) => tool.name)).toContain('click');
    const seen = await mcp.call('snapshot', { search: 'Add to cart' });
    expect(seen.isError, seen.text).toBe(false);
    expect(seen.text).toContain('Tiny Shop');
    // What the agent does, the person's command line sees.
    await mcp.call('navigate', { url: `${fixtures.url}/form.html` });
    expect((await ws.run(['snapshot'])).stdout).not.toContain('Tiny Shop');

    // Killed during a call: that call is answered with an error that says so; the next one works.
    const slow = mcp.call('evaluate', { function: 'async () => { await new Promise((r) => setTimeout(r, 8000)); return 1; }' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    process.kill(pid, 'SIGKILL');
    const cut = await slow;
    expect(cut.isError).toBe(true);
    expect(cut.text).toContain('The Legible daemon stopped during the call');
    await waitForExit(pid);
    const after = await mcp.call('snapshot');
    expect(after.isError, after.text).toBe(false);
    expect(after.text).toMatch(/^Notice: The Legible daemon for .* had died \(pid \d+\); its stale socket was cleaned up and a new daemon started\. The browser was restarted/);
    const newPid = ws.daemonPid();
    expect(newPid).toBeGreaterThan(0);
    expect(newPid).not.toBe(pid);
    ws.started.add(newPid!);
    // The command line uses the new daemon without a notice: the MCP call already started it.
    const next = await ws.run(['snapshot']);
    expect(next.stdout).not.toContain('Notice:');
  });
});
