import { describe, expect, it } from 'vitest';
import { appsOfSteps, journeyApps, rebaseJourney } from '../../src/journey/appUrls.js';
import { parseExpectation, parseJourney, type Journey } from '../../src/journey/schema.js';
import { checkExpectationQueries } from '../../src/journey/serverKinds.js';
import { redactRunServer, type RunServer } from '../../src/journey/serverRecord.js';
import { diffServer, lineShape, serverErrors } from '../../src/report/serverDiff.js';
import type { RunRecord } from '../../src/report/runs.js';
import type { CompactSpan } from '../../src/telemetry/traces/compactSpans.js';
import { UsageError } from '../../src/util/errors.js';

describe('server expectations as short strings', () => {
  it('parses each kind', () => {
    expect(parseExpectation('noServerErrors')).toEqual({ type: 'noServerErrors' });
    expect(parseExpectation('noServerErrors:api')).toEqual({ type: 'noServerErrors', app: 'api' });
    expect(parseExpectation('log:{app="api"} |= "x"')).toEqual({ type: 'log', query: '{app="api"} |= "x"' });
    expect(parseExpectation('!trace:{ status = error }')).toEqual({ type: 'trace', query: '{ status = error }', present: true });
    expect(parseExpectation('metric:histogram_quantile(0.95, sum by (le) (rate(x_bucket[1m]))) <= 0.3')).toEqual({
      type: 'metric',
      query: 'histogram_quantile(0.95, sum by (le) (rate(x_bucket[1m])))',
      op: '<=',
      value: 0.3,
    });
    expect(parseExpectation('startup:api < 800ms')).toEqual({ type: 'startup', app: 'api', op: '<', ms: 800 });
    expect(parseExpectation('startup:web <= 2s')).toEqual({ type: 'startup', app: 'web', op: '<=', ms: 2000 });
  });

  it('refuses what cannot be checked, saying how to write it', () => {
    expect(() => parseExpectation('!noServerErrors')).toThrow(/can be negated/);
    expect(() => parseExpectation('metric:rate(x[1m])')).toThrow(UsageError);
    expect(() => parseExpectation('startup:api > 1s')).toThrow(/startup:<app> < <duration>/);
    expect(() => parseExpectation('log:')).toThrow(/needs something after "log:"/);
  });

  it('parses the queries with the real grammars, naming the expression and where it is', async () => {
    await expect(checkExpectationQueries([{ type: 'trace', query: '{ duration > }' }], () => 'Step 3 of cart.json')).rejects.toThrow(/^Step 3 of cart\.json: the trace: expectation "\{ duration > \}" does not parse/);
    await expect(checkExpectationQueries([{ type: 'metric', query: 'rate(x[1m]' }])).rejects.toThrow(/the metric: expectation "rate\(x\[1m\]" does not parse/);
    await expect(checkExpectationQueries([{ type: 'metric', query: 'x[5m]' }])).rejects.toThrow(/range vector; metric: compares an instant vector/);
    await expect(checkExpectationQueries([{ type: 'log', query: 'rate({app="api"}[1m])' }])).rejects.toThrow(/LogQL metric query/);
    await expect(checkExpectationQueries([{ type: 'log', query: '{app="api"} |= "x"' }, { type: 'trace', query: '{ duration > 1s }' }, { type: 'metric', query: 'sum(up)' }])).resolves.toBeUndefined();
  });
});

describe('app URLs in journeys', () => {
  const flow = (url: string, extra: object[] = []): Journey =>
    parseJourney(
      JSON.stringify({
        title: 't',
        steps: [
          { type: 'customStep', name: 'legible.apps', parameters: { web: 'http://localhost:41000' } },
          { type: 'navigate', url, assertedEvents: [{ type: 'navigation', url }] },
          ...extra,
        ],
      }),
      't.json',
    );

  it('names the app of each origin a flow uses, loopback spellings as one', () => {
    const origins = new Map([['http://localhost:41000', 'web']]);
    expect(appsOfSteps([{ type: 'navigate', url: 'http://localhost:41000/shop?x=1' }], origins)).toEqual({ web: 'http://localhost:41000' });
    expect(appsOfSteps([{ type: 'navigate', url: 'https://example.com/' }], origins)).toBeUndefined();
  });

  it('moves every URL of a recorded app to where it runs now, keeping the rest as written', () => {
    const journey = flow('http://127.0.0.1:41000/cart#top', [{ type: 'customStep', name: 'legible.mock', parameters: { url: 'http://localhost:41000/api/*', status: 500 } }]);
    expect(journeyApps(journey)).toEqual({ web: 'http://localhost:41000' });
    const { journey: moved, moved: list } = rebaseJourney(journey, new Map([['web', 'http://localhost:42000']]));
    expect(list).toEqual([{ app: 'web', from: 'http://localhost:41000', to: 'http://localhost:42000' }]);
    const steps = moved.steps as { type: string; url?: string; assertedEvents?: { url: string }[]; parameters?: { url?: string } }[];
    // 127.0.0.1 stays 127.0.0.1 (cookies are per host name); only the port moves.
    expect(steps[1]!.url).toBe('http://127.0.0.1:42000/cart#top');
    expect(steps[1]!.assertedEvents![0]!.url).toBe('http://127.0.0.1:42000/cart#top');
    expect(steps[2]!.parameters!.url).toBe('http://localhost:42000/api/*');
    // Not running: as recorded.
    expect(rebaseJourney(journey, new Map()).journey).toBe(journey);
  });

  it('refuses a broken legible.apps step when the file is read', () => {
    expect(() => parseJourney(JSON.stringify({ title: 't', steps: [{ type: 'customStep', name: 'legible.apps', parameters: { web: 'not a url' } }] }), 't.json')).toThrow(/legible\.apps step that does not parse/);
  });
});

const span = (over: Partial<CompactSpan>): CompactSpan => ({ traceId: 't1', spanId: 's', name: 'x', service: 'api', startMs: 0, durationMs: 1, depth: 0, status: 'unset', ...over });

function run(spans: CompactSpan[], lines: string[] = []): RunRecord {
  return {
    steps: [{ index: 1, type: 'click', description: 'click', status: 'passed', errors: [], failedRequests: [], ms: 1, server: { traceId: 't1', spans, spansMore: 0, logs: [], logsMore: 0 } }],
    server: { startMs: 0, endMs: 1, apps: [], resourceSpans: [], spansDropped: 0, logs: lines.map((line, i) => ({ timeMs: i, app: 'api', level: 'error', line })), logsDropped: 0 },
  } as unknown as RunRecord;
}

describe('server diff', () => {
  const failing = [
    span({ spanId: 'a', name: 'POST /api/basket', route: '/api/basket', httpStatus: 500, status: 'error', durationMs: 7 }),
    span({ spanId: 'b', parentId: 'a', name: 'price-basket', status: 'error', exception: 'TypeError: boom', depth: 1 }),
    span({ spanId: 'c', name: 'POST /api/basket', service: 'browser', status: 'error' }),
  ];
  it('names an error by its exception and the HTTP span it happened in; the bare 500 it explains and the browser are left out', () => {
    expect(serverErrors(failing.filter((s) => s.service !== 'browser'))).toEqual([{ what: 'TypeError: boom', where: 'POST /api/basket', service: 'api', count: 1, traceId: 't1' }]);
  });

  it('says what was resolved, what is new, which spans moved, which lines came and went', () => {
    const fixed = [span({ spanId: 'a', name: 'POST /api/basket', route: '/api/basket', httpStatus: 200, durationMs: 60 }), span({ spanId: 'b', parentId: 'a', name: 'price-basket', depth: 1 })];
    const diff = diffServer(run(failing, ['{"level":50,"time":1,"pid":9,"msg":"basket failed"}']), run(fixed, ['{"level":50,"time":2,"pid":7,"msg":"stock low 3"}']))!;
    expect(diff.resolved.map((e) => `${e.what} in ${e.where}`)).toEqual(['TypeError: boom in POST /api/basket']);
    expect(diff.added).toEqual([]);
    expect(diff.spans).toEqual([
      { service: 'api', name: 'POST /api/basket', kind: 'slower', before: { count: 1, meanMs: 7, errors: 1 }, after: { count: 1, meanMs: 60, errors: 0 } },
      { service: 'api', name: 'price-basket', kind: 'errors', before: { count: 1, meanMs: 1, errors: 1 }, after: { count: 1, meanMs: 1, errors: 0 } },
    ]);
    expect(diff.appeared.map((l) => l.line)).toEqual(['stock low 3']);
    expect(diff.disappeared.map((l) => l.line)).toEqual(['basket failed']);
    expect(diffServer({ steps: [] } as unknown as RunRecord, { steps: [] } as unknown as RunRecord)).toBeUndefined();
  });

  it('compares log lines with their numbers and ids masked', () => {
    expect(lineShape('took 12.5 ms for order 4bf92f3577b34da6')).toBe(lineShape('took 7 ms for order 00f067aa0ba902b7'));
  });
});

describe('a run keeps its server side redacted', () => {
  it('redacts secret attributes of OTLP spans and secrets in log lines', () => {
    const server: RunServer = {
      startMs: 0,
      endMs: 1,
      apps: [],
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 't', spanId: 's', name: 'GET /?token=abc123', attributes: [{ key: 'http.request.header.authorization', value: { stringValue: 'Bearer xyz' } }] }] }] }] as RunServer['resourceSpans'],
      spansDropped: 0,
      logs: [{ timeMs: 0, app: 'api', level: 'info', line: 'login password=hunter2' }],
      logsDropped: 0,
    };
    const text = JSON.stringify(redactRunServer(server));
    expect(text).not.toContain('xyz');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('abc123');
  });
});
