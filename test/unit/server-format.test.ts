import { beforeAll, describe, expect, it } from 'vitest';
import { loadLogql } from '../../src/telemetry/logs/logql/parse.js';
import { formatLogText } from '../../src/format/logLine.js';
import { formatLogsAnswer } from '../../src/format/logsFormat.js';
import { formatServerSection } from '../../src/format/serverFormat.js';
import { watchActivity } from '../../src/telemetry/activity.js';
import { runLogql } from '../../src/telemetry/logs/logql/query.js';
import type { LoggedLine } from '../../src/telemetry/logs/recent.js';
import { LogStore } from '../../src/telemetry/logs/store.js';

beforeAll(loadLogql);

const line = (text: string, level: LoggedLine['level'], stream = 'stdout', app = 'api'): LoggedLine => ({ timeMs: 0, labels: { app, stream }, level, line: text });

describe('formatLogText', () => {
  it('redacts credentials the app printed, structured or not, in the line and its extra lines', () => {
    const pino = JSON.stringify({ level: 50, msg: 'login failed', password: 'hunter2SECRET', headers: { authorization: 'Bearer tokSECRET123' } });
    const shown = formatLogText(pino, { max: 400, extraLines: 2 });
    expect(shown).toContain('login failed');
    expect(shown).not.toMatch(/hunter2SECRET|tokSECRET123/);
    const plain = formatLogText('Authorization: Bearer plainSECRET456 api_key=keySECRET789\n  at login (/app/x.js:1:1) token=tokSECRET000', { max: 400, extraLines: 2 });
    expect(plain).not.toMatch(/plainSECRET456|keySECRET789|tokSECRET000/);
    expect(plain).toContain('at login');
  });

  it("shows a pino line as its message, its error and request, then the other fields, and its stack's first frames", () => {
    const pino = JSON.stringify({
      level: 50,
      time: 1,
      pid: 7,
      hostname: 'h',
      err: { type: 'TypeError', message: 'x is undefined', stack: 'TypeError: x is undefined\n    at a (a.js:1:1)\n    at b (b.js:2:2)\n    at c (c.js:3:3)' },
      req: { method: 'POST', url: '/api/cart' },
      res: { statusCode: 500 },
      msg: 'request failed',
      cartId: 'c1',
    });
    expect(formatLogText(pino, { max: 300, extraLines: 2 })).toBe('request failed — TypeError: x is undefined (POST /api/cart → 500) cartId=c1\n    at a (a.js:1:1)\n    at b (b.js:2:2)\n    … 1 more line');
    expect(formatLogText(pino, { max: 1_000, extraLines: 0, raw: true })).toBe(pino);
  });

  it('shows logfmt and plain lines, cut to the budget', () => {
    expect(formatLogText('level=warn msg="disk full" pct=91', { max: 100, extraLines: 0 })).toBe('disk full pct=91');
    expect(formatLogText('x'.repeat(50), { max: 10, extraLines: 0 })).toBe('xxxxxxxxxx… [40 more characters]');
  });
});

describe('formatServerSection', () => {
  it('folds repeats, names app and level, and says how to see the rest', () => {
    const section = formatServerSection(
      { logs: [line('{"level":50,"msg":"db down"}', 'error'), line('{"level":50,"msg":"db down"}', 'error'), line('proxy error: ECONNREFUSED', 'unknown', 'stderr', 'web')], more: 2 },
      { logs: 'logs', traces: 'traces' },
    );
    expect(section).toBe(
      [
        'Server: 5 warnings and errors printed by the apps',
        '  api error: db down ×2',
        '  web stderr: proxy error: ECONNREFUSED',
        '  … 2 more: see logs {"query":"{app=~\\".+\\"} | detected_level=~\\"warn|error|fatal\\"","since":"5m"}',
      ].join('\n'),
    );
    expect(formatServerSection(undefined, { logs: 'logs', traces: 'traces' })).toBe('');
  });
});

describe('watchActivity', () => {
  it('answers the problem lines since the action began, after storing what was held back', async () => {
    const store = new LogStore();
    store.append({ timeMs: 1, labels: { app: 'api', stream: 'stdout' }, line: 'ERROR before the action' });
    let held: string | undefined;
    const watch = watchActivity(store, {
      active: () => true,
      flush: () => {
        if (held) store.append({ timeMs: 3, labels: { app: 'api', stream: 'stderr' }, line: held });
        held = undefined;
      },
      idle: async () => undefined,
      origins: () => new Map(),
    });
    const action = watch.begin();
    store.append({ timeMs: 2, labels: { app: 'api', stream: 'stdout' }, line: 'INFO fine' });
    // A line still waiting for a possible stack trace when the action settled.
    held = 'Error: late';
    const activity = await action.finish();
    expect(activity?.logs.map((logged) => logged.line)).toEqual(['Error: late']);
    expect(await watch.begin().finish()).toBeUndefined();
  });

  it('files a line held back before the action began under the time before it, not under the action', async () => {
    const store = new LogStore();
    // A warning printed at start-up, still held back (waiting for a possible stack trace) when the action begins.
    let held: string | undefined = 'WARN cache is cold';
    const watch = watchActivity(store, {
      active: () => true,
      flush: () => {
        if (held) store.append({ timeMs: 1, labels: { app: 'api', stream: 'stdout' }, line: held });
        held = undefined;
      },
      idle: async () => undefined,
      origins: () => new Map(),
    });
    const action = watch.begin();
    store.append({ timeMs: 2, labels: { app: 'api', stream: 'stdout' }, line: 'INFO added to cart' });
    expect(await action.finish()).toBeUndefined();
  });
});

describe('formatLogsAnswer', () => {
  it('lists entries newest first within the budget and says how many more there are', () => {
    const store = new LogStore();
    const now = Date.now();
    for (let i = 0; i < 50; i++) store.append({ timeMs: now - 50_000 + i * 1_000, labels: { app: 'api', stream: i % 2 ? 'stderr' : 'stdout' }, line: JSON.stringify({ level: 30, msg: `request ${i}` }) });
    const answer = runLogql(store, '{app="api"}', { startMs: now - 3_600_000, endMs: now, limit: 100 });
    const text = formatLogsAnswer(answer.data, answer.stats, { budget: 300, query: '{app="api"}', raw: false, tool: 'logs' });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^50 entries in the last 1h, newest first \(showing \d+\); times UTC:$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} stderr info request 49$/);
    expect(lines[2]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} info request 48$/);
    expect(text).toMatch(/… \d+ more: narrow the query/);
    expect(text.length).toBeLessThan(800);
  });

  it('lists metric series by size with their points', () => {
    const store = new LogStore();
    const now = Date.now();
    for (let i = 0; i < 30; i++) store.append({ timeMs: now - i * 1_000, labels: { app: i % 3 ? 'api' : 'web' }, line: 'x' });
    const answer = runLogql(store, 'sum by (app) (count_over_time({app=~".+"}[1h]))', { startMs: now - 3_600_000, endMs: now, limit: 0 });
    expect(formatLogsAnswer(answer.data, answer.stats, { budget: 1_000, query: '', raw: false, tool: 'logs' }).split('\n')).toEqual([
      expect.stringMatching(/^2 series over 1h up to \d\d:\d\d:\d\d\.\d{3} UTC:$/),
      '{app="api"} 20',
      '{app="web"} 10',
    ]);
  });
});
