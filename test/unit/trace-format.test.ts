/**
 * The trace formatters on hand-made traces: the search list, the depth-first outline (indent,
 * self time, status, folding, budget and paging), the critical path, and one span's details.
 */
import { describe, expect, it } from 'vitest';
import { formatSpan } from '../../src/format/spanFormat.js';
import { formatTraceOutline } from '../../src/format/traceOutlineFormat.js';
import { formatTraceSearch } from '../../src/format/traceSearchFormat.js';
import type { Span } from '../../src/telemetry/otlp/model.js';
import { buildTraceTree, criticalPath, criticalSpans } from '../../src/telemetry/traces/analysis.js';
import type { TempoSearchResponse, TempoTrace } from '../../src/telemetry/traces/tempo.js';

const T0 = 1_764_496_800_000;
const ns = (ms: number) => `${BigInt(Math.round((T0 + ms) * 1e6))}`;
const TRACE = 'abcdef0123456789abcdef0123456789';

function span(id: string, parent: string | undefined, name: string, start: number, ms: number, extra: Partial<Span> = {}): Span {
  return { traceId: TRACE, spanId: id.padEnd(16, '0'), ...(parent ? { parentSpanId: parent.padEnd(16, '0') } : {}), name, startTimeUnixNano: ns(start), endTimeUnixNano: ns(start + ms), ...extra };
}

const STACK = ['TypeError: boom', ...Array.from({ length: 40 }, (_, i) => `    at frame${i} (/app/src/file${i}.js:${i + 1}:5)`)].join('\n');

/** GET /checkout (api, 1.3 s): validate 10 ms, slow-query 1.2 s (db), then a failing charge span. */
function checkout(): TempoTrace {
  return {
    batches: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
        scopeSpans: [
          {
            spans: [
              span('a1', undefined, 'GET /checkout', 0, 1300, { kind: 2, status: { code: 2 } }),
              span('b2', 'a1', 'validate', 5, 10),
              span('d4', 'a1', 'charge', 1220, 60, {
                status: { code: 2, message: 'boom' },
                attributes: [
                  { key: 'payment.provider', value: { stringValue: 'x'.repeat(500) } },
                  { key: 'http.request.header.authorization', value: { stringValue: 'Bearer abcDEF123456789' } },
                  { key: 'url.full', value: { stringValue: 'https://pay.example/charge?api_key=sk_live_42&amount=3' } },
                ],
                events: [
                  {
                    timeUnixNano: ns(1250),
                    name: 'exception',
                    attributes: [
                      { key: 'exception.type', value: { stringValue: 'TypeError' } },
                      { key: 'exception.message', value: { stringValue: 'boom' } },
                      { key: 'exception.stacktrace', value: { stringValue: STACK } },
                    ],
                  },
                ],
              }),
            ],
          },
        ],
      },
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'db' } }] },
        scopeSpans: [{ spans: [span('c3', 'a1', 'slow-query', 15, 1200, { kind: 3 })] }],
      },
    ],
  };
}

describe('trace analysis', () => {
  it('computes self time from the union of the children, and the critical path', () => {
    const tree = buildTraceTree(checkout());
    expect(tree.nodes.map((n) => `${'  '.repeat(n.depth)}${n.span.name}`)).toEqual(['GET /checkout', '  validate', '  slow-query', '  charge']);
    const root = tree.nodes[0]!;
    // 1300 − (validate 10 + slow-query 1200 − overlap 0 + charge 60) − gap … = 30 ms of its own.
    expect(root.selfMs).toBeCloseTo(30, 3);
    const path = criticalSpans(criticalPath(tree));
    expect(path.map((p) => [p.node.span.name, Math.round(p.ms)])).toEqual([
      ['GET /checkout', 30],
      ['validate', 10],
      ['slow-query', 1200],
      ['charge', 60],
    ]);
  });

  it('follows the child that finished last when children overlap', () => {
    const tree = buildTraceTree({
      resourceSpans: [{ scopeSpans: [{ spans: [span('01', undefined, 'root', 0, 100), span('02', '01', 'fast', 0, 30), span('03', '01', 'slow', 0, 90)] }] }],
    });
    const path = criticalSpans(criticalPath(tree));
    expect(path.map((p) => [p.node.span.name, Math.round(p.ms)])).toEqual([
      ['slow', 90],
      ['root', 10],
    ]);
  });
});

describe('formatTraceOutline', () => {
  it('shows the header, critical path, errors and a depth-first outline with duration, self time and status', () => {
    const text = formatTraceOutline(checkout());
    expect(text).toBe(
      [
        `Trace ${TRACE} · GET /checkout (api) · 1.3s · 4 spans · services: api 3, db 1 · ✗ 2 errors · started 2025-11-30T10:00:00.000Z`,
        'Critical path (1.3s): GET /checkout 30ms [a1000000] → validate 10ms [b2000000] → slow-query 1.2s [c3000000] → charge 60ms [d4000000]',
        'Most of it: slow-query [c3000000], 1.2s (92%) on its own.',
        'Errors:',
        '  ✗ GET /checkout [a1000000] error',
        '  ✗ charge [d4000000] error: boom',
        'Spans, depth first (duration · self time · status):',
        '✗ GET /checkout · server · 1.3s · self 30ms · error · api [a1000000]',
        '  validate · 10ms [b2000000]',
        '  slow-query · client · 1.2s · db [c3000000]',
        '  ✗ charge · 60ms · error: boom [d4000000]',
        'Details of one span (attributes, events, exception): ask by its [id].',
      ].join('\n'),
    );
  });

  it('folds runs of look-alike sibling leaves, and pages past the budget', () => {
    const spans = [span('01', undefined, 'GET /list', 0, 500, { kind: 2 })];
    for (let i = 0; i < 30; i++) spans.push(span(`1${i.toString(16).padStart(2, '0')}`, '01', 'SELECT item', 10 + i * 10, i === 7 ? 40 : 5));
    for (let i = 0; i < 60; i++) spans.push(span(`2${i.toString(16).padStart(2, '0')}`, '01', `step ${i}`, 400 + i, 1));
    const trace: TempoTrace = { resourceSpans: [{ scopeSpans: [{ spans }] }] };
    const first = formatTraceOutline(trace, { budget: 1_200, pageHint: 'Next: traces {"trace":"<trace>","offset":<offset>}' });
    expect(first).toContain('  30× SELECT item · total 185ms · longest 40ms [10700000]');
    expect(first.length).toBeLessThanOrEqual(1_400);
    const more = /… (\d+) more lines not shown\. Next: traces \{"trace":"abcdef012345","offset":(\d+)\}/.exec(first);
    expect(more).not.toBeNull();
    const offset = Number(more![2]);
    const second = formatTraceOutline(trace, { budget: 100_000, offset });
    expect(second).toContain(`from line ${offset + 1} of 62`);
    expect(second).not.toContain('Critical path');
    expect(second.split('\n').filter((l) => l.startsWith('  step ')).length + first.split('\n').filter((l) => l.startsWith('  step ')).length).toBe(60);
  });
});

describe('formatSpan', () => {
  it('shows one span: place, timing, status, attributes, the exception with a cut stack, and the resource', () => {
    const text = formatSpan(checkout(), 'd4');
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `Span charge [d400000000000000] in trace ${TRACE}`,
      'service api · kind unspecified · status error "boom" · 60ms (self 60ms) · starts +1.22s into the trace',
      'parent: GET /checkout [a1000000]; children: none',
      'Attributes:',
    ]);
    expect(lines[4]).toBe(`  payment.provider = ${'x'.repeat(300)}… [200 more characters]`);
    // Secrets are redacted, as in every answer Legible gives.
    expect(lines[5]).toBe('  http.request.header.authorization = [redacted]');
    expect(lines[6]).toBe('  url.full = https://pay.example/charge?api_key=[redacted]&amount=3');
    expect(lines[7]).toBe('Exception +30ms: TypeError: boom');
    expect(lines[8]).toBe('    at frame0 (/app/src/file0.js:1:5)');
    expect(text).toContain('    … 15 more stack lines');
    expect(text).toContain('Resource:\n  service.name = api');
  });

  it('names spans by a unique id prefix, and says what to do otherwise', () => {
    expect(() => formatSpan(checkout(), 'ff')).toThrow(/No span "ff" in this trace/);
    const twin: TempoTrace = { resourceSpans: [{ scopeSpans: [{ spans: [span('e1', undefined, 'a', 0, 1), span('e2', 'e1', 'b', 0, 1)] }] }] };
    expect(() => formatSpan(twin, 'e')).toThrow(/2 spans start with e/);
  });

  it('stays within its budget and says what it left out', () => {
    const text = formatSpan(checkout(), 'd4', { budget: 600 });
    expect(text.length).toBeLessThanOrEqual(700);
    expect(text).toMatch(/… \d+ more lines not shown \(the budget of 600 characters\)\.$/);
  });
});

describe('formatTraceSearch', () => {
  const response: TempoSearchResponse = {
    traces: [
      {
        traceID: TRACE,
        rootServiceName: 'api',
        rootTraceName: 'GET /checkout',
        startTimeUnixNano: ns(0),
        durationMs: 1300,
        spanSets: [{ matched: 5, spans: [{ spanID: 'c3', name: 'slow-query', startTimeUnixNano: ns(15), durationNanos: '1200000000', attributes: [{ key: 'service.name', value: { stringValue: 'db' } }, { key: 'db.system', value: { stringValue: 'postgresql' } }] }] }],
        serviceStats: { api: { spanCount: 3, errorCount: 2 }, db: { spanCount: 1 } },
      },
      { traceID: 'ff'.repeat(16), rootServiceName: '<root span not yet received>', startTimeUnixNano: ns(5), serviceStats: { worker: { spanCount: 1 } } },
    ],
    metrics: { inspectedTraces: 40, matchedTraces: 7 },
  };

  it('lists traces: short id, root, duration, spans, services, errors, matched spans, and what was left out', () => {
    expect(formatTraceSearch(response, { query: '{ duration > 1s }', openHint: 'Open one: traces {"trace":"<id>"}' })).toBe(
      [
        '7 traces match { duration > 1s }; the newest 2 (newest first):',
        '1. abcdef012345  GET /checkout (api)  1.3s · 4 spans · services: api 3, db 1 · ✗ 2 errors · at 10:00:00.000',
        '   matched 5: slow-query 1.2s (db.system=postgresql) … +4 more',
        '2. ffffffffffff  (root span not received)  <1ms · 1 span · at 10:00:00.005',
        '… 5 more traces not shown. Narrow the query or raise the limit to see them.',
        'Open one: traces {"trace":"abcdef012345"}',
      ].join('\n'),
    );
  });

  it('says why nothing matched and what to try', () => {
    expect(formatTraceSearch({ traces: [], metrics: { inspectedTraces: 0 } }, { query: '{ }' })).toContain('No spans have arrived');
    expect(formatTraceSearch({ traces: [], metrics: { inspectedTraces: 12 } }, { query: '{ .x = 1 }' })).toContain('No trace matches { .x = 1 } (12 traces searched).');
  });
});
