import type { KeyValue, ResourceSpans } from '../otlp/model.js';

/**
 * Answers in the shapes of Tempo's HTTP API, so a real Tempo can stand in for the embedded store
 * (issue 13) and the formatters read either: search (`GET /api/search?q=<TraceQL>`) and a trace
 * by id (`GET /api/v2/traces/<id>`: OTLP/JSON `resourceSpans`; the older `/api/traces/<id>`
 * calls the same list `batches`).
 */

export interface TempoSpan {
  spanID: string;
  name?: string;
  startTimeUnixNano: string;
  durationNanos: string;
  attributes?: KeyValue[];
}

export interface TempoSpanSet {
  spans: TempoSpan[];
  /** Spans that matched in this trace (more than `spans` lists when cut). */
  matched: number;
  attributes?: KeyValue[];
}

export interface TempoSearchTrace {
  traceID: string;
  /** `<root span not yet received>` when the root has not arrived. */
  rootServiceName: string;
  rootTraceName?: string;
  startTimeUnixNano: string;
  durationMs?: number;
  /** Deprecated in Tempo: the first of `spanSets`. */
  spanSet?: TempoSpanSet;
  spanSets?: TempoSpanSet[];
  /** Spans and errors per service in the whole trace. */
  serviceStats?: Record<string, { spanCount: number; errorCount?: number }>;
}

export interface TempoSearchResponse {
  traces: TempoSearchTrace[];
  metrics: {
    inspectedTraces?: number;
    inspectedSpans?: string;
    inspectedBytes?: string;
    /** Legible's own: traces that matched in all, before the limit. */
    matchedTraces?: number;
    /** Legible's own: a remote backend stopped at its limit, so more traces may match than were counted. */
    mayHaveMore?: boolean;
  };
}

/** A trace by id: `resourceSpans` (Tempo v2, OTLP) or `batches` (Tempo v1). */
export interface TempoTrace {
  resourceSpans?: ResourceSpans[];
  batches?: ResourceSpans[];
}

export const ROOT_NOT_RECEIVED = '<root span not yet received>';
