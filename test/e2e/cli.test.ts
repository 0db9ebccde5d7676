/**
 * The `legible` command line end to end: the built bin (dist/legible-cli.mjs), the daemon it
 * starts (dist/legible.mjs daemon), a real Chromium and the fixture server. Every daemon a test
 * starts is stopped, and the test checks that it and its browser are gone.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { chownSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonPaths } from '../../src/daemon/paths.js';
import { childrenOf, makeWorkspace, type Workspace } from '../helpers/cli.js';
import { isAlive, tempDir, waitForExit } from '../helpers/e2e.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';

let fixtures: FixtureServer;
const workspaces: Workspace[] = [];
/** Other temporary folders the tests make (a shared runtime folder, a skill folder). */
const folders: string[] = [];

async function folder(prefix: string): Promise<string> {
  const made = await tempDir(prefix);
  folders.push(made);
  return made;
}

async function workspace(prefix: string, runtime?: string): Promise<Workspace> {
  const made = await makeWorkspace(prefix, runtime);
  workspaces.push(made);
  return made;
}

beforeAll(async () => {
  fixtures = await startFixtureServer();
});

afterAll(async () => {
  for (const made of workspaces) await made.dispose();
  for (const made of folders) await rm(made, { recursive: true, force: true });
  await fixtures?.close();
});

/** The ref of `role "name"` in a printed outline or report. */
function ref(text: string, role: string, name: string): string {
  const match = new RegExp(`- ${role} "${name}" \\[ref=(e\\d+)\\]`).exec(text);
  if (!match) throw new Error(`no ${role} "${name}" in:\n${text}`);
  return match[1]!;
}

describe('the shop task', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await workspace('cli-shop');
  });

  it('takes four calls, and the click shows the HTTP 500 and the console error (exit 0: the click worked)', async () => {
    const open = await ws.run(['open', `${fixtures.url}/shop.html`]);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout).toContain('Loaded');
    expect(open.stdout).toContain('"Tiny Shop"');

    const page = await ws.run(['snapshot']);
    expect(page.code, page.stderr).toBe(0);
    const box = ref(page.stdout, 'searchbox', 'Search products');

    const typed = await ws.run(['type', box, 'shoes', '--submit']);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stdout).toContain(`Typed "shoes" into searchbox "Search products" [${box}] and pressed Enter.`);
    expect(typed.stdout).toContain('Red shoes');
    expect(typed.stdout).toMatch(/GET \/api\/search\?q=shoes → 200/);
    const add = ref(page.stdout, 'button', 'Add to cart');

    const clicked = await ws.run(['click', add]);
    expect(clicked.code, clicked.stdout).toBe(0);
    expect(clicked.stdout).toContain(`Clicked button "Add to cart" [${add}].`);
    expect(clicked.stdout).toContain('error: Cart failed with status 500');
    expect(clicked.stdout).toMatch(/✗ r\d+ POST \/api\/cart → 500 Internal Server Error/);
  });

  it('saves and replays the journey: exit 1 when its verdict is FAILED', async () => {
    const saved = await ws.run(['journey', 'save', 'cart-500', '--expect', 'noFailedRequests:api/cart']);
    expect(saved.code, saved.stdout).toBe(0);
    expect(saved.stdout).toContain('Saved journey "cart-500"');
    const replayed = await ws.run(['--json', 'journey', 'run', 'cart-500']);
    expect(replayed.code, replayed.stdout).toBe(1);
    const result = JSON.parse(replayed.stdout) as { text: string; failure: string };
    expect(result.failure).toBe('verdict');
    expect(result.text).toMatch(/Journey "cart-500": FAILED/);
    // From a subfolder, a journey file is found where the shell is, not where the daemon runs.
    const sub = join(ws.dir, 'packages', 'web');
    mkdirSync(sub, { recursive: true });
    const byPath = await ws.run(['journey', 'run', '../../recordings/journeys/cart-500.json'], { cwd: sub });
    expect(byPath.code, byPath.stdout).toBe(1);
    expect(byPath.stdout).toMatch(/Journey "cart-500": FAILED/);
  });

  it('prints JSON with --json, and exits 1 when the action fails (a stale ref)', async () => {
    const json = await ws.run(['--json', 'console', '--all']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; exitCode: number; text: string; command: string };
    expect(parsed).toMatchObject({ ok: true, exitCode: 0, command: 'console --all' });
    expect(parsed.text).toContain('Cart failed with status 500');

    const stale = await ws.run(['click', 'e9999', '--json']);
    expect(stale.code).toBe(1);
    expect(JSON.parse(stale.stdout)).toMatchObject({ ok: false, exitCode: 1, failure: 'action' });
    const plain = await ws.run(['click', 'e9999']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^Error: Ref "e9999" /);
    expect(plain.stdout).toContain('Next: Take a new snapshot');
  });

  it('exits 2 on usage errors, with the closest commands and the usage', async () => {
    const unknown = await ws.run(['clik', 'e1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "clik"');
    expect(unknown.stderr).toContain('Did you mean: click');
    // (type's text is optional since it also uploads files and fills forms: select shows a missing argument.)
    const missing = await ws.run(['select', 'e1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('select needs <values>');
    expect(missing.stderr).toContain('Usage: legible select <ref> <values>...');
    const flag = await ws.run(['click', 'e1', '--dubble']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Did you mean --double?');
    const choice = await ws.run(['console', '--level', 'erorr']);
    expect(choice.code).toBe(2);
    expect(choice.stderr).toContain('Did you mean error?');
    // Refused by the tool's own schema in the daemon: still a usage error, in one readable line.
    const schema = await ws.run(['wait', '--timeout', '999999']);
    expect(schema.code).toBe(2);
    expect(schema.stdout).toMatch(/^Error: Invalid arguments for legible wait: "timeout" must be at most 60000 \(got 999999\)\.$/m);
    expect(schema.stdout).toContain('Help: legible wait --help');
  });

  it('prints short help for all commands and for one', async () => {
    const all = await ws.run(['--help']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('record stop');
    expect(all.stdout.split('\n').length).toBeLessThan(60);
    const one = await ws.run(['record', 'start', '--help']);
    expect(one.stdout).toContain('Usage: legible record start [label]');
    expect(one.stdout).toContain('--captions');
    const group = await ws.run(['record']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('record needs one of: start, stop, compare');
  });

  it('runs a batch in order and stops at the first failure', async () => {
    const batch = await ws.run(['batch', `open ${fixtures.url}/shop.html`, 'click e9999', 'snapshot']);
    expect(batch.code).toBe(1);
    expect(batch.stdout).toContain(`> open ${fixtures.url}/shop.html\nLoaded`);
    expect(batch.stdout).toContain('> click e9999\nError: Ref "e9999"');
    expect(batch.stdout).toContain('Stopped at command 2 of 3; the rest did not run.');
    expect(batch.stdout).not.toContain('> snapshot');
    // A usage error anywhere in the batch: nothing runs.
    const bad = await ws.run(['batch', 'snapshot', 'clack e1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Command 2 of the batch ("clack e1"): Unknown command "clack". Nothing ran.');
    expect(bad.stdout).toBe('');
  });

  it('writes a screenshot to a file and prints its path (once, when the tool saved it already)', async () => {
    const shot = await ws.run(['screenshot']);
    expect(shot.code, shot.stdout).toBe(0);
    const image = /^Image: (\S+\.webp)$/m.exec(shot.stdout)?.[1];
    expect(image, shot.stdout).toBeDefined();
    expect(image!.startsWith(`${ws.dir}/recordings/screenshot-`)).toBe(true);
    expect(readFileSync(image!).subarray(8, 12).toString()).toBe('WEBP');
    const saved = await ws.run(['screenshot', 'shots/cart.png']);
    expect(saved.stdout).toContain(`to ${ws.dir}/recordings/shots/cart.png`);
    expect(saved.stdout).not.toContain('Image:');
  });

  it('serialises two commands on one page', async () => {
    const slow = (name: string) => `async () => { window.log = window.log || []; window.log.push('${name} start'); await new Promise((r) => setTimeout(r, 600)); window.log.push('${name} end'); return 1; }`;
    await Promise.all([ws.run(['eval', slow('a')]), ws.run(['eval', slow('b')])]);
    const log = await ws.run(['eval', '() => window.log']);
    const order = JSON.parse(log.stdout.trim()) as string[];
    expect(order).toHaveLength(4);
    expect(order[0]!.split(' ')[0]).toBe(order[1]!.split(' ')[0]); // one ran from start to end before the other
  });
});

describe('the daemon', () => {
  it('is restarted by the next command when it was killed mid-call, which says so', async () => {
    const ws = await workspace('cli-kill');
    expect((await ws.run(['open', `${fixtures.url}/shop.html`])).code).toBe(0);
    const pid = ws.daemonPid()!;
    expect(pid).toBeGreaterThan(0);
    const browser = childrenOf(pid);
    expect(browser.length).toBeGreaterThan(0);
    const slow = ws.run(['eval', 'async () => { await new Promise((r) => setTimeout(r, 8000)); return 1; }']);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    process.kill(pid, 'SIGKILL');
    const cut = await slow;
    expect(cut.code).toBe(2);
    expect(cut.stdout).toContain('Error: The Legible daemon stopped during the call (it crashed or was killed); the call\'s outcome is unknown.');
    await waitForExit(pid);
    for (const child of browser) await waitForExit(child, 15_000); // the browser does not outlive it
    const next = await ws.run(['snapshot']);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toMatch(new RegExp(`^Notice: The Legible daemon for .* had died \\(pid ${pid}\\); its stale socket was cleaned up and a new daemon started\\. The browser was restarted`));
    expect(ws.daemonPid()).not.toBe(pid);
    const again = await ws.run(['snapshot']);
    expect(again.stdout).not.toContain('Notice:');
  });

  it('answers status and stop, and stops by itself when idle', async () => {
    const ws = await workspace('cli-idle');
    const none = await ws.run(['daemon', 'status']);
    expect(none.stdout).toContain('No daemon runs for');
    const started = await ws.run(['daemon', 'start', '--idle-timeout', '2s']);
    expect(started.code, started.stdout + started.stderr).toBe(0);
    const pid = ws.daemonPid()!;
    const status = JSON.parse((await ws.run(['daemon', 'status', '--json'])).stdout) as { pid: number; idleTimeoutMs: number; browser: { running: boolean } };
    expect(status).toMatchObject({ pid, idleTimeoutMs: 2000, browser: { running: false } });
    await waitForExit(pid, 20_000);
    const after = await ws.run(['daemon', 'status']);
    expect(after.stdout).toMatch(/The last one stopped .* ago: idle for 2(\.0+)?s\./);
    const next = await ws.run(['snapshot']);
    expect(next.stdout).toMatch(/^Notice: The Legible daemon for .* had stopped \(idle for 2(\.0+)?s\); a new one started\./);
    const stopped = await ws.run(['daemon', 'stop']);
    expect(stopped.stdout).toMatch(/Stopped the daemon for .* \(pid \d+\); its browser is closed\./);
    expect(ws.daemonPid()).toBeUndefined();
  });

  it('keeps two worktrees apart: a daemon and a browser each', async () => {
    const runtime = await folder('cli-two-rt');
    const [one, two] = [await workspace('cli-one', runtime), await workspace('cli-two', runtime)];
    const [a, b] = await Promise.all([one.run(['open', `${fixtures.url}/shop.html`]), two.run(['open', `${fixtures.url}/form.html`])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(one.daemonPid()).not.toBe(two.daemonPid());
    expect((await one.run(['snapshot'])).stdout).toContain('Tiny Shop');
    expect((await two.run(['snapshot'])).stdout).not.toContain('Tiny Shop');
    // Another session of the same worktree is a third daemon.
    const review = await one.run(['--session', 'review', 'snapshot']);
    expect(review.code).toBe(0);
    expect(review.stdout).not.toContain('Tiny Shop');
    expect(one.daemonPid('review')).not.toBe(one.daemonPid());
    await one.run(['--session', 'review', 'daemon', 'stop']);
  });

  it('refuses a socket that belongs to another user', async () => {
    expect(process.getuid?.(), 'this check needs root, to hand the socket to another user').toBe(0);
    const ws = await workspace('cli-owner');
    const paths = daemonPaths(ws.dir, 'default', ws.env);
    const squatter = createServer(() => undefined);
    await new Promise<void>((resolve) => squatter.listen(paths.socket, resolve));
    try {
      chownSync(paths.socket, 65534, 65534);
      const refused = await ws.run(['snapshot']);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toContain(`The daemon socket ${paths.socket} belongs to user 65534, not to you (0); Legible refuses to use it.`);
    } finally {
      squatter.close();
    }
  });
});

describe('the skill', () => {
  it('installs SKILL.md into a folder', async () => {
    const ws = await workspace('cli-skill');
    const target = await folder('cli-skill-dir');
    const installed = await ws.run(['skill', 'install', '--dir', target]);
    expect(installed.code, installed.stderr).toBe(0);
    const text = readFileSync(`${target}/legible/SKILL.md`, 'utf8');
    expect(text).toMatch(/^---\nname: legible\ndescription: .+\n---\n/);
    expect(text.length).toBeLessThanOrEqual(4_000);
    const byDefault = await ws.run(['skill', 'install']);
    expect(byDefault.stdout).toContain(`${ws.dir}/.claude/skills/legible/SKILL.md`);
    expect(byDefault.stdout).toContain(`${ws.dir}/.agents/skills/legible/SKILL.md`);
    expect(isAlive(process.pid)).toBe(true);
  });
});
