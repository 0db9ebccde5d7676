/**
 * TraceQL over the span store: parsing (with the official grammar) and its errors, each operator
 * and intrinsic, the structural operators, time ranges and limits, trace lookup by prefix, and
 * the store's caps.
 */
import { describe, expect, it } from 'vitest';
import type { ExportTraceRequest, Span } from '../../src/telemetry/otlp/model.js';
import { SpanStore } from '../../src/telemetry/traces/spanStore.js';
import { parseTraceQL, TraceQLError } from '../../src/telemetry/traces/traceql/parse.js';

const T0 = 1_764_496_800_000; // ms
const ns = (ms: number) => `${BigInt(Math.round(ms * 1e6))}`;

interface Def {
  id: string;
  parent?: string;
  name: string;
  start: number;
  ms: number;
  kind?: number;
  error?: string;
  attrs?: Record<string, string | number | boolean>;
  exception?: string;
}

/** One trace (32-hex id from `trace`) of `defs`, from service `service`. */
function request(trace: string, service: string, defs: Def[], resource: Record<string, string> = {}): ExportTraceRequest {
  const traceId = trace.padEnd(32, '0');
  const spans: Span[] = defs.map((d) => ({
    traceId,
    spanId: d.id.padEnd(16, '0'),
    ...(d.parent ? { parentSpanId: d.parent.padEnd(16, '0') } : {}),
    name: d.name,
    kind: d.kind ?? 1,
    startTimeUnixNano: ns(T0 + d.start),
    endTimeUnixNano: ns(T0 + d.start + d.ms),
    attributes: Object.entries(d.attrs ?? {}).map(([key, v]) => ({
      key,
      value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
    })),
    ...(d.error ? { status: { code: 2, message: d.error } } : {}),
    ...(d.exception
      ? { events: [{ timeUnixNano: ns(T0 + d.start), name: 'exception', attributes: [{ key: 'exception.type', value: { stringValue: d.exception } }, { key: 'exception.message', value: { stringValue: d.error ?? '' } }] }] }
      : {}),
  }));
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, ...Object.entries(resource).map(([key, v]) => ({ key, value: { stringValue: v } }))] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  };
}

function shop(): SpanStore {
  const store = new SpanStore();
  // a1: GET /cart (api) → load-cart → SELECT (db, error); 1.5 s
  store.ingest(
    request('a1', 'api', [
      { id: '11', name: 'GET /cart', start: 0, ms: 1500, kind: 2, attrs: { 'http.route': '/cart', 'http.response.status_code': 500 }, error: 'boom' },
      { id: '12', parent: '11', name: 'load-cart', start: 10, ms: 1400, attrs: { 'cart.items': 3, 'cart.ratio': 0.5 } },
      { id: '13', parent: '12', name: 'SELECT carts', start: 20, ms: 1300, kind: 3, attrs: { 'db.system': 'postgresql' }, error: 'timeout', exception: 'TimeoutError' },
      { id: '14', parent: '11', name: 'render', start: 1420, ms: 50 },
    ], { 'deployment.environment': 'prod' }),
  );
  // b2: GET /health (api), fast, two siblings
  store.ingest(
    request('b2', 'api', [
      { id: '21', name: 'GET /health', start: 5_000, ms: 5, kind: 2, attrs: { 'http.route': '/health', 'http.response.status_code': 200, 'feature.on': true } },
      { id: '22', parent: '21', name: 'ping', start: 5_001, ms: 1 },
      { id: '23', parent: '21', name: 'pong', start: 5_002, ms: 1 },
    ]),
  );
  // c3: a worker trace whose root never arrived.
  store.ingest(request('c3', 'worker', [{ id: '31', parent: '99', name: 'consume', start: 10_000, ms: 200, kind: 5 }]));
  return store;
}

const ids = (store: SpanStore, query: string, options = {}) => store.search(query, options).traces.map((t) => t.traceID.slice(0, 2));

describe('TraceQL search', () => {
  const store = shop();

  it('filters on intrinsics', () => {
    expect(ids(store, '{ duration > 1s }')).toEqual(['a1']);
    expect(ids(store, '{ duration >= 200ms && duration <= 200ms }')).toEqual(['c3']);
    expect(ids(store, '{ status = error }')).toEqual(['a1']);
    expect(ids(store, '{ status != error }')).toEqual(['c3', 'b2', 'a1']);
    expect(ids(store, '{ statusMessage = "timeout" }')).toEqual(['a1']);
    expect(ids(store, '{ kind = consumer }')).toEqual(['c3']);
    expect(ids(store, '{ name = "ping" }')).toEqual(['b2']);
    expect(ids(store, '{ span:name = "ping" }')).toEqual(['b2']);
    expect(ids(store, '{ rootName = "GET /health" }')).toEqual(['b2']);
    expect(ids(store, '{ rootServiceName = "api" && traceDuration > 1s }')).toEqual(['a1']);
    expect(ids(store, '{ trace:id = "c3000000000000000000000000000000" }')).toEqual(['c3']);
    expect(ids(store, '{ event:name = "exception" }')).toEqual(['a1']);
  });

  it('filters on span, resource and unscoped attributes, with all comparison operators', () => {
    expect(ids(store, '{ span.http.route = "/cart" }')).toEqual(['a1']);
    expect(ids(store, '{ resource.http.route = "/cart" }')).toEqual([]);
    expect(ids(store, '{ resource.service.name = "worker" }')).toEqual(['c3']);
    expect(ids(store, '{ .deployment.environment = "prod" }')).toEqual(['a1']);
    expect(ids(store, '{ .http.response.status_code >= 500 }')).toEqual(['a1']);
    expect(ids(store, '{ .http.response.status_code < 300 }')).toEqual(['b2']);
    expect(ids(store, '{ .cart.ratio = 0.5 && .cart.items > 2 }')).toEqual(['a1']);
    expect(ids(store, '{ .feature.on = true }')).toEqual(['b2']);
    expect(ids(store, '{ .feature.on }')).toEqual(['b2']);
    expect(ids(store, '{ .db.system != nil }')).toEqual(['a1']);
    expect(ids(store, '{ .db.system = nil && kind = client }')).toEqual([]);
    // A type mismatch never matches, not even with !=.
    expect(ids(store, '{ .http.route != 5 }')).toEqual([]);
    expect(ids(store, '{ event.exception.type = "TimeoutError" }')).toEqual(['a1']);
  });

  it('anchors regular expressions fully, as Tempo does', () => {
    expect(ids(store, '{ name =~ "GET" }')).toEqual([]);
    expect(ids(store, '{ name =~ "GET .*" }')).toEqual(['b2', 'a1']);
    expect(ids(store, '{ kind = server && name !~ ".*health" }')).toEqual(['a1']);
  });

  it('combines inside a filter with && || ! and parentheses', () => {
    expect(ids(store, '{ name = "ping" || name = "render" }')).toEqual(['b2', 'a1']);
    expect(ids(store, '{ kind = server && !(status = error) }')).toEqual(['b2']);
    expect(ids(store, '{ (name = "ping" || name = "pong") && duration < 2ms }')).toEqual(['b2']);
  });

  it('compares array attributes as Tempo does: = any element, != no element', () => {
    const store = new SpanStore();
    const req = request('d4', 's', [{ id: '1', name: 'x', start: 0, ms: 1 }]);
    req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes = [{ key: 'accept', value: { arrayValue: { values: [{ stringValue: 'text/html' }, { stringValue: 'application/json' }] } } }];
    req.resourceSpans[0]!.scopeSpans[0]!.scope = { name: 'my-lib', version: '2.0', attributes: [{ key: 'language', value: { stringValue: 'js' } }] };
    store.ingest(req);
    expect(ids(store, '{ .accept = "application/json" }')).toEqual(['d4']);
    expect(ids(store, '{ .accept =~ "application/.*" }')).toEqual(['d4']);
    expect(ids(store, '{ .accept != "application/json" }')).toEqual([]);
    expect(ids(store, '{ .accept != "image/png" }')).toEqual(['d4']);
    expect(ids(store, '{ .accept !~ "text/.*" }')).toEqual([]);
    expect(ids(store, '{ instrumentation:name = "my-lib" && instrumentation:version = "2.0" && instrumentation.language = "js" }')).toEqual(['d4']);
    expect(ids(store, '{ instrumentation.language = "go" }')).toEqual([]);
  });

  it('combines spansets with && and ||, and the structural operators', () => {
    expect(ids(store, '{ name = "ping" } && { name = "pong" }')).toEqual(['b2']);
    expect(ids(store, '{ name = "ping" } && { name = "render" }')).toEqual([]);
    expect(ids(store, '{ name = "ping" } || { name = "render" }')).toEqual(['b2', 'a1']);
    expect(ids(store, '{ kind = server } > { name = "load-cart" }')).toEqual(['a1']);
    expect(ids(store, '{ kind = server } > { kind = client }')).toEqual([]);
    expect(ids(store, '{ kind = server } >> { kind = client }')).toEqual(['a1']);
    expect(ids(store, '{ kind = client } < { name = "load-cart" }')).toEqual(['a1']);
    expect(ids(store, '{ kind = client } << { kind = server }')).toEqual(['a1']);
    expect(ids(store, '{ name = "ping" } ~ { name = "pong" }')).toEqual(['b2']);
    expect(ids(store, '{ name = "ping" } ~ { name = "ping" }')).toEqual([]);
    expect(ids(store, '{ kind = server } !> { name = "render" || name = "SELECT carts" }')).toEqual(['a1']);
    // The matched spans are the right-hand side's; the union forms (&>> …) add the left-hand ones.
    const names = (query: string) => store.search(query).traces.flatMap((t) => t.spanSets![0]!.spans.map((s) => s.name));
    expect(names('{ kind = server } >> { status = error }')).toEqual(['SELECT carts']);
    expect(names('{ kind = server } &>> { status = error && kind = client }')).toEqual(['GET /cart', 'SELECT carts']);
    expect(names('{ name = "load-cart" } &> { kind = client }')).toEqual(['load-cart', 'SELECT carts']);
    expect(names('{ kind = client } &< { name = "load-cart" }')).toEqual(['load-cart', 'SELECT carts']);
    expect(names('{ kind = client } &<< { kind = server }')).toEqual(['GET /cart', 'SELECT carts']);
    expect(names('{ name = "ping" } &~ { name = "pong" }')).toEqual(['ping', 'pong']);
    expect(ids(store, '{ span:parentID = "1200000000000000" }')).toEqual(['a1']);
    expect(ids(store, '{ span:parentID = nil && kind = server }')).toEqual(['b2', 'a1']);
    // Hints are accepted (answers are always newest first).
    expect(ids(store, '{ status = error } with (most_recent=true)')).toEqual(['a1']);
  });

  it('answers in the shape of Tempo search: root, duration, span sets, service stats', () => {
    const result = store.search('{ span.http.route = "/cart" }');
    expect(result.traces[0]).toEqual({
      traceID: 'a1000000000000000000000000000000',
      rootServiceName: 'api',
      rootTraceName: 'GET /cart',
      startTimeUnixNano: ns(T0),
      durationMs: 1500,
      spanSet: expect.anything(),
      spanSets: [
        {
          matched: 1,
          spans: [
            {
              spanID: '1100000000000000',
              name: 'GET /cart',
              startTimeUnixNano: ns(T0),
              durationNanos: '1500000000',
              attributes: [
                { key: 'service.name', value: { stringValue: 'api' } },
                { key: 'http.route', value: { stringValue: '/cart' } },
              ],
            },
          ],
        },
      ],
      serviceStats: { api: { spanCount: 4, errorCount: 2 } },
    });
    expect(store.search('{ name = "consume" }').traces[0]!.rootServiceName).toBe('<root span not yet received>');
  });

  it('limits, newest first, to a time range, and says how many matched', () => {
    const all = store.search('{ }', { limit: 2 });
    expect(all.traces.map((t) => t.traceID.slice(0, 2))).toEqual(['c3', 'b2']);
    expect(all.metrics).toMatchObject({ matchedTraces: 3, inspectedTraces: 3, inspectedSpans: '8' });
    expect(ids(store, '{}', { startMs: T0 + 4_000, endMs: T0 + 6_000 })).toEqual(['b2']);
    expect(ids(store, '{}', { startMs: T0 + 1_000, endMs: T0 + 1_200 })).toEqual(['a1']); // overlaps
    const spss = store.search('{ }', { spansPerSpanSet: 2 }).traces.find((t) => t.traceID.startsWith('a1'))!;
    expect(spss.spanSets![0]).toMatchObject({ matched: 4 });
    expect(spss.spanSets![0]!.spans).toHaveLength(2);
  });

  it('finds a trace by a unique prefix, and says what to do otherwise', () => {
    const trace = store.trace('A1');
    expect(trace.traceID).toBe('a1000000000000000000000000000000');
    const spans = trace.resourceSpans!.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    expect(spans.map((s) => s.name)).toEqual(['GET /cart', 'load-cart', 'SELECT carts', 'render']);
    expect(trace.resourceSpans![0]!.resource!.attributes).toContainEqual({ key: 'deployment.environment', value: { stringValue: 'prod' } });
    expect(spans[2]).toMatchObject({ parentSpanId: '1200000000000000', kind: 3, status: { code: 2, message: 'timeout' }, startTimeUnixNano: ns(T0 + 20), endTimeUnixNano: ns(T0 + 1320) });
    expect(spans[1]!.attributes).toEqual([
      { key: 'cart.items', value: { intValue: '3' } },
      { key: 'cart.ratio', value: { doubleValue: 0.5 } },
    ]);
    expect(() => store.trace('ff')).toThrow(/No trace ff in the store \(3 traces held\)/);
    expect(() => store.trace('')).toThrow(/is not a trace id/);
    expect(() => store.trace('zz-top')).toThrow(/is not a trace id/);
    const two = new SpanStore();
    two.ingest(request('ab1', 's', [{ id: '1', name: 'x', start: 0, ms: 1 }]));
    two.ingest(request('ab2', 's', [{ id: '1', name: 'y', start: 0, ms: 1 }]));
    expect(() => two.trace('ab')).toThrow(/2 traces start with ab: ab1000000000, ab2000000000/);
  });
});

describe('TraceQL errors', () => {
  const error = (query: string) => {
    try {
      parseTraceQL(query);
    } catch (e) {
      expect(e).toBeInstanceOf(TraceQLError);
      return `${(e as TraceQLError).message}\nHINT ${(e as TraceQLError).hint}`;
    }
    throw new Error(`${query} parsed`);
  };

  it('gives the position, a caret and a corrected query for common slips', () => {
    expect(error('{ duration > 1s')).toBe('TraceQL syntax error at column 16: the query ends too early.\n  { duration > 1s\n                 ^\nHINT Did you mean: { duration > 1s }');
    expect(error('{ name == "x" }')).toContain('HINT Did you mean: { name = "x" }');
    expect(error("{ name = 'GET /x' }")).toContain('HINT Did you mean: { name = "GET /x" }');
    expect(error('{ .a = 1 and .b = 2 }')).toContain('HINT Did you mean: { .a = 1 && .b = 2 }');
    expect(error('span.http.route = "/x"')).toContain('HINT Did you mean: { span.http.route = "/x" }');
    expect(error('{ name = GET }')).toContain('HINT Did you mean: { name = "GET" }');
    expect(error('{ duration > 100 }')).toBe('column 3: duration is compared with the number 100; it takes a duration.\nHINT For example { duration > 1.5s }.');
    expect(error('{ status = "error" }')).toContain('status is compared with the string "error"; it takes error, ok or unset');
    expect(error('')).toContain('The TraceQL query is empty');
  });

  it('names what the embedded store does not evaluate', () => {
    expect(error('{ .a = 1 } | count() > 2')).toContain('pipelines (| select, | count(), | by, …) are not evaluated by the embedded store');
    expect(error('{ } | rate()')).toContain('not evaluated');
    expect(error('{ duration * 2 > 1s }')).toMatch(/not supported|syntax error/);
    expect(error('{ name =~ "(" }')).toContain('is not a valid regular expression');
    expect(error('{ .a = 1 && 2 }')).toContain('"2" is not a condition');
  });

  it('says when a query is longer than the grammar parser takes, and marks query errors as usage errors', () => {
    const many = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `span.a${i} = "x"`).join(' && ')} }`;
    expect(() => parseTraceQL(many(300))).not.toThrow();
    const long = error(many(600));
    expect(long).toMatch(/^TraceQL: the query is longer than TraceQL's grammar parser takes: a chain of conditions or spanset operations goes on for more than 300 links/);
    expect(long).not.toContain('unexpected');
    for (const query of [many(600), '{ duration > 1s', '{ .a = 1 } | count() > 2']) {
      try {
        parseTraceQL(query);
      } catch (e) {
        expect((e as TraceQLError).kind, query.slice(0, 40)).toBe('usage');
      }
    }
  });
});

describe('the span store caps', () => {
  it('drops the oldest spans past the span cap, and counts them', () => {
    const store = new SpanStore({ maxSpans: 5 });
    for (let i = 0; i < 4; i++) store.ingest(request(`${i}f`, `svc-${i}`, [{ id: '1', name: `root ${i}`, start: i, ms: 1 }, { id: '2', parent: '1', name: 'child', start: i, ms: 1 }]));
    expect(store.size).toBe(5);
    expect(store.evicted).toBe(3);
    // Trace 0 went whole; trace 1 lost its root (the oldest span) and keeps its child.
    expect(store.traces.has('0f'.padEnd(32, '0'))).toBe(false);
    expect(store.trace('1f').resourceSpans!.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)).map((s) => s.name)).toEqual(['child']);
    expect(ids(store, '{ resource.service.name = "svc-0" }')).toEqual([]);
    expect(ids(store, '{}')).toEqual(['3f', '2f', '1f']);
  });

  it('drops the oldest spans past the byte cap', () => {
    const store = new SpanStore({ maxSpans: 1_000, maxBytes: 20_000 });
    for (let i = 0; i < 100; i++) store.ingest(request(`${i}`.padStart(4, '0'), 's', [{ id: '1', name: 'x', start: i, ms: 1, attrs: { payload: 'y'.repeat(500) } }]));
    expect(store.byteSize).toBeLessThanOrEqual(20_000);
    expect(store.evicted).toBe(100 - store.size);
    expect(store.size).toBeGreaterThan(5);
    expect(store.size).toBeLessThan(20);
  });

  it('refuses spans without ids, and says so', () => {
    const store = new SpanStore();
    const bad = request('a', 's', [{ id: '1', name: 'x', start: 0, ms: 1 }]);
    bad.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.spanId = '';
    expect(store.ingest(bad)).toEqual({ rejected: 1, message: '1 span had no trace or span id' });
    expect(store.size).toBe(0);
  });
});
