import type { ExportTraceRequest, KeyValue, Span } from '../otlp/model.js';

/**
 * The browser's side of an action's trace, which no SDK in the page records: a root span for the
 * action (its label, from its start until its last request's answer) and, under it, a client span for each
 * request that carried the action's `traceparent` (its parent span id is the one the request
 * carried, so the app's server span hangs under it). With them the trace has its real root: the
 * outline, the critical path and `rootName` / `rootServiceName` start at the click, not at a
 * server span whose parent was never received.
 */

/** The service the browser's spans are filed under. */
export const BROWSER_SERVICE = 'browser';

export interface SentRequest {
  /** The parent span id the request carried. */
  spanId: string;
  app: string;
  url?: string;
  method?: string;
  /** When its traceparent was made (the request was about to go out), epoch ms. */
  atMs: number;
}

export interface BrowserTrace {
  traceId: string;
  label: string;
  startMs: number;
  endMs: number;
  requests: SentRequest[];
  /** The app's spans received for the trace (a request span ends when its server span did). */
  serverSpans: Span[];
  /** The root span's id (16 hex digits). */
  rootId: string;
}

/** Epoch ms (fractional) → OTLP nanoseconds as a decimal string. */
function nanos(ms: number): string {
  const whole = Math.floor(ms);
  return `${whole}${String(Math.round((ms - whole) * 1e6)).padStart(6, '0')}`;
}

function toMs(nanosText: string): number {
  return nanosText.length > 6 ? Number(nanosText.slice(0, -6)) + Number(nanosText.slice(-6)) / 1e6 : Number(nanosText) / 1e6;
}

const text = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

/** `POST /checkout` for a request, from its method and URL path. */
function requestName(request: SentRequest): string {
  let path = '';
  try {
    path = request.url ? new URL(request.url).pathname : '';
  } catch {
    // not a URL: leave the path out
  }
  return [request.method ?? 'HTTP', path].filter(Boolean).join(' ');
}

export function browserSpans(trace: BrowserTrace): ExportTraceRequest {
  const endOf = new Map<string, number>();
  for (const span of trace.serverSpans) {
    if (!span.parentSpanId) continue;
    endOf.set(span.parentSpanId, Math.max(endOf.get(span.parentSpanId) ?? 0, toMs(span.endTimeUnixNano)));
  }
  // The action's span ends with its last request's server span (else when the page settled):
  // the settling wait after the answers is Legible's, not the app's or the page's work.
  let rootEnd = trace.startMs;
  const spans: Span[] = trace.requests.map((request) => {
    const startMs = Math.max(trace.startMs, Math.min(request.atMs, endOf.get(request.spanId) ?? request.atMs));
    const endMs = Math.max(startMs, endOf.get(request.spanId) ?? startMs);
    rootEnd = Math.max(rootEnd, endMs);
    const attributes = [text('legible.app', request.app), ...(request.method ? [text('http.request.method', request.method)] : []), ...(request.url ? [text('url.full', request.url)] : [])];
    return { traceId: trace.traceId, spanId: request.spanId, parentSpanId: trace.rootId, name: requestName(request), kind: 3, startTimeUnixNano: nanos(startMs), endTimeUnixNano: nanos(endMs), attributes };
  });
  if (!endOf.size) rootEnd = Math.max(rootEnd, trace.endMs);
  spans.unshift({ traceId: trace.traceId, spanId: trace.rootId, name: trace.label, kind: 1, startTimeUnixNano: nanos(trace.startMs), endTimeUnixNano: nanos(rootEnd), attributes: [text('legible.action', trace.label)] });
  return {
    resourceSpans: [{ resource: { attributes: [text('service.name', BROWSER_SERVICE)] }, scopeSpans: [{ scope: { name: 'legible' }, spans }] }],
  };
}
