import { request } from 'node:http';
import { request as requestTls } from 'node:https';
import { connect } from 'node:net';
import type { GoRegex } from '../telemetry/regex.js';
import { sleep } from '../util/time.js';
import type { AppProcess, ExitInfo } from './appProcess.js';
import type { OutputCapture } from './outputCapture.js';

/** How Legible tells that an app is ready. */
export type Readiness =
  | { kind: 'http'; url: string; status?: number }
  | { kind: 'log'; pattern: GoRegex }
  | { kind: 'tcp'; port: number }
  /** The package.json fallback: the port accepts connections, or the app prints a local URL (then that is its URL). */
  | { kind: 'auto'; port: number }
  | { kind: 'none' };

export interface Ready {
  /** What was seen: "GET /health → 200", "port 4100 accepts connections", … */
  detail: string;
  /** A URL the app printed (auto readiness). */
  url?: string;
}

/** A port the app said it listens on that is not the one Legible gave it, and the line that said so. */
export interface OtherPort {
  port: number;
  line: string;
}

export type NotReady =
  | { kind: 'exited'; exit: ExitInfo }
  | { kind: 'timeout'; lastSeen: string; otherPort?: OtherPort }
  /** It printed that it listens on another port, which accepts connections while its own does not: it ignores PORT. */
  | { kind: 'wrong-port'; otherPort: OtherPort };

export function describeReadiness(readiness: Readiness): string {
  switch (readiness.kind) {
    case 'http':
      return `GET ${readiness.url} answering ${readiness.status ?? 'a status below 400'}`;
    case 'log':
      return `a line of output matching /${readiness.pattern.source}/`;
    case 'tcp':
      return `port ${readiness.port} accepting connections`;
    case 'auto':
      return `port ${readiness.port} accepting connections, or a local URL in the output`;
    case 'none':
      return 'no check (no port or "ready" is configured)';
  }
}

const LOCAL_URL = /\bhttps?:\/\/(?:localhost|127\.0\.0\.1|\[::1?\]|0\.0\.0\.0):\d+\/?\S*/;

/** "listening on http://localhost:3000", "Server running on port 3000", "bound to 0.0.0.0:3000": the port an app says it serves on. */
const LISTENING = /\b(?:listen\w*|running|started|serving|ready|available|bound)\b.{0,60}?(?:\bport"?\s*[:=]?\s*(\d{2,5})\b|(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\]|\[::\]|::):(\d{2,5})\b)/i;

/** The port a line says the app listens on, when that is not `expected`. */
export function otherPortIn(line: string, expected: number): OtherPort | undefined {
  const match = LISTENING.exec(line);
  const port = Number(match?.[1] ?? match?.[2]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65_535 || port === expected) return undefined;
  return { port, line: line.trim().slice(0, 120) };
}

/** How long a port the app named (not its own) must accept connections, its own not, before the start gives up. */
const WRONG_PORT_MS = 1_500;

/** The port a readiness check waits on, when it is a port on this machine. */
function checkedPort(readiness: Readiness): number | undefined {
  if (readiness.kind === 'tcp' || readiness.kind === 'auto') return readiness.port;
  if (readiness.kind !== 'http') return undefined;
  try {
    const url = new URL(readiness.url);
    return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  } catch {
    return undefined;
  }
}

/**
 * Waits until the app is ready, exits, or `timeoutMs` runs out (a NotReady is thrown for the last
 * two). `appPort`: the port Legible gave it; when the check waits on that port and the app prints
 * that it listens on another, which answers while its own does not, it ignores PORT (wrong-port).
 */
export async function waitUntilReady(readiness: Readiness, app: AppProcess, capture: OutputCapture, timeoutMs: number, appPort?: number): Promise<Ready> {
  const deadline = Date.now() + timeoutMs;
  let lastSeen = 'nothing yet';
  let found: Ready | undefined;
  // A port the app says it listens on that is not its own, and since when that port answers.
  const expected = appPort !== undefined && checkedPort(readiness) === appPort ? appPort : undefined;
  let otherPort: OtherPort | undefined;
  let otherAnswersSince: number | undefined;
  // Output often means the app just got somewhere ("listening on …"): look again at once.
  let wake: () => void = () => undefined;
  const off = capture.onLine((line) => {
    wake();
    if (found) return;
    if (expected !== undefined) otherPort = otherPortIn(line, expected) ?? otherPort;
    if (readiness.kind === 'log' || readiness.kind === 'auto') {
      if (readiness.kind === 'log' && readiness.pattern.test(line)) found = { detail: `printed ${JSON.stringify(line.slice(0, 100))}` };
      if (readiness.kind === 'auto') {
        const url = LOCAL_URL.exec(line)?.[0];
        if (url) found = { detail: `printed ${url}`, url: url.replace('0.0.0.0', 'localhost') };
      }
    }
  });
  try {
    if (readiness.kind === 'none') return { detail: describeReadiness(readiness) };
    for (;;) {
      if (found) return found;
      const exit = app.exit();
      if (exit) throw { kind: 'exited', exit } satisfies NotReady;
      if (readiness.kind === 'http') {
        const status = await httpStatus(readiness.url, Math.min(1_000, Math.max(50, deadline - Date.now())));
        if (typeof status === 'number') {
          if (readiness.status === undefined ? status < 400 : status === readiness.status) return { detail: `GET ${readiness.url} → ${status}` };
          lastSeen = `GET ${readiness.url} answered ${status}${readiness.status === undefined ? '' : ` (waiting for ${readiness.status})`}`;
        } else lastSeen = `GET ${readiness.url}: ${status.error}`;
      } else if (readiness.kind === 'tcp' || readiness.kind === 'auto') {
        if (await accepts(readiness.port)) return { detail: `port ${readiness.port} accepts connections` };
        lastSeen = `port ${readiness.port} refused connections`;
      } else if (readiness.kind === 'log') lastSeen = `no line matched /${readiness.pattern.source}/`;
      if (otherPort) {
        // Its own port is not ready (checked above) while the one it named answers: it ignores PORT.
        if (await accepts(otherPort.port)) otherAnswersSince ??= Date.now();
        else otherAnswersSince = undefined;
        if (otherAnswersSince !== undefined && Date.now() - otherAnswersSince >= WRONG_PORT_MS) throw { kind: 'wrong-port', otherPort } satisfies NotReady;
      }
      if (Date.now() >= deadline) throw { kind: 'timeout', lastSeen, ...(otherPort ? { otherPort } : {}) } satisfies NotReady;
      // Poll quickly at first (start-up time is what the agent waits for), then back off.
      const elapsed = timeoutMs - (deadline - Date.now());
      const output = new Promise<void>((resolve) => (wake = resolve));
      await Promise.race([sleep(Math.min(elapsed < 1_000 ? 20 : elapsed < 10_000 ? 100 : 250, Math.max(0, deadline - Date.now()))), app.exited, output]);
      wake = () => undefined;
    }
  } finally {
    off();
  }
}

function httpStatus(url: string, timeoutMs: number): Promise<number | { error: string }> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ error: 'not a valid URL' });
      return;
    }
    const send = target.protocol === 'https:' ? requestTls : request;
    const req = send(target, { method: 'GET', timeout: timeoutMs, rejectUnauthorized: false, headers: { 'user-agent': 'legible-readiness' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code === 'ECONNREFUSED' ? 'connection refused' : error.message }));
    req.end();
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: 'localhost', timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
