import type { ServerActivity } from '../telemetry/activity.js';
import type { LoggedLine } from '../telemetry/logs/recent.js';
import type { ActionError } from '../telemetry/traces/actionTrace.js';
import { formatDuration } from '../telemetry/time.js';
import { redactText } from '../util/redact.js';
import { plural, truncate } from '../util/text.js';
import { formatLogText } from './logLine.js';

/** `api error: …`, `api stderr: …` (a stderr line that names no level). */
export function formatProblemLine(line: LoggedLine, max = 240): string {
  const kind = line.level === 'unknown' ? (line.labels.stream ?? 'output') : line.level;
  const source = line.labels.app ?? line.labels.service_name ?? 'app';
  return `${source} ${kind}: ${formatLogText(line.line, { max, extraLines: 2 })}`;
}

/** Folds repeats (same app, level and text) into one line with ×N, keeping first-seen order. */
export function foldLines(lines: LoggedLine[], render: (line: LoggedLine) => string): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const text = render(line);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, count]) => (count > 1 ? `${text} ×${count}` : text));
}

/** The tools the section names for more: the logs tool and the traces tool. */
export interface ServerToolNames {
  logs: string;
  traces: string;
}

const MAX_ERRORS = 5;
const SPAN_ID_CHARS = 8;

/** `✗ load-cart [655ee82c] (shop): error "Cannot read …" · TypeError: Cannot read …`, the message said once. */
function errorLine(error: ActionError): string {
  const parts: string[] = [];
  const status = error.httpStatus ? `error, HTTP ${error.httpStatus}` : 'error';
  const message = error.statusMessage ? redactText(error.statusMessage) : undefined;
  parts.push(message ? `${status} ${JSON.stringify(truncate(message.split('\n')[0]!, 160))}` : status);
  if (error.exceptionType || error.exceptionMessage) {
    const exceptionMessage = error.exceptionMessage ? redactText(error.exceptionMessage).split('\n')[0]! : undefined;
    const same = exceptionMessage !== undefined && message !== undefined && message.startsWith(exceptionMessage);
    parts.push([error.exceptionType ?? 'exception', same ? undefined : exceptionMessage && truncate(exceptionMessage, 160)].filter(Boolean).join(': '));
  }
  return `✗ ${truncate(error.name, 80)} [${error.spanId.slice(0, SPAN_ID_CHARS)}] (${error.service}): ${parts.join(' · ')}`;
}

/**
 * An action's Server section. With the action's trace: its id (and how to open it), the span
 * count, every error span with its exception, the spans with the most self time, and the log
 * lines carrying the trace id. Then the warnings and errors the apps printed meanwhile without
 * it (all of it for an app that is not instrumented), folded and bounded like the console
 * section; last, a line for each team's backend that failed or did not answer in time. Empty
 * when there is nothing to say.
 */
export function formatServerSection(activity: ServerActivity | undefined, names: ServerToolNames): string {
  if (!activity) return '';
  const out: string[] = [];
  const trace = activity.trace;
  if (trace) {
    const short = trace.traceId.slice(0, 12);
    const errors = trace.errors.length ? `, ${plural(trace.errors.length, 'error')}` : '';
    const missing = trace.missing ? `; ${plural(trace.missing, 'request')} to the apps sent no span in time` : '';
    out.push(`Server: trace ${trace.traceId} · ${plural(trace.spans, 'span')} in ${trace.services.join(', ')}${errors}${missing}. Whole trace: ${names.traces} {"trace":"${short}"}`);
    for (const error of trace.errors.slice(0, MAX_ERRORS)) out.push(`  ${errorLine(error)}`);
    if (trace.errors.length > MAX_ERRORS) out.push(`  … ${trace.errors.length - MAX_ERRORS} more error spans (✗ in the trace's outline)`);
    if (trace.slowest.length) {
      out.push(`  most self time: ${trace.slowest.map((span) => `${truncate(span.name, 60)} ${formatDuration(span.selfMs)}${span.selfMs < span.durationMs * 0.99 ? ` of ${formatDuration(span.durationMs)}` : ''} [${span.spanId.slice(0, SPAN_ID_CHARS)}]`).join(', ')}`);
    }
    if (trace.logs.length) {
      out.push(`  logs of this trace:`);
      out.push(...foldLines(trace.logs, (line) => formatProblemLine(line)).map((text) => `    ${text.replace(/\n/g, '\n    ')}`));
      if (trace.logsMore) out.push(`    … ${trace.logsMore} more: ${names.logs} {"query":"{app=~\\".+\\"} | trace_id=\\"${trace.traceId}\\""}`);
    }
  }
  if (activity.logs.length) {
    const total = activity.logs.length + activity.more;
    const head = trace ? `  Printed meanwhile, without this trace: ${plural(total, 'warning or error', 'warnings and errors')}` : `Server: ${plural(total, 'warning or error', 'warnings and errors')} printed by the apps`;
    const indent = trace ? '    ' : '  ';
    out.push(head);
    out.push(...foldLines(activity.logs, (line) => formatProblemLine(line)).map((text) => `${indent}${text.replace(/\n/g, `\n${indent}`)}`));
    if (activity.more) out.push(`${indent}… ${activity.more} more: see ${names.logs} {"query":"{app=~\\".+\\"} | detected_level=~\\"warn|error|fatal\\"","since":"5m"}`);
  }
  // A team's backend that failed or did not answer within the wait: one line each, after what was found.
  for (const note of activity.unanswered ?? []) {
    const shown = trace || activity.logs.length ? 'shown: what Legible received itself' : `Legible itself received nothing of ${activity.traceId ? `trace ${activity.traceId}` : 'the action'} either`;
    out.push(out.length ? `  ⚠ ${truncate(note, 240)} (${shown})` : `Server: ${truncate(note, 240)} (${shown})`);
  }
  return out.join('\n');
}
