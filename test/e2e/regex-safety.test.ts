/**
 * A regular expression the agent (or legible.config.json) gives cannot freeze the server: apps
 * print a line, serve a label and send a span on which `(a+)+$` backtracks for minutes in a
 * JavaScript RegExp; its readiness pattern and LogQL, PromQL and TraceQL queries with that
 * pattern answer at once (RE2, telemetry/regex.ts), and the server answers other calls meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsWorkspace, NODE, nodeApp, removeWorkspaces } from '../helpers/apps.js';
import { startLegible, type LegibleClient } from '../helpers/mcpClient.js';

const VICTIM = `${'a'.repeat(34)}!`;

describe('catastrophic regular expressions', () => {
  let legible: LegibleClient;

  beforeAll(async () => {
    // The victim line first, then one the pattern matches.
    const command = [NODE, '-e', `console.log(${JSON.stringify(VICTIM)}); setTimeout(() => console.log('aaaa'), 100); setInterval(() => {}, 1000);`];
    const root = await appsWorkspace({
      api: { command },
      patient: { command, ready: { log: '^(a+)+$', timeout: '20s' } },
      victim: nodeApp('victim.mjs', { ready: { log: 'spans sent' }, metrics: { path: '/metrics', interval: '100ms' } }),
    });
    legible = await startLegible(['--root', root]);
  });
  afterAll(async () => {
    await legible?.close();
    await removeWorkspaces();
  });

  it('a LogQL line filter answers, and other calls are answered meanwhile', async () => {
    expect((await legible.call('app', { action: 'start', name: 'api' })).isError).toBe(false);
    // Until the app has printed both lines (a plain filter: no regular expression).
    for (let tries = 0; tries < 100 && !/aaaa$/m.test((await legible.call('logs', { query: '{app="api"} |= "aaaa"' })).text.replaceAll(VICTIM, '')); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const query = legible.call('logs', { query: '{app="api"} |~ "(a+)+$"' });
    const status = legible.call('app', { action: 'status' });
    const [logs, other] = await Promise.all([query, status]);
    expect(logs.isError, logs.text).toBe(false);
    expect(logs.text).toContain('aaaa');
    expect(logs.text).not.toContain(VICTIM);
    expect(other.text).toMatch(/api: running/);
    const negated = await legible.call('logs', { query: '{app="api"} !~ "(a+)+$"' });
    expect(negated.text).toContain(VICTIM);
  });

  it('a readiness pattern is matched against every line without stalling the start', async () => {
    const started = await legible.call('app', { action: 'start', name: 'patient' });
    expect(started.isError, started.text).toBe(false);
    expect(started.text).toContain('patient');
  });

  it('PromQL label matchers and TraceQL =~ answer too', async () => {
    expect((await legible.call('app', { action: 'start', name: 'victim' })).isError).toBe(false);
    // Until the first scrape is stored (a plain selector: no regular expression).
    for (let tries = 0; tries < 100 && !(await legible.call('metrics', { query: 'hits_total' })).text.includes('aaaa'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [metrics, traces, other] = await Promise.all([
      legible.call('metrics', { query: 'hits_total{path=~"(a+)+$"}' }),
      legible.call('traces', { query: '{ name =~ "(a+)+$" }' }),
      legible.call('app', { action: 'status' }),
    ]);
    expect(metrics.isError, metrics.text).toBe(false);
    expect(metrics.text).toContain('path="aaaa"');
    expect(metrics.text).not.toContain(VICTIM);
    expect(traces.isError, traces.text).toBe(false);
    expect(traces.text).toMatch(/ aaaa \(victim\)/);
    expect(traces.text).not.toContain(VICTIM);
    expect(other.text).toMatch(/victim: running/);
  });
});
