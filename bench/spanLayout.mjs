// Measures the span store's candidate layouts on 100,000 spans made by the real SDK (decoded by
// Legible's OTLP decoder): heap bytes per span, ingest time, and one scan (a TraceQL-like filter
// on an intrinsic and an attribute). Run: node --expose-gc bench/spanLayout.mjs (after npm run build).
// The figures decided the layout of src/telemetry/traces/spanStore.ts (see ARCHITECTURE.md).
import { makeSpans, tracesProtobuf } from './otlpPayloads.mjs';
import { decodeTracesProtobuf } from '../dist/telemetry/otlp/protobufDecode.js';
import { Slicer } from '../dist/telemetry/otlp/slices.js';
import { plainValue } from '../dist/telemetry/otlp/attributes.js';

const N = Number(process.argv[2] ?? 100_000);
// The payloads stay (off the JS heap); each layout decodes them afresh, so the heap it keeps is its own.
const payloads = [];
for (let batch = 0; batch < N / 10_000; batch++) {
  payloads.push(tracesProtobuf(makeSpans({ traces: 1000, spansPerTrace: 10, seed: batch + 1, startMs: Date.now() - 3_600_000 + batch * 20_000 })));
}
const ms = (ns) => Number(ns.slice(0, -6)) + Number(ns.slice(-6)) / 1e6;
let decoded = [];
const spansOf = function* () {
  for (const request of decoded) for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) for (const span of ss.spans) yield [rs, span];
};

const layouts = {
  // A: one object per span, attributes as decoded (a plain object per span, strings as decoded).
  objects(store) {
    const ingest = () => { for (const [rs, span] of spansOf()) {
      const attrs = {};
      for (const kv of span.attributes ?? []) attrs[kv.key] = plainValue(kv.value);
      store.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: span.name, kind: span.kind ?? 0, status: span.status?.code ?? 0, startMs: ms(span.startTimeUnixNano), durationMs: ms(span.endTimeUnixNano) - ms(span.startTimeUnixNano), attrs, resource: rs.resource });
    } };
    return { ingest, match: (s) => s.durationMs > 100 && s.attrs['http.route'] === '/api/cart' };
  },
  // B: objects, with every string interned (ids kept) and attributes as a flat [key, value, …] array.
  interned(store) {
    const pool = new Map();
    const intern = (text) => {
      if (typeof text !== 'string' || text.length > 64) return text;
      let hit = pool.get(text);
      if (hit === undefined) pool.set(text, (hit = text));
      return hit;
    };
    const traces = new Map();
    const ingest = () => { for (const [rs, span] of spansOf()) {
      const attrs = [];
      for (const kv of span.attributes ?? []) attrs.push(intern(kv.key), intern(plainValue(kv.value)));
      let traceId = traces.get(span.traceId);
      if (!traceId) traces.set(span.traceId, (traceId = span.traceId));
      store.push({ traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', name: intern(span.name), kind: span.kind ?? 0, status: span.status?.code ?? 0, startMs: ms(span.startTimeUnixNano), durationMs: ms(span.endTimeUnixNano) - ms(span.startTimeUnixNano), attrs, resource: rs.resource });
    } };
    return { ingest, match: (s) => {
      if (!(s.durationMs > 100)) return false;
      const a = s.attrs;
      for (let i = 0; i < a.length; i += 2) if (a[i] === 'http.route') return a[i + 1] === '/api/cart';
      return false;
    } };
  },
  // C: columns: typed arrays for the intrinsics, interned ids for strings, attributes as one
  // column per key (a JS array indexed by span).
  columns(store) {
    const ids = new Map();
    const strings = [];
    const id = (text) => {
      let hit = ids.get(text);
      if (hit === undefined) ids.set(text, (hit = strings.push(text) - 1));
      return hit;
    };
    const cols = { start: new Float64Array(N), duration: new Float64Array(N), kind: new Uint8Array(N), status: new Uint8Array(N), name: new Int32Array(N), trace: new Int32Array(N), spanId: new Array(N), parent: new Array(N), attrs: new Map() };
    let i = 0;
    const ingest = () => { for (const [, span] of spansOf()) {
      cols.start[i] = ms(span.startTimeUnixNano);
      cols.duration[i] = ms(span.endTimeUnixNano) - cols.start[i];
      cols.kind[i] = span.kind ?? 0;
      cols.status[i] = span.status?.code ?? 0;
      cols.name[i] = id(span.name);
      cols.trace[i] = id(span.traceId);
      cols.spanId[i] = span.spanId;
      cols.parent[i] = span.parentSpanId ?? '';
      for (const kv of span.attributes ?? []) {
        let col = cols.attrs.get(kv.key);
        if (!col) cols.attrs.set(kv.key, (col = new Array(N)));
        const v = plainValue(kv.value);
        col[i] = typeof v === 'string' && v.length <= 64 ? id(v) : v;
      }
      i++;
    } };
    store.push(cols);
    const route = id('/api/cart');
    return { ingest, match: () => {
      const col = cols.attrs.get('http.route');
      let n = 0;
      for (let j = 0; j < i; j++) if (cols.duration[j] > 100 && col[j] === route) n++;
      return n;
    } };
  },
  // D (chosen): typed arrays for the numeric intrinsics, JS arrays for strings and references, and
  // each span's attributes as one flat [key, value, …] array with interned keys and short values.
  hybrid(store) {
    const pool = new Map();
    const intern = (text) => {
      if (typeof text !== 'string' || text.length > 64) return text;
      let hit = pool.get(text);
      if (hit === undefined) pool.set(text, (hit = text));
      return hit;
    };
    const cols = { start: new Float64Array(N), duration: new Float64Array(N), kind: new Uint8Array(N), status: new Uint8Array(N), name: new Array(N), trace: new Array(N), spanId: new Array(N), parent: new Array(N), attrs: new Array(N), resource: new Array(N) };
    const traces = new Map();
    let i = 0;
    const ingest = () => { for (const [rs, span] of spansOf()) {
      cols.start[i] = ms(span.startTimeUnixNano);
      cols.duration[i] = ms(span.endTimeUnixNano) - cols.start[i];
      cols.kind[i] = span.kind ?? 0;
      cols.status[i] = span.status?.code ?? 0;
      cols.name[i] = intern(span.name);
      let trace = traces.get(span.traceId);
      if (!trace) traces.set(span.traceId, (trace = { id: span.traceId, slots: [] }));
      trace.slots.push(i);
      cols.trace[i] = trace;
      cols.spanId[i] = span.spanId;
      cols.parent[i] = span.parentSpanId ?? '';
      cols.resource[i] = rs.resource;
      const attrs = [];
      for (const kv of span.attributes ?? []) attrs.push(intern(kv.key), intern(plainValue(kv.value)));
      cols.attrs[i] = attrs;
      i++;
    } };
    store.push(cols);
    return { ingest, match: () => {
      let n = 0;
      for (let j = 0; j < i; j++) {
        if (!(cols.duration[j] > 100)) continue;
        const a = cols.attrs[j];
        for (let k = 0; k < a.length; k += 2) if (a[k] === 'http.route') { if (a[k + 1] === '/api/cart') n++; break; }
      }
      return n;
    } };
  },
};

const results = {};
for (const [name, build] of Object.entries(layouts)) {
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const store = [];
  let ingestMs = 0;
  const { ingest, match } = build(store);
  for (const payload of payloads) {
    decoded = [];
    await decodeTracesProtobuf(payload, new Slicer(1e9), (request) => decoded.push(request));
    const t0 = performance.now();
    ingest();
    ingestMs += performance.now() - t0;
  }
  decoded = [];
  globalThis.gc?.();
  const bytes = process.memoryUsage().heapUsed - before;
  const times = [];
  let found = 0;
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    found = name === 'columns' || name === 'hybrid' ? match() : store.filter(match).length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  results[name] = { bytesPerSpan: Math.round(bytes / N), ingestMsPer100k: Math.round((ingestMs * 100_000) / N), scanMs: Number(times[3].toFixed(2)), found };
  console.log(name, results[name]);
  store.length = 0;
}
