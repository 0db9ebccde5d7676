import { LegibleError, UsageError } from '../util/errors.js';

/**
 * Extra HTTP headers for the team's backends (auth tokens, tenant ids), read from environment
 * variables only, never from the command line (where `ps` and shell histories show them).
 *
 * The format is the one OpenTelemetry uses for OTEL_EXPORTER_OTLP_HEADERS: comma-separated
 * `name=value` pairs, values percent-decoded, so a comma is `%2C`:
 *
 *   LEGIBLE_METRICS_HEADERS='Authorization=Bearer%20abc123,X-Scope-OrgID=team-a'
 *
 * Errors name the variable and the pair's position, never the value (it may be a secret).
 */

export const HEADER_VARIABLES = {
  metrics: 'LEGIBLE_METRICS_HEADERS',
  logs: 'LEGIBLE_LOGS_HEADERS',
  traces: 'LEGIBLE_TRACES_HEADERS',
  forward: 'LEGIBLE_OTLP_FORWARD_HEADERS',
} as const;

export type HeaderTarget = keyof typeof HEADER_VARIABLES;

/** RFC 9110 token characters: what a header name may hold. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const EXAMPLE = "for example 'Authorization=Bearer%20<token>,X-Scope-OrgID=team-a'";

/** Parses one variable's value; throws a LegibleError that names the variable and the bad pair. */
export function parseHeaderList(text: string | undefined, variable: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (text === undefined || !text.trim()) return headers;
  const pairs = text.split(',');
  pairs.forEach((pair, index) => {
    if (!pair.trim()) return;
    const at = `${variable}, pair ${index + 1} of ${pairs.length}`;
    const equals = pair.indexOf('=');
    if (equals < 0) throw new UsageError(`${at} has no "=": each pair is name=value.`, `Set ${variable} to comma-separated name=value pairs, ${EXAMPLE}.`);
    const name = pair.slice(0, equals).trim();
    if (!TOKEN.test(name)) {
      throw new UsageError(`${at}: the header name ${JSON.stringify(name.slice(0, 60))} is not a valid HTTP header name.`, `Header names are letters, digits and -, ${EXAMPLE}.`);
    }
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(equals + 1).trim());
    } catch {
      throw new UsageError(`${at}: the value of ${name} has a "%" that is not followed by two hex digits.`, 'Percent-encode the value: a space is %20, a comma %2C, a % itself %25.');
    }
    if (/[\r\n\0]/.test(value)) throw new UsageError(`${at}: the value of ${name} holds a line break or NUL, which HTTP headers cannot carry.`, 'Remove it from the value.');
    headers[name] = value;
  });
  return headers;
}

/** The headers of one backend, from the environment. */
export function backendHeaders(target: HeaderTarget, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const variable = HEADER_VARIABLES[target];
  return parseHeaderList(env[variable], variable);
}
