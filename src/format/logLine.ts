import { messageOf, parseJsonObject, parseLogfmt } from '../telemetry/logs/structured.js';
import { redactText } from '../util/redact.js';
import { truncate } from '../util/text.js';

/**
 * One log entry as a short text: structured lines (JSON, logfmt) as their message followed by
 * their other fields (`key=value`; timestamps, pid, hostname and trace ids left out), an error's type and
 * message up front; multi-line entries (stack traces) cut to their first lines. Credentials an app
 * printed (a password field, a Bearer token) are redacted, as in every answer Legible gives.
 */

// The trace context too: the store keeps it beside the line (answers show it as trace=…).
const NOISE = new Set(['time', 'timestamp', '@timestamp', 'ts', 'pid', 'hostname', 'v', 'level', 'severity', 'lvl', 'msg', 'message', 'name', 'trace_id', 'span_id', 'trace_flags', 'traceId', 'spanId']);

export interface LogLineOptions {
  /** Characters of the first line. */
  max: number;
  /** Lines after the first (stack frames) to keep; the rest are counted. */
  extraLines: number;
  /** Show the line exactly as printed (no structure read). */
  raw?: boolean;
}

export function formatLogText(line: string, options: LogLineOptions): string {
  const [first, ...rest] = line.split('\n');
  let head = options.raw ? first! : compactStructured(first!) ?? first!;
  let extra = rest;
  if (!options.raw && !rest.length) {
    // A stack inside a JSON line (pino's err.stack) is shown like a printed one.
    const stack = stackOf(first!);
    if (stack) extra = stack.split('\n').slice(1);
  }
  head = truncate(redactText(head), options.max);
  if (!extra.length) return head;
  const kept = extra.slice(0, options.extraLines).map((part) => `    ${truncate(redactText(part.trim()), 200)}`);
  const left = extra.length - kept.length;
  if (left > 0) kept.push(`    … ${left} more line${left === 1 ? '' : 's'}`);
  return [head, ...kept].join('\n');
}

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

function stackOf(line: string): string | undefined {
  if (!line.includes('stack')) return undefined;
  const fields = parseJsonObject(line);
  if (!fields) return undefined;
  const error = (fields.err ?? fields.error) as { stack?: unknown } | undefined;
  const stack = typeof error?.stack === 'string' ? error.stack : typeof fields.stack === 'string' ? fields.stack : undefined;
  return stack && stack.includes('\n') ? stack : undefined;
}
