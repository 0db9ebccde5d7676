/**
 * What the `legible` bin says and how it exits when the user gets something wrong: the tools'
 * advice in command-line form (never MCP's `tool {json}`), exit 2 for inputs that are wrong (a
 * call without what it needs, a journey or app that does not exist, a /regex/ or a LogQL query
 * that does not parse), and the daemon's own words (status, a deliberate stop, a bad
 * LEGIBLE_IDLE_TIMEOUT). The built bin, a real daemon and Chromium.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, type Workspace } from '../helpers/cli.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';

let fixtures: FixtureServer;
const workspaces: Workspace[] = [];

async function workspace(prefix: string): Promise<Workspace> {
  const made = await makeWorkspace(prefix);
  workspaces.push(made);
  return made;
}

beforeAll(async () => {
  fixtures = await startFixtureServer();
});

afterAll(async () => {
  for (const made of workspaces) await made.dispose();
  await fixtures?.close();
});

/** MCP's way of naming a call: a tool name (with an underscore) or `tool {json}`. */
const MCP_SYNTAX = /\b(?:journey_run|journey_save|record_start|record_stop|press_key|wait_for|app_start|select_option)\b|\b(?:report|snapshot|logs|navigate|journey|record|app|type|click) \{"/;

describe('the command line speaks its own syntax', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await workspace('cli-hints');
    await writeFile(join(ws.dir, 'legible.config.json'), JSON.stringify({ apps: { api: { command: ['node', '-e', 'setInterval(() => {}, 1000)'] } } }));
  });

  it('names the next command as a command to type', async () => {
    expect((await ws.run(['open', `${fixtures.url}/shop.html`])).code).toBe(0);
    const saved = await ws.run(['journey', 'save', 'shop-cart']);
    expect(saved.code, saved.stdout).toBe(0);
    expect(saved.stdout).toContain('Replay: legible journey run shop-cart');
    const ran = await ws.run(['journey', 'run', 'shop-cart']);
    expect(ran.stdout).toMatch(/Report: legible report run-1\b/);
    const recording = await ws.run(['record', 'start']);
    expect(recording.stdout).toContain('then run legible record stop.');
    expect((await ws.run(['record', 'stop'])).code).toBe(0);
    const nothing = await ws.run(['record', 'stop']);
    expect(nothing.stdout).toContain('Next: Start a recording with legible record start first.');
    const wait = await ws.run(['wait']);
    expect(wait.stdout).toContain('Next: For example legible wait Saved or legible wait --ref e12 --gone.');
    // A long page's outline pages and searches with commands too.
    const long = await ws.run(['open', `${fixtures.url}/many-buttons.html`]);
    expect(long.code).toBe(0);
    const page = await ws.run(['snapshot']);
    expect(page.stdout).toMatch(/legible snapshot --(?:search|ref|offset) /);
    for (const run of [saved, ran, recording, nothing, wait, page]) expect(run.stdout).not.toMatch(MCP_SYNTAX);
  });

  it('lists commands, not tools, when a daemon runs with --no-evaluate', async () => {
    const strict = await workspace('cli-hints-strict');
    expect((await strict.run(['daemon', 'start', '--no-evaluate'])).code).toBe(0);
    const refused = await strict.run(['eval', '() => 1']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/^Next: The commands are: open, snapshot, click, type, select, wait, /m);
    expect(refused.stdout).not.toMatch(/press_key|select_option|wait_for|navigate/);
  });

  it('exits 2 when the input is wrong, 1 when the action fails', async () => {
    const cases: [string[], RegExp][] = [
      [['wait'], /^Error: Give exactly one of "text" or "ref"\./m],
      [['journey', 'run', 'no-such-journey'], /^Error: There is no saved journey "no-such-journey"/m],
      [['journey', 'save', 'bad-regex', '--expect', 'noFailedRequests:/(/'], /^Error: "\/\(\/" is not a valid regular expression/m],
      [['logs', '{app='], /^Error: LogQL syntax error at column 6/m],
      [['logs', 'topk(0, count_over_time({app="api"}[5m]))'], /^Error: LogQL: topk needs k of at least 1/m],
      [['app', 'start', 'nope'], /^Error: No app is named "nope" in /m],
      [['report', 'run-99'], /^Error: There is no run "run-99" in this session\./m],
    ];
    for (const [args, said] of cases) {
      const run = await ws.run(['--json', ...args]);
      const result = JSON.parse(run.stdout) as { exitCode: number; failure: string; text: string };
      expect(result.text, args.join(' ')).toMatch(said);
      expect({ code: run.code, failure: result.failure }, `${args.join(' ')}\n${result.text}`).toEqual({ code: 2, failure: 'usage' });
    }
    // An action that fails on the page stays exit 1.
    const stale = await ws.run(['click', 'e999999']);
    expect(stale.code).toBe(1);
  });
});

describe("the daemon's own words", () => {
  it('says how long it has been idle (its own status call does not count), and stays quiet after a deliberate stop', async () => {
    const ws = await workspace('cli-daemon-words');
    expect((await ws.run(['daemon', 'start'])).code).toBe(0);
    const fresh = await ws.run(['daemon', 'status']);
    expect(fresh.stdout).toMatch(/up [\d.]+m?s, no command yet, no other client \(it stops after 30m0s with no client\)\./);
    expect((await ws.run(['snapshot'])).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const idle = await ws.run(['daemon', 'status']);
    expect(idle.stdout).toMatch(/last command (1\.\d+|[2-9]\.\d+)s ago, no other client/);
    expect(idle.stdout).not.toContain('0µs');
    const stopped = await ws.run(['daemon', 'stop']);
    expect(stopped.code).toBe(0);
    const next = await ws.run(['snapshot']);
    expect(next.code, next.stdout).toBe(0);
    expect(next.stdout).not.toContain('Notice:');
  });

  it('names LEGIBLE_IDLE_TIMEOUT, not --idle-timeout, when the variable is wrong', async () => {
    const ws = await workspace('cli-idle-env');
    const bad = await ws.run(['daemon', 'start'], { env: { LEGIBLE_IDLE_TIMEOUT: 'soon' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('LEGIBLE_IDLE_TIMEOUT (in the environment) takes a duration of at least 1s, such as 30m or 2h, not "soon".');
    expect(bad.stderr).toContain('Fix or unset LEGIBLE_IDLE_TIMEOUT, or give --idle-timeout, which wins over it.');
    const flag = await ws.run(['daemon', 'start', '--idle-timeout', 'soon']);
    expect(flag.stderr).toContain('--idle-timeout takes a duration of at least 1s');
  });
});
