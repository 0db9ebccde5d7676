import { createHash, timingSafeEqual } from 'node:crypto';
import { hostName, isLoopbackHost } from './loopback.js';

/**
 * Who may talk to the HTTP server. A web page the user visits can send requests to
 * 127.0.0.1 (and, through DNS rebinding, make them look same-origin), so:
 * - the Host header must name a loopback address when the server listens on one (a rebinding
 *   attack arrives with the attacker's host name);
 * - a request with an Origin must come from a loopback origin or one given with
 *   --allowed-origin (requests without one come from programs, not pages);
 * - with a token, every request must carry `Authorization: Bearer <token>`.
 */

export interface GuardOptions {
  /** The address the server listens on. */
  host: string;
  token?: string;
  /** Origins (scheme://host[:port]) accepted besides loopback ones. */
  allowedOrigins: string[];
}

export interface Refusal {
  status: 401 | 403;
  message: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares in constant time (by comparing digests of equal length). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `preflight`: a browser's CORS preflight (OPTIONS with Access-Control-Request-Method), which
 * never carries the token (browsers send no credentials with it): Host and Origin are checked, not
 * the token; the request that follows it is.
 */
export function checkRequest(headers: { host?: string; origin?: string; authorization?: string }, options: GuardOptions, preflight = false): Refusal | undefined {
  if (isLoopbackHost(options.host)) {
    if (!headers.host || !isLoopbackHost(hostName(headers.host))) {
      return { status: 403, message: 'Forbidden: the Host header must name this machine (localhost or 127.0.0.1).' };
    }
  }
  if (headers.origin !== undefined) {
    let origin: URL | undefined;
    try {
      origin = new URL(headers.origin);
    } catch {
      origin = undefined;
    }
    const allowed = origin && (isLoopbackHost(origin.hostname) || options.allowedOrigins.includes(origin.origin));
    if (!allowed) return { status: 403, message: 'Forbidden: this Origin is not allowed (start legible-mcp with --allowed-origin to allow it).' };
  }
  if (options.token !== undefined && !preflight) {
    const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
    if (!match || !sameSecret(match[1]!.trim(), options.token)) return { status: 401, message: 'Unauthorized: send "Authorization: Bearer <token>".' };
  }
  return undefined;
}

/**
 * The headers the MCP Streamable HTTP transport needs from a page: a client sends Content-Type
 * (JSON), Accept, Authorization (the token), Mcp-Session-Id, Mcp-Protocol-Version and, resuming a
 * stream, Last-Event-ID; it must be able to read Mcp-Session-Id (and Mcp-Protocol-Version) back.
 */
const ALLOW_HEADERS = 'Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID';
const EXPOSE_HEADERS = 'Mcp-Session-Id, Mcp-Protocol-Version';

/**
 * CORS headers for a request whose Origin passed checkRequest: the origin itself (never `*`),
 * and for a preflight the methods and headers the transport uses. None without an Origin.
 */
export function corsHeaders(origin: string | undefined, preflight: boolean): Record<string, string> {
  if (origin === undefined) return {};
  const headers: Record<string, string> = { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': EXPOSE_HEADERS };
  if (preflight) {
    headers['access-control-allow-methods'] = 'GET, POST, DELETE';
    headers['access-control-allow-headers'] = ALLOW_HEADERS;
    headers['access-control-max-age'] = '600';
  }
  return headers;
}
