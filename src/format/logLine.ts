import { compactStructured } from '../telemetry/logs/compactLine.js';
import { parseJsonObject } from '../telemetry/logs/structured.js';
import { redactText } from '../util/redact.js';
import { truncate } from '../util/text.js';

/**
 * One log entry as a short text: structured lines (JSON, logfmt) as their message followed by
 * their other fields (`key=value`; timestamps, pid, hostname and trace ids left out), an error's type and
 * message up front; multi-line entries (stack traces) cut to their first lines. Credentials an app
 * printed (a password field, a Bearer token) are redacted, as in every answer Legible gives.
 */

export interface LogLineOptions {
  /** Characters of the first line. */
  max: number;
  /** Lines after the first (stack frames) to keep; the rest are counted. */
  extraLines: number;
  /** Show the line exactly as printed (no structure read). */
  raw?: boolean;
}

export { compactStructured };

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

function stackOf(line: string): string | undefined {
  if (!line.includes('stack')) return undefined;
  const fields = parseJsonObject(line);
  if (!fields) return undefined;
  const error = (fields.err ?? fields.error) as { stack?: unknown } | undefined;
  const stack = typeof error?.stack === 'string' ? error.stack : typeof fields.stack === 'string' ? fields.stack : undefined;
  return stack && stack.includes('\n') ? stack : undefined;
}
