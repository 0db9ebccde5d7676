import type { TimeWindow } from '../telemetry/backends.js';
import { fromNanos } from '../telemetry/logs/logql/answer.js';
import type { ResourceSpans } from '../telemetry/otlp/model.js';
import { compactTrace } from '../telemetry/traces/compactSpans.js';
import { serverSelectors, type ServerSide } from './serverChecks.js';
import { MAX_RUN_LINES, MAX_RUN_SPANS, MAX_STEP_SPANS, type RunServer, type ServerLine } from './serverRecord.js';
import type { StepVerdict } from './verdict.js';

/**
 * What a run keeps of the server side once its steps ran (serverRecord.ts): each step's spans,
 * fetched by the trace id its requests carried, and for the run every span of those traces
 * (OTLP/JSON, for the report's `<run>-spans.json`) and the apps' log lines over its time range.
 * Bounded; a backend that does not answer leaves its part empty, never fails the run.
 */
export async function collectServer(server: ServerSide, steps: StepVerdict[], window: TimeWindow): Promise<RunServer> {
  const out: RunServer = { startMs: window.startMs, endMs: window.endMs, apps: [], resourceSpans: [], spansDropped: 0, logs: [], logsDropped: 0 };
  const backend = await server.traces().catch(() => undefined);
  let kept = 0;
  for (const step of steps) {
    const traceId = step.server?.traceId;
    if (!backend || !traceId) continue;
    const trace = await backend.trace(traceId, window).catch(() => undefined);
    if (!trace?.resourceSpans?.length) continue;
    const spans = compactTrace(trace);
    step.server!.spans = spans.slice(0, MAX_STEP_SPANS);
    step.server!.spansMore = Math.max(0, spans.length - MAX_STEP_SPANS);
    const count = countSpans(trace.resourceSpans);
    if (kept + count > MAX_RUN_SPANS) {
      out.spansDropped += count;
      continue;
    }
    kept += count;
    out.resourceSpans.push(...trace.resourceSpans);
  }
  const logs = await server.logs().catch(() => undefined);
  for (const selector of serverSelectors()) {
    const answer = await logs?.query(selector, { ...window, limit: MAX_RUN_LINES, direction: 'forward' }).catch(() => undefined);
    if (answer?.data.resultType !== 'streams') continue;
    let listed = 0;
    for (const stream of answer.data.result) {
      for (const value of stream.values) {
        const metadata = value[2]?.structuredMetadata ?? {};
        const line: ServerLine = {
          timeMs: fromNanos(value[0]),
          app: stream.stream.app ?? stream.stream.service_name ?? 'app',
          level: metadata.detected_level ?? stream.stream.detected_level ?? stream.stream.level ?? 'line',
          line: value[1],
        };
        if (stream.stream.stream) line.stream = stream.stream.stream;
        if (metadata.trace_id) line.traceId = metadata.trace_id;
        if (metadata.span_id) line.spanId = metadata.span_id;
        out.logs.push(line);
        listed++;
      }
    }
    out.logsDropped += Math.max(0, answer.stats.matched - listed);
  }
  out.logs.sort((a, b) => a.timeMs - b.timeMs);
  if (out.logs.length > MAX_RUN_LINES) {
    out.logsDropped += out.logs.length - MAX_RUN_LINES;
    out.logs.length = MAX_RUN_LINES;
  }
  return out;
}

function countSpans(batches: ResourceSpans[]): number {
  let count = 0;
  for (const batch of batches) for (const scope of batch.scopeSpans ?? []) count += scope.spans?.length ?? 0;
  return count;
}
