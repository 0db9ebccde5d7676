import type { Config } from '../config/config.js';
import { checkSessionName, DEFAULT_SESSION, findWorkspace } from '../daemon/paths.js';
import { isLoopbackHost } from '../http/loopback.js';
import { parseDuration } from '../telemetry/time.js';
import { LegibleError } from '../util/errors.js';
import type { CliCommand } from './flags.js';

/**
 * The flags that choose how legible-mcp serves: over stdio with its own browser (the default),
 * through the workspace's daemon (--daemon), over Streamable HTTP (--port), or as the daemon
 * itself (`legible-mcp daemon`, which the legible command line starts).
 */
export const MODE_OPTIONS = {
  daemon: { type: 'boolean' },
  session: { type: 'string' },
  workspace: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  'allowed-origin': { type: 'string', multiple: true },
  'idle-timeout': { type: 'string' },
  'max-sessions': { type: 'string' },
} as const;

/** The default for --idle-timeout: a daemon's browser, an HTTP session's browser context. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;

interface ModeValues {
  daemon?: boolean;
  session?: string;
  workspace?: string;
  port?: string;
  host?: string;
  token?: string;
  'allowed-origin'?: string[];
  'idle-timeout'?: string;
  'max-sessions'?: string;
}

/** The default for --max-sessions: MCP sessions over HTTP at once (each has its own browser context). */
export const DEFAULT_MAX_SESSIONS = 16;

function maxSessions(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_SESSIONS;
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || count > 10_000) throw usage(`--max-sessions takes a number of sessions from 1 to 10000, not ${JSON.stringify(text.slice(0, 100))}.`);
  return count;
}

const HELP = 'Run legible-mcp --help for the options.';
const usage = (message: string, hint = HELP) => new LegibleError(message, hint, { kind: 'usage' });

function idleTimeout(text: string | undefined): number {
  const given = text ?? process.env.LEGIBLE_IDLE_TIMEOUT;
  if (given === undefined || given === '') return DEFAULT_IDLE_TIMEOUT_MS;
  const ms = parseDuration(/^\d+$/.test(given) ? `${given}m` : given);
  if (ms === undefined || ms < 1_000) {
    // Say which was wrong: the flag, or the environment variable it defaults to.
    const source = text === undefined ? 'LEGIBLE_IDLE_TIMEOUT (in the environment)' : '--idle-timeout';
    throw usage(
      `${source} takes a duration of at least 1s, such as 30m or 2h, not ${JSON.stringify(given.slice(0, 100))}.`,
      text === undefined ? 'Fix or unset LEGIBLE_IDLE_TIMEOUT, or give --idle-timeout, which wins over it.' : HELP,
    );
  }
  return ms;
}

function origin(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    return url.origin;
  } catch {
    throw usage(`--allowed-origin takes an origin such as https://app.example.com, not ${JSON.stringify(text.slice(0, 100))}.`);
  }
}

/** The argv a proxy hands to the daemon it starts: the browser and server flags, without its own. */
function daemonArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--daemon') continue;
    if (word === '--session') {
      i++;
      continue;
    }
    if (word.startsWith('--session=')) continue;
    out.push(word);
  }
  return out;
}

export function modeOf(values: ModeValues, argv: string[], config: Config, daemonCommand: boolean): CliCommand {
  const http = values.port !== undefined;
  const given = (names: (keyof ModeValues)[]) => names.filter((name) => values[name] !== undefined).map((name) => `--${name}`);
  if (values.session !== undefined) checkSessionName(values.session);
  if (daemonCommand) {
    const wrong = given(['daemon', 'port', 'host', 'token', 'allowed-origin', 'max-sessions']);
    if (wrong.length) throw usage(`legible-mcp daemon does not take ${wrong.join(', ')}.`);
    return {
      kind: 'daemon',
      config,
      workspace: findWorkspace(values.workspace ?? process.cwd()),
      session: values.session ?? DEFAULT_SESSION,
      idleTimeoutMs: idleTimeout(values['idle-timeout']),
    };
  }
  if (values.workspace !== undefined) throw usage('--workspace goes with legible-mcp daemon (the legible command line passes it).');
  if (values.daemon) {
    const wrong = given(['port', 'host', 'token', 'allowed-origin', 'max-sessions']);
    if (wrong.length) throw usage(`--daemon serves over stdio; it does not take ${wrong.join(', ')}.`, 'Use either --daemon or --port.');
    return { kind: 'proxy', session: values.session ?? DEFAULT_SESSION, daemonArgs: daemonArgs(argv) };
  }
  if (values.session !== undefined) throw usage('--session goes with --daemon.');
  if (!http) {
    const wrong = given(['host', 'token', 'allowed-origin', 'idle-timeout', 'max-sessions']);
    if (wrong.length) throw usage(`${wrong.join(', ')} ${wrong.length > 1 ? 'go' : 'goes'} with --port (MCP over HTTP).`);
    return { kind: 'serve', config };
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port!) || port > 65_535) throw usage(`--port takes a port number 0-65535, not ${JSON.stringify(values.port!.slice(0, 100))}.`);
  const host = values.host ?? '127.0.0.1';
  const token = values.token ?? (process.env.LEGIBLE_TOKEN || undefined);
  if (!isLoopbackHost(host) && !token) {
    throw usage(
      `Refusing to serve on ${host} without a token: anyone who can reach that address could drive the browser (and through it, your local apps).`,
      'Set LEGIBLE_TOKEN (or pass --token) so clients must send "Authorization: Bearer <token>", or listen on 127.0.0.1.',
    );
  }
  return {
    kind: 'http',
    config,
    http: {
      port,
      host,
      token,
      allowedOrigins: (values['allowed-origin'] ?? []).map(origin),
      idleTimeoutMs: idleTimeout(values['idle-timeout']),
      maxSessions: maxSessions(values['max-sessions']),
    },
  };
}
