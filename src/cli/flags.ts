import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { backendHeaders } from '../config/backendHeaders.js';
import { parseConfig, type Config } from '../config/config.js';
import { UsageError } from '../util/errors.js';
import { MODE_OPTIONS, modeOf } from './modeFlags.js';
import { quoteValue } from '../util/text.js';

export const USAGE = `Usage: legible-mcp [options]

Starts the Legible MCP server on stdio.

Browser:
  --executable-path PATH   Chromium/Chrome binary (else CHROME_PATH, else the usual paths)
  --headed                 Show the browser window (default: headless)
  --viewport WxH           Viewport size (default 1280x720)
  --user-data-dir DIR      Browser profile to use (default: a fresh temporary one, deleted on exit)
  --chrome-arg ARG         Extra browser flag; repeat for more
  --browser-url URL        Attach to a browser started with --remote-debugging-port (e.g. http://127.0.0.1:9222)
  --ws-endpoint URL        Attach to a browser's DevTools WebSocket (ws://...)
  --reuse-tab              Attached: work in the browser's open tab (default: open a new tab)

Run a journey without an agent:
  legible-mcp run <journey.json> [--record] [--report DIR] [--label NAME] [--app NAME] [options]
  Exits 0 passed, 1 failed (a bug was found, in the page or a server verdict), 2 not checked:
  incomplete (a step not run, a field not honoured, nothing checked), the app unreachable, or a
  bad journey or option.
  --record                 Record a video of the run (needs ffmpeg)
  --report DIR             Write a QA report folder (report.html, HAR, console log, video)
  --label NAME             Name the run (e.g. before, after): report files and the run record
  --compare-with RUN       Compare with an earlier run in the --report: its report folder or
                           run record (runs/run-N-<time>.json, <label>-run.json)
  --allow-unchecked        Pass an incomplete run that checked something; list what it did not
  --app NAME               Start this app of legible.config.json for the run (repeatable); the
                           apps the journey uses start anyway. Own instances, own ports,
                           stopped at the end
  --apps                   Start all the config's apps for the run

Apps under test:
  --root DIR               Workspace with legible.config.json (or package.json) whose apps
                           the app tool runs (default: the current folder)
  --log-entries N          Log entries kept in memory (default 1000000; older ones are
                           dropped and counted)
  --otlp-port N            Receive OTLP (traces, metrics, logs) on 127.0.0.1:N from start-up
                           (default: a free port, opened with the first app or telemetry tool)
  --max-spans N            Spans kept in memory (default 100000)
  --max-samples N          Metric samples kept in memory (default 5000000)

Share a browser with the legible command line, or serve MCP over HTTP:
  --daemon                 Use this workspace's daemon (the one legible starts) instead of an own browser
  --session NAME           With --daemon: which of the workspace's daemons (default "default")
  --port N                 Serve MCP over Streamable HTTP at http://HOST:N/mcp (0: any free port)
  --host HOST              Address to listen on (default 127.0.0.1; others need a token)
  --token TOKEN            Require "Authorization: Bearer TOKEN" (else LEGIBLE_TOKEN, if set)
  --allowed-origin ORIGIN  Accept browser requests from this Origin too; repeat for more
  --idle-timeout TIME      End an HTTP session, or stop a daemon, after this long unused (default 30m;
                           a daemon whose apps run waits up to 8 times as long)
  --max-sessions N         MCP sessions over HTTP at once (default 16); more are refused with 503

Server:
  --no-evaluate            Run no JavaScript of the agent's or a journey's in the page: no evaluate
                           tool; js: expectations, waitForExpression steps, javascript:, blob:
                           and scriptable data: URLs refused
  --output-dir DIR         Where screenshots and saved files go (default ./recordings)
  --navigation-timeout MS  Upper bound for a page load (default 15000)
  --page-timeout MS        Upper bound for one call into the page (default 10000)
  --timer-wait MS          Before reporting, wait for timers an action started with delays up
                           to MS, and its animations (default 1000; 0: do not)
  --run-timeout MS         Upper bound for one journey run, all steps together (default 600000)
  --journey-dir DIR        Another folder a journey run may read journey files from (besides the
                           output folder and the working folder); repeat for more

Team backends (docs/team-stack.md; headers such as auth tokens come from the environment:
LEGIBLE_METRICS_HEADERS, LEGIBLE_LOGS_HEADERS, LEGIBLE_TRACES_HEADERS,
LEGIBLE_OTLP_FORWARD_HEADERS = 'Name=value,Other=value', values percent-encoded):
  --metrics-url URL        Query a Prometheus HTTP API (Prometheus, VictoriaMetrics, Mimir,
                           Thanos) instead of the embedded metric store
  --logs-url URL           Query a Loki instead of the embedded log store
  --traces-url URL         Query a Tempo (or a Jaeger) instead of the embedded span store
  --traces-api API         tempo (default) or jaeger: the API --traces-url speaks
  --otlp-forward URL       Also send all OTLP received to this OTLP/HTTP endpoint (a collector;
                           /v1/traces, /v1/metrics, /v1/logs are appended)
  --backend-timeout MS     Upper bound for one request to a backend (default 10000)

  -h, --help               Show this help
  -v, --version            Show the version
`;

export interface HttpOptions {
  port: number;
  host: string;
  token?: string;
  allowedOrigins: string[];
  idleTimeoutMs: number;
  /** MCP sessions at once; an initialize beyond them is refused with 503. */
  maxSessions: number;
}

export type CliCommand =
  | { kind: 'serve'; config: Config }
  | { kind: 'http'; config: Config; http: HttpOptions }
  | { kind: 'proxy'; session: string; daemonArgs: string[] }
  | { kind: 'daemon'; config: Config; workspace: string; session: string; idleTimeoutMs: number }
  | { kind: 'run'; config: Config; journey: string; run: RunFlags }
  | { kind: 'help' }
  | { kind: 'version' };

/** The options of `legible-mcp run`. */
export interface RunFlags {
  record: boolean;
  report?: string;
  label?: string;
  compareWith?: string;
  allowUnchecked: boolean;
  /** Apps to start for the run: all of the config's (--apps), or these (--app). */
  apps?: 'all' | string[];
}

const LABEL = /^[\w.-]{1,40}$/;
const APP_NAME = /^[\w.-]{1,100}$/;

function number(value: string | undefined, flag: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min) {
    throw new UsageError(`${flag} takes a whole number of milliseconds${min ? '' : ' (0 or more)'}, not ${quoteValue(value)}.`, 'Run legible-mcp --help for the options.');
  }
  return parsed;
}

function count(value: string | undefined, flag: string, min = 1_000): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min) {
    throw new UsageError(`${flag} takes a whole number of at least ${min}, not ${quoteValue(value)}.`, 'Run legible-mcp --help for the options.');
  }
  return parsed;
}

function portNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > 65535) {
    throw new UsageError(`${flag} takes a port number from 1 to 65535, not ${quoteValue(value)}.`, 'Leave it out for a free port, or give one such as --otlp-port 4318.');
  }
  return parsed;
}

function tracesApi(value: string | undefined): 'tempo' | 'jaeger' | undefined {
  if (value === undefined || value === 'tempo' || value === 'jaeger') return value;
  throw new UsageError(`--traces-api takes tempo or jaeger, not ${JSON.stringify(value.slice(0, 100))}.`, 'Tempo: --traces-url http://tempo:3200; Jaeger: --traces-url http://jaeger:16686 --traces-api jaeger.');
}

/** The header variables of the backends in use must parse: fail at start-up, not at the first query. */
function checkHeaderVariables(config: Config, env: NodeJS.ProcessEnv): void {
  if (config.metricsUrl) backendHeaders('metrics', env);
  if (config.logsUrl) backendHeaders('logs', env);
  if (config.tracesUrl) backendHeaders('traces', env);
  if (config.otlpForward) backendHeaders('forward', env);
}

/** node:util's parseArgs errors in a sentence of ours (its own quote options unevenly and suggest `--` tricks). */
function argvProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const option = /'(-[^' ]+)/.exec(message)?.[1]?.slice(0, 100);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `Unknown option ${option}.`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing|ambiguous/.test(message) ? `${option} needs a value (write ${option}=VALUE when the value starts with a dash).` : `${option} takes no value.`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const argument = /'([^']*)'/.exec(message)?.[1] ?? '';
    return `Unexpected argument ${JSON.stringify(argument.slice(0, 100))}: legible-mcp takes only options (no positional arguments), except after run.`;
  }
  return message.replace(/\s+/g, ' ');
}

/**
 * The output folder must be a folder, or not exist yet under one: a file in its place (or on the
 * way to it) would fail every save later with EEXIST or ENOTDIR.
 */
function checkOutputDir(dir: string): void {
  for (let path = resolve(dir); ; path = dirname(path)) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // does not exist (yet): it will be created; look at its parent
    }
    if (isDirectory === false) {
      const which = path === resolve(dir) ? `${JSON.stringify(dir)} is a file, not a folder` : `${JSON.stringify(path)}, on the way to ${JSON.stringify(dir)}, is a file`;
      throw new UsageError(`--output-dir: ${which}.`, 'Give --output-dir a folder (it is created if it does not exist), or move the file away.');
    }
    if (isDirectory || dirname(path) === path) return;
  }
}

/** --root must be a folder that exists: the apps' config is read from it on the first app tool call, too late to say so. */
function checkRoot(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `--root: there is no folder ${quoteValue(dir)}${resolve(dir) === dir ? '' : ` (${resolve(dir)})`}.` : `--root: ${quoteValue(dir)} cannot be read (${code ?? String(error)}).`,
      'Give --root the folder of the app under test (the one with legible.config.json or package.json); without it, Legible uses the folder it starts in.',
    );
  }
  if (!isDirectory) {
    throw new UsageError(`--root: ${quoteValue(dir)} is a file, not a folder.`, 'Give --root the folder that holds legible.config.json (or package.json), not the file itself.');
  }
}

/** Parses the command line into a validated config; throws UsageError with a readable message. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  const running = argv[0] === 'run';
  const daemon = argv[0] === 'daemon';
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: running || daemon ? argv.slice(1) : argv,
      strict: true,
      allowPositionals: running,
      options: {
        record: { type: 'boolean' },
        report: { type: 'string' },
        label: { type: 'string' },
        'compare-with': { type: 'string' },
        'allow-unchecked': { type: 'boolean' },
        app: { type: 'string', multiple: true },
        apps: { type: 'boolean' },
        'executable-path': { type: 'string' },
        headed: { type: 'boolean' },
        viewport: { type: 'string' },
        'user-data-dir': { type: 'string' },
        'chrome-arg': { type: 'string', multiple: true },
        'browser-url': { type: 'string' },
        'ws-endpoint': { type: 'string' },
        'reuse-tab': { type: 'boolean' },
        'no-evaluate': { type: 'boolean' },
        'output-dir': { type: 'string' },
        root: { type: 'string' },
        'log-entries': { type: 'string' },
        'otlp-port': { type: 'string' },
        'max-spans': { type: 'string' },
        'max-samples': { type: 'string' },
        'navigation-timeout': { type: 'string' },
        'page-timeout': { type: 'string' },
        'metrics-url': { type: 'string' },
        'logs-url': { type: 'string' },
        'traces-url': { type: 'string' },
        'traces-api': { type: 'string' },
        'otlp-forward': { type: 'string' },
        'backend-timeout': { type: 'string' },
        'timer-wait': { type: 'string' },
        'run-timeout': { type: 'string' },
        'journey-dir': { type: 'string', multiple: true },
        ...MODE_OPTIONS,
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (error) {
    throw new UsageError(argvProblem(error), 'Run legible-mcp --help for the options.');
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const runOnly = (['record', 'report', 'label', 'compare-with', 'allow-unchecked', 'app', 'apps'] as const).filter((flag) => values[flag] !== undefined);
  if (!running && runOnly.length) {
    throw new UsageError(`${runOnly.map((flag) => `--${flag}`).join(', ')} ${runOnly.length > 1 ? 'go' : 'goes'} with the run command.`, 'Use legible-mcp run <journey.json> --record --report DIR.');
  }
  const modeOnly = (Object.keys(MODE_OPTIONS) as (keyof typeof MODE_OPTIONS)[]).filter((flag) => values[flag] !== undefined);
  if (running && modeOnly.length) {
    throw new UsageError(`run replays a journey on its own browser; it does not take ${modeOnly.map((flag) => `--${flag}`).join(', ')}.`, 'Run legible-mcp --help for the options.');
  }
  if (running && positionals.length !== 1) {
    throw new UsageError(positionals.length ? `run takes one journey file, not ${positionals.length}.` : 'run needs a journey file.', 'Use legible-mcp run <journey.json> [--record] [--report DIR].');
  }
  if (values['output-dir'] !== undefined) checkOutputDir(values['output-dir']);
  if (values.root !== undefined) checkRoot(values.root);
  if (values.label !== undefined && !LABEL.test(values.label)) {
    throw new UsageError(`--label takes 1-40 letters, digits, dots, dashes or underscores, not ${JSON.stringify(values.label.slice(0, 100))}.`, 'For example --label after.');
  }
  if (values.app !== undefined && values.apps) throw new UsageError('Give --app NAME (one app, repeatable) or --apps (all of them), not both.', 'For example legible-mcp run cart.json --app api --app web.');
  const badApp = values.app?.find((name) => !APP_NAME.test(name));
  if (badApp !== undefined) throw new UsageError(`--app takes an app's name from legible.config.json, not ${JSON.stringify(badApp.slice(0, 100))}.`, 'For example --app api.');
  if (values['compare-with'] !== undefined && values.report === undefined) {
    throw new UsageError('--compare-with writes the comparison into a report: --report DIR is missing.', 'Use legible-mcp run <journey.json> --label after --compare-with <before report folder or run record> --report DIR.');
  }
  try {
    const config = parseConfig({
      executablePath: values['executable-path'],
      headed: values.headed ?? false,
      viewport: values.viewport,
      userDataDir: values['user-data-dir'],
      chromeArgs: values['chrome-arg'] ?? [],
      browserUrl: values['browser-url'],
      wsEndpoint: values['ws-endpoint'],
      reuseTab: values['reuse-tab'] ?? false,
      evaluate: !values['no-evaluate'],
      outputDir: values['output-dir'],
      root: values.root,
      logEntries: count(values['log-entries'], '--log-entries'),
      otlpPort: portNumber(values['otlp-port'], '--otlp-port'),
      maxSpans: count(values['max-spans'], '--max-spans'),
      maxSamples: count(values['max-samples'], '--max-samples'),
      navigationTimeout: number(values['navigation-timeout'], '--navigation-timeout'),
      pageTimeout: number(values['page-timeout'], '--page-timeout'),
      metricsUrl: values['metrics-url'],
      logsUrl: values['logs-url'],
      tracesUrl: values['traces-url'],
      tracesApi: tracesApi(values['traces-api']),
      otlpForward: values['otlp-forward'],
      backendTimeout: number(values['backend-timeout'], '--backend-timeout'),
      timerWait: number(values['timer-wait'], '--timer-wait', 0),
      runTimeout: number(values['run-timeout'], '--run-timeout'),
      // `run` reads the journey file it was given, wherever it is.
      journeyDirs: [...(values['journey-dir'] ?? []), ...(running ? [dirname(resolve(positionals[0]!))] : [])],
    });
    checkHeaderVariables(config, env);
    if (running) {
      const apps = values.apps ? ('all' as const) : values.app;
      const run: RunFlags = { record: values.record ?? false, report: values.report, label: values.label, compareWith: values['compare-with'], allowUnchecked: values['allow-unchecked'] ?? false, ...(apps ? { apps } : {}) };
      return { kind: 'run', config, journey: positionals[0]!, run };
    }
    return modeOf(values, argv, config, daemon);
  } catch (error) {
    if (error instanceof ZodError) {
      const problems = error.issues.map((issue) => `${issue.path.length ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : ''}${issue.message}`);
      throw new UsageError(`Invalid options: ${problems.join('; ')}.`, 'Run legible-mcp --help for the options.');
    }
    throw error;
  }
}
