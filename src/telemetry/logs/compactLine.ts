import { messageOf, parseJsonObject, parseLogfmt } from './structured.js';

/**
 * A structured log line (JSON, as pino writes it, or logfmt) as short text: its message, an
 * error's type and message, the request it served, then its other fields as key=value; the
 * fields every line has (time, pid, level, trace context) left out. Shared by the answers'
 * log lines (format/logLine.ts) and the server verdicts' findings (journey/serverChecks.ts).
 */

// The trace context too: the store keeps it beside the line (answers show it as trace=…).
const NOISE = new Set(['time', 'timestamp', '@timestamp', 'ts', 'pid', 'hostname', 'v', 'level', 'severity', 'lvl', 'msg', 'message', 'name', 'trace_id', 'span_id', 'trace_flags', 'traceId', 'spanId']);

/** `msg — TypeError: boom (POST /api/cart 500) key=value …`, or undefined for an unstructured line. */
export function compactStructured(line: string): string | undefined {
  const fields = parseJsonObject(line) ?? (/^[A-Za-z_][\w.-]*=/.test(line) ? parseLogfmt(line) : undefined);
  if (!fields || Object.keys(fields).length < 2) return undefined;
  const parts: string[] = [];
  const message = messageOf(fields);
  if (message) parts.push(message);
  const error = (fields.err ?? fields.error) as Record<string, unknown> | string | undefined;
  if (error && typeof error === 'object') {
    const type = typeof error.type === 'string' ? error.type : typeof error.name === 'string' ? error.name : 'Error';
    if (typeof error.message === 'string' && error.message !== message) parts.push(`— ${type}: ${error.message}`);
  } else if (typeof error === 'string' && error !== message) parts.push(`— ${error}`);
  const request = fields.req as Record<string, unknown> | undefined;
  const response = fields.res as Record<string, unknown> | undefined;
  if (request && typeof request === 'object' && typeof request.method === 'string') {
    parts.push(`(${request.method} ${String(request.url ?? request.path ?? '')}${response && typeof response === 'object' && response.statusCode !== undefined ? ` → ${String(response.statusCode)}` : ''})`);
  }
  const rest: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (NOISE.has(key) || key === 'err' || key === 'error' || key === 'req' || key === 'res' || key === 'stack') continue;
    rest.push(`${key}=${typeof value === 'string' ? (/\s/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value)}`);
  }
  if (rest.length) parts.push(rest.join(' '));
  return parts.join(' ') || undefined;
}

