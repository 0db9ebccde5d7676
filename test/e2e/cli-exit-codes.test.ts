/**
 * The command line's exit codes for errors a tool finds in the daemon (README "From the shell"):
 * 2 for input that is wrong — wherever in the layers below the tool it is found, and when a tool
 * passes on a lower layer's error in its own words — and 1 only when the action itself failed.
 * Through the built bin, its daemon and a real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, type Workspace } from '../helpers/cli.js';
import { startFixtureServer, type FixtureServer } from '../helpers/fixtureServer.js';

let fixtures: FixtureServer;
let ws: Workspace;

beforeAll(async () => {
  fixtures = await startFixtureServer();
  ws = await makeWorkspace('cli-exit');
  const opened = await ws.run(['open', `${fixtures.url}/form.html`]);
  expect(opened.code, opened.stdout + opened.stderr).toBe(0);
});

afterAll(async () => {
  await ws?.dispose();
  await fixtures?.close();
});

/** Runs a command with --json and returns its exit code, failure kind and text. */
async function outcome(args: string[]): Promise<{ code: number; failure?: string; text: string }> {
  const run = await ws.run(['--json', ...args]);
  const printed = JSON.parse(run.stdout || '{}') as { failure?: string; text?: string };
  return { code: run.code, failure: printed.failure, text: printed.text ?? run.stderr };
}

describe('wrong input found inside a tool exits 2', () => {
  it.each([
    ['open with both a url and go', ['open', 'http://127.0.0.1:1/', '--go', 'back'], /^Error: Give exactly one of "url" or "go"\./],
    ['journey save with a bad /regex/ expectation', ['journey', 'save', 'bad', '--expect', 'noFailedRequests:/(/'], /^Error: "\/\(\/" is not a valid regular expression/],
    ['a time the metrics tool passes on in its own words', ['metrics', 'up', '--time', 'yesterday'], /^Error: "time": "yesterday" is not a time\./],
    ['a URL that is not one', ['open', 'not a url'], /^Error: "not a url" is not a URL\./],
    ['a scheme navigate does not open', ['open', 'ftp://example.test/'], /^Error: navigate does not open ftp: URLs\./],
    ['a function that is not JavaScript', ['eval', 'function ('], /^Error: The function is not valid JavaScript/],
    ['a key puppeteer does not know', ['press', 'Control+Foo'], /^Error: Could not press "Control\+Foo": Unknown key/],
    ['a page that does not exist', ['pages', 'select', 'p99'], /^Error: There is no page "p99"\./],
    ['a path out of the output folder', ['screenshot', '/etc/legible-x.png'], /^Error: The path "\/etc\/legible-x\.png" leads outside the output folder/],
    ['a ref that is not a ref', ['click', 'button'], /^Error: "button" is not an element ref\./],
  ])('%s', async (_what, args, said) => {
    const result = await outcome(args);
    expect(result.text).toMatch(said);
    expect({ code: result.code, failure: result.failure }).toEqual({ code: 2, failure: 'usage' });
  });
});

describe('an action that failed exits 1', () => {
  it('a stale ref, and an option the select does not have', async () => {
    const snapshot = await ws.run(['snapshot']);
    const select = /combobox "[^"]*" \[ref=(e\d+)\]/.exec(snapshot.stdout)?.[1];
    expect(select, snapshot.stdout).toBeDefined();
    const missing = await outcome(['select', select!, 'no-such-colour']);
    expect(missing.text).toMatch(/^Error: No option matches "no-such-colour"\./);
    expect({ code: missing.code, failure: missing.failure }).toEqual({ code: 1, failure: 'action' });
    const stale = await outcome(['click', 'e9999']);
    expect(stale.text).toMatch(/^Error: Ref "e9999" /);
    expect({ code: stale.code, failure: stale.failure }).toEqual({ code: 1, failure: 'action' });
  });
});
