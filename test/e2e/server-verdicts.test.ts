/**
 * Verdicts from the server side, end to end through the MCP client and the `legible-mcp run`
 * command, with the fixture app on the real OpenTelemetry Node SDK (test/fixtures/otel-app):
 * - the basket request fails with a server exception: the "before" run's noServerErrors verdict
 *   names the exception and the span, with its trace id; after the fixture is fixed and restarted
 *   the "after" run passes, and the comparison says "resolved: <exception> in POST /api/basket";
 * - a slow endpoint fails `trace:{ duration > 1s }` with that span named;
 * - `startup:api < 1ms` fails with the measured time;
 * - a bad expression is refused when the journey is saved;
 * - the journey keeps which app its URL belongs to, and replays against that app's current URL;
 * - `legible-mcp run` starts its own instances and stops them; it exits 1 on a server verdict,
 *   0 when all pass;
 * - the report folder holds the spans (OTLP JSON) and logs (NDJSON), and report.html's server
 *   sections render in Chromium.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsWorkspace, otelApp, processesOf, removeWorkspaces, waitForNoProcessesOf } from '../helpers/apps.js';
import { groupOf, refOf, tempDir } from '../helpers/e2e.js';
import { SERVER_ENTRY, startLegible, type LegibleClient } from '../helpers/mcpClient.js';

const EXCEPTION = "TypeError: Cannot read properties of undefined (reading 'price')";

const config = (bug: '0' | '1') => ({ api: otelApp({ BASKET_BUG: bug }), web: otelApp({ API_URL: '{apps.api.url}' }) });

/** Runs `legible-mcp run …`; answers its exit code, output and pid. */
function cliRun(args: string[]): Promise<{ code: number | null; stdout: string; pid: number }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [SERVER_ENTRY, 'run', ...args], { timeout: 150_000 }, (_error, stdout) => resolve({ code: child.exitCode, stdout, pid: child.pid! }));
  });
}

describe('server verdicts: journeys, runs, reports and comparisons', () => {
  let legible: LegibleClient;
  let root = '';
  let output = '';
  let webUrl = '';
  const temps: string[] = [];

  const call = async (tool: string, args: Record<string, unknown> = {}) => {
    const result = await legible.call(tool, args);
    expect(result.isError, result.text).toBe(false);
    return result.text;
  };

  beforeAll(async () => {
    root = await appsWorkspace(config('1'));
    output = await tempDir('verdicts');
    temps.push(output);
    legible = await startLegible(['--root', root, '--output-dir', output]);
    const started = await call('app', { action: 'start' });
    webUrl = groupOf(started, /^Started web at (\S+):/m);
  }, 90_000);

  afterAll(async () => {
    const pid = legible?.pid();
    await legible?.close();
    if (pid) expect(await waitForNoProcessesOf(pid)).toEqual([]);
    await removeWorkspaces();
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('refuses a bad server expectation when the journey is saved, naming it and how to fix it', async () => {
    await call('navigate', { url: webUrl });
    const trace = await legible.call('journey', { action: 'save', name: 'bad', expect: ['trace:{ duration > }'] });
    expect(trace.isError).toBe(true);
    expect(trace.text).toContain('the trace: expectation "{ duration > }" does not parse');
    const metric = await legible.call('journey', { action: 'save', name: 'bad', expect: ['metric:rate(http_server_duration_count[1m])'] });
    expect(metric.isError).toBe(true);
    expect(metric.text).toContain('needs an operator and a number after its PromQL');
    const log = await legible.call('journey', { action: 'save', name: 'bad', expect: ['log:sum(count_over_time({app="api"}[1m]))'] });
    expect(log.isError).toBe(true);
    expect(log.text).toContain('is a LogQL metric query; log: takes a log query');
    const startup = await legible.call('journey', { action: 'save', name: 'bad', expect: ['startup:api fast'] });
    expect(startup.isError).toBe(true);
    expect(startup.text).toContain('is not "startup:<app> < <duration>"');
  });

  it('fails "before" naming the exception and span, passes "after" the fix, and the comparison says what was resolved', async () => {
    await call('navigate', { url: webUrl });
    await call('click', { ref: refOf(await call('snapshot'), 'button', 'Add to basket') });
    const saved = await call('journey', { action: 'save', name: 'basket', expect: ['noServerErrors', 'log:{app="api"} |= "basket failed"'] });
    expect(saved).toContain('- no server errors');
    // The file keeps the Recorder URL as it was, and which app it belongs to.
    const file = JSON.parse(readFileSync(join(output, 'journeys', 'basket.json'), 'utf8')) as { steps: { type: string; name?: string; url?: string; parameters?: unknown }[] };
    expect(file.steps.find((step) => step.type === 'navigate')!.url).toBe(webUrl.endsWith('/') ? webUrl : `${webUrl}/`);
    expect(file.steps.find((step) => step.name === 'legible.apps')!.parameters).toEqual({ web: new URL(webUrl).origin });

    const before = await call('journey', { action: 'run', journey: 'basket', label: 'before' });
    expect(before).toMatch(/^Journey "basket": FAILED/);
    expect(before).toMatch(/✗ no server errors — \d+ error spans? and \d+ error lines? during the run/);
    expect(before).toMatch(new RegExp(`✗ price-basket \\S+ \\(api\\): ${EXCEPTION.replace(/[()]/g, '\\$&')} · trace [0-9a-f]{32} span [0-9a-f]{8}`));
    expect(before).toMatch(/✗ no log line matches \{app="api"\} \|= "basket failed" — 1 line matched during the run\n\s+api error: basket failed — Cannot read properties of undefined \(reading 'price'\) route=\/api\/basket · trace [0-9a-f]{32}/);
    // The step keeps its trace: its failing span is on the step's line.
    expect(before).toMatch(/server: ✗ price-basket \(api\): TypeError[^\n]* · trace [0-9a-f]{32}/);
    expect(before).toMatch(/^Apps: web ready in \S+ \(http:\/\/localhost:\d+\); api ready in \S+ \(/m);

    // The fix: the config says so, and the api restarts.
    await writeFile(join(root, 'legible.config.json'), JSON.stringify({ apps: config('0') }, null, 2));
    await call('app', { action: 'restart', name: 'api' });
    const after = await call('journey', { action: 'run', journey: 'basket', label: 'after' });
    expect(after, after).toMatch(/^Journey "basket": PASSED/);
    expect(after).toContain('✓ no server errors');

    const report = await call('report', { run: 'before', compare: 'after', name: 'basket-fix' });
    expect(report).toMatch(/^Server: \d+ errors? resolved, 0 new;/m);
    expect(report).toContain(`resolved: ${EXCEPTION} in POST /api/basket (api)`);
    expect(report).toMatch(/log gone: api error: .*basket failed/);
    const dir = groupOf(report, /^Folder: (.+)$/m);
    // The spans as OTLP JSON and the app logs as NDJSON, beside the HAR.
    const spans = JSON.parse(readFileSync(join(dir, 'before-spans.json'), 'utf8')) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] };
    expect(spans.resourceSpans.flatMap((batch) => batch.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)))).toContain('price-basket');
    const lines = readFileSync(join(dir, 'before-logs.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { app: string; level: string; line: string; traceId?: string });
    expect(lines.find((line) => line.level === 'error' && line.line.includes('basket failed'))?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(existsSync(join(dir, 'after-spans.json'))).toBe(true);

    // report.html's server sections, in Chromium.
    await call('navigate', { url: `file://${join(dir, 'report.html')}` });
    const page = await call('snapshot');
    expect(page).toMatch(/heading "Server side: what changed"/);
    expect(page).toMatch(/heading "Server side"/);
    expect(page).toMatch(/heading "Apps"/);
    expect(page).toMatch(/heading "Step \d+: click.*Add to basket/);
    expect(page).toContain('resolved');
    const marked = await call('evaluate', { function: '() => [...document.querySelectorAll("#before .wf .row.error .name")].map((e) => e.textContent).join(" | ")' });
    expect(marked).toContain('✗ price-basket');
    await call('screenshot', { fullPage: true, path: 'server-report.png' });
  }, 180_000);

  it('fails a slow span with trace:{ duration > 1s }, naming it', async () => {
    await call('navigate', { url: webUrl });
    await call('click', { ref: refOf(await call('snapshot'), 'button', 'Sales report') });
    await call('journey', { action: 'save', name: 'slow', expect: ['trace:{ duration > 1s }'] });
    const run = await call('journey', { action: 'run', journey: 'slow' });
    expect(run).toMatch(/^Journey "slow": FAILED/);
    expect(run).toMatch(/✗ no span matches \{ duration > 1s \} — \d+ spans? matched during the run/);
    expect(run).toMatch(/slow-query 1\.\d+s \(api\) · trace [0-9a-f]{32}/);
  }, 120_000);

  it('fails startup:api < 1ms with the measured time', async () => {
    const run = await call('journey', { action: 'run', journey: 'basket', expect: ['startup:api < 1ms'] });
    expect(run).toMatch(/✗ api starts in < 1ms — api took \d+(\.\d+)?m?s from spawn to ready \(its start at [^)]+\), over 1ms/);
  }, 120_000);

  it('record compare of two recorded runs adds the server side of the comparison', async () => {
    const runWith = async (bug: '0' | '1', label: string) => {
      await writeFile(join(root, 'legible.config.json'), JSON.stringify({ apps: config(bug) }, null, 2));
      await call('app', { action: 'restart', name: 'api' });
      return call('journey', { action: 'run', journey: 'basket', record: label });
    };
    expect(await runWith('1', 'rec-before')).toMatch(/^Journey "basket": FAILED/);
    expect(await runWith('0', 'rec-after')).toMatch(/^Journey "basket": PASSED/);
    const compared = await call('record', { action: 'compare', a: 'rec-before', b: 'rec-after' });
    expect(compared).toMatch(/^Server: \d+ errors? resolved, 0 new;/m);
    expect(compared).toContain(`resolved: ${EXCEPTION} in POST /api/basket (api)`);
  }, 180_000);

  it('legible-mcp run starts its own apps on their own ports, stops them, and exits 1 on a server verdict, 0 when all pass', async () => {
    const journey = join(output, 'journeys', 'basket.json');
    const cliOutput = await tempDir('verdicts-cli');
    temps.push(cliOutput);
    await writeFile(join(root, 'legible.config.json'), JSON.stringify({ apps: config('1') }, null, 2));
    const failing = await cliRun([journey, '--root', root, '--output-dir', cliOutput, '--label', 'before']);
    expect(failing.stdout).toMatch(/^Journey "basket": FAILED/);
    expect(failing.stdout).toContain(EXCEPTION);
    expect(failing.stdout).toMatch(/^Apps: web started by the run, ready in \S+ \(http:\/\/localhost:(\d+)\)/m);
    // Its own instance of web: another port than the session's, and the journey's URLs moved there.
    expect(failing.stdout).not.toContain(`(${webUrl})`);
    expect(failing.stdout).toMatch(new RegExp(`Moved: web ${new URL(webUrl).origin.replace(/[.:/]/g, '\\$&')} → http://localhost:\\d+`));
    expect(failing.code).toBe(1);
    expect(processesOf(failing.pid)).toEqual([]);

    await writeFile(join(root, 'legible.config.json'), JSON.stringify({ apps: config('0') }, null, 2));
    const reportParent = await tempDir('verdicts-report');
    temps.push(reportParent);
    const report = join(reportParent, 'r');
    const passing = await cliRun([journey, '--root', root, '--apps', '--output-dir', cliOutput, '--label', 'after', '--report', report]);
    expect(passing.stdout, passing.stdout).toMatch(/^Journey "basket": PASSED/);
    expect(passing.stdout).toMatch(/^Apps: api started by the run/m);
    expect(passing.code).toBe(0);
    expect(processesOf(passing.pid)).toEqual([]);
    expect(readdirSync(report)).toEqual(expect.arrayContaining(['after-spans.json', 'after-logs.ndjson', 'after.har', 'report.html']));
  }, 240_000);
});
