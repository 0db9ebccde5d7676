import { existsSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { dependenciesOf, type AppSpec } from '../config/appsConfig.js';
import { entriesSince } from '../telemetry/logs/recent.js';
import type { LogStore } from '../telemetry/logs/store.js';
import { compileGoRegex } from '../telemetry/regex.js';
import { parseDuration } from '../telemetry/time.js';
import { logDebug } from '../util/log.js';
import { AppStartError, describeExit } from './appErrors.js';
import { AppProcess, type ExitInfo } from './appProcess.js';
import type { AppSource } from './appSource.js';
import { MARKER_VARIABLE } from './leftovers.js';
import { OutputCapture } from './outputCapture.js';
import { freePort, portInUse } from './ports.js';
import { describeReadiness, waitUntilReady, type NotReady, type Readiness } from './readiness.js';
import type { AppRun } from './supervisor.js';
import { expandTemplate, type TemplateValues } from './template.js';

export const DEFAULT_READY_TIMEOUT_MS = 30_000;
export const DEFAULT_SCRAPE_MS = 5_000;
const LAST_LINES = 12;

export interface LaunchOptions {
  name: string;
  spec: AppSpec;
  source: AppSource;
  store: LogStore;
  /** The port an "auto" app had before (kept when still free). */
  previousPort: number | undefined;
  /** Put in the environment of its processes, to recognise them later. */
  marker: string;
  /** Variables from Legible's telemetry (OTEL_*); the app's own `env` wins over them. */
  telemetryEnv?: Record<string, string>;
  /** URL and port of another (running) app, for {apps.<name>.url}. */
  dependency(name: string): { url?: string; port?: number };
  onSpawn(run: AppRun): void;
  /** It failed: how it exited (when it ran) and the error's message. */
  onFailure(exit: ExitInfo | undefined, message: string): void;
}

export interface Launched {
  run: AppRun;
  readyMs: number;
  readiness: string;
  /** False when there was nothing to check (no port, no "ready"). */
  checked: boolean;
}

/**
 * Starts one app: picks its port, fills in its placeholders, spawns it in its own process group
 * with its output going to the log store, and waits until it is ready. On failure its processes
 * are stopped and an AppStartError says why, with its last lines of output. An "auto" port that
 * turns out to be taken when the app binds it (another server got there first) is retried once.
 */
export async function launchApp(options: LaunchOptions, retried = false): Promise<Launched> {
  const began = Date.now();
  const { name, spec, source, store } = options;
  const fail = (failure: AppStartError['failure'], message: string, hint: string, lines: AppStartError['lastLines'] = [], exit?: ExitInfo) => {
    options.onFailure(exit, message);
    return new AppStartError(name, failure, message, hint, lines, exit);
  };
  const cwd = resolve(source.root, spec.cwd ?? '.');
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    throw fail('cwd', `The working directory of ${name}, ${cwd}, does not exist.`, `Fix "cwd" of ${name} in ${source.file}; it is relative to the config file's folder.`);
  }
  let port: number | undefined;
  if (spec.port === 'auto') port = options.previousPort !== undefined && !(await portInUse(options.previousPort)) ? options.previousPort : await freePort();
  else if (spec.port !== undefined) {
    if (await portInUse(spec.port)) {
      throw fail(
        'port-in-use',
        `Port ${spec.port} of ${name} is already in use: something else listens there.`,
        `Stop what holds it (\`lsof -i :${spec.port}\` or \`ss -ltnp\` shows it), or set "port": "auto" for ${name} in ${source.file}, so each Legible server picks a free port.`,
      );
    }
    port = spec.port;
  }
  const values: TemplateValues = { ...(port !== undefined ? { port } : {}), apps: {} };
  for (const dependency of dependenciesOf(spec)) values.apps[dependency] = options.dependency(dependency);
  const expand = (text: string) => expandTemplate(text, values);
  const url = spec.url ? expand(spec.url) : port !== undefined ? `http://localhost:${port}` : undefined;
  const command = typeof spec.command === 'string' ? expand(spec.command) : spec.command.map(expand);
  const env: NodeJS.ProcessEnv = {
    ...inherited(options.telemetryEnv),
    // As npm scripts have it: the project's own binaries (vite, next, tsx) without npx.
    PATH: [join(cwd, 'node_modules', '.bin'), join(source.root, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
    ...(port !== undefined ? { PORT: String(port) } : {}),
    ...options.telemetryEnv,
    ...Object.fromEntries(Object.entries(spec.env ?? {}).map(([key, value]) => [key, expand(value)])),
    [MARKER_VARIABLE]: options.marker,
  };
  const readiness = readinessOf(spec, port, url, source.kind);
  const scrape = spec.metrics ? scrapeOf(spec.metrics, expand, port, url) : undefined;
  const timeoutMs = readyTimeout(spec);

  const prepared = Date.now();
  const markSeq = store.nextSeq();
  const capture = new OutputCapture(store, name);
  const child = new AppProcess({ command, cwd, env }, capture);
  const run: AppRun = { process: child, capture, spec, ...(port !== undefined ? { port } : {}), ...(url ? { url } : {}), ...(scrape ? { scrape } : {}), marker: options.marker, markSeq, stopping: false };
  options.onSpawn(run);
  try {
    const ready = await waitUntilReady(readiness, child, capture, timeoutMs, port);
    if (ready.url) run.url = ready.url;
    run.readyAt = Date.now();
    // Output the app wrote before it answered may still wait on the pipe behind the readiness
    // answer: read it (one turn of the event loop), then store what is held back, so the start-up
    // lines are the start's, not the next action's.
    await new Promise((resolve) => setImmediate(resolve));
    capture.flush();
    const first = capture.firstOutputAt === undefined ? 'no output' : `first output ${capture.firstOutputAt - child.startedAt} ms`;
    logDebug(`${name}: config and port ${prepared - began} ms, spawn → ${first}, ready ${run.readyAt - child.startedAt} ms (${ready.detail})`);
    return { run, readyMs: run.readyAt - child.startedAt, readiness: ready.detail, checked: readiness.kind !== 'none' };
  } catch (caught) {
    const notReady = caught as NotReady;
    if (notReady.kind !== 'exited' && notReady.kind !== 'timeout' && notReady.kind !== 'wrong-port') throw caught;
    run.stopping = true;
    const exit = notReady.kind === 'exited' ? notReady.exit : await child.stop();
    if (notReady.kind === 'exited') await child.stop(500);
    capture.end();
    const { lines } = entriesSince(store, markSeq, (labels) => labels.app === name, LAST_LINES);
    const text = lines.map((line) => line.line).join('\n');
    if (notReady.kind === 'exited' && spec.port === 'auto' && !retried && /EADDRINUSE|address already in use/i.test(text)) {
      options.onFailure(exit, 'the port was taken; retrying with another');
      return launchApp({ ...options, previousPort: undefined }, true);
    }
    if (notReady.kind === 'exited') {
      const spawnError = notReady.exit.spawnError;
      const program = typeof command === 'string' ? command.split(/\s+/)[0]! : command[0]!;
      if (spawnError?.code === 'ENOENT' || (typeof command === 'string' && exit.code === 127)) {
        throw fail('spawn', `${name} could not start: the command ${JSON.stringify(program.slice(0, 100))} was not found.`, `Check "command" of ${name} in ${source.file}: install the program (npm install?) or give its path.`, lines, exit);
      }
      if (spawnError) throw fail('spawn', `${name} could not start: ${spawnError.message}.`, `Check "command" and "cwd" of ${name} in ${source.file}.`, lines, exit);
      const after = exit.at - child.startedAt;
      throw fail('exited', `${name} exited during start-up (${describeExit(exit)}, after ${after} ms).`, `Fix what its last lines of output show, then start it again.`, lines, exit);
    }
    // Where the port Legible gave it goes: the command's {port}, or PORT in its environment.
    const usePort = `Make it listen on the port Legible gives it: put {port} in its "command" (e.g. "node server.js --port {port}") or read process.env.PORT in the app`;
    if (notReady.kind === 'wrong-port') {
      const other = notReady.otherPort;
      throw fail(
        'wrong-port',
        `${name} listens on port ${other.port}, not on port ${port} that Legible gave it (in PORT): it printed ${JSON.stringify(other.line)}, and port ${other.port} answers while ${port} does not. It was stopped.`,
        `${usePort}; or, if it must use ${other.port}, set "port": ${other.port} for ${name} in ${source.file}.`,
        lines,
        exit,
      );
    }
    const ownPort = port !== undefined && readiness.kind !== 'log' && readiness.kind !== 'none';
    const printed = notReady.otherPort ? ` It printed ${JSON.stringify(notReady.otherPort.line)}: port ${notReady.otherPort.port}, not ${port}.` : '';
    throw fail(
      'timeout',
      `${name} was not ready after ${Math.round(timeoutMs / 100) / 10} s: Legible waited for ${describeReadiness(readiness)}; last seen: ${notReady.lastSeen}.${printed} It was stopped.`,
      `Check its last lines above.${ownPort ? ` If it listens on a port of its own, it ignores PORT: ${usePort}.` : ''} If it is ready in another way, set "ready" of ${name} in ${source.file} (an HTTP path, a log line pattern, or a port) or a longer "timeout".`,
      lines,
      exit,
    );
  }
}

function readinessOf(spec: AppSpec, port: number | undefined, url: string | undefined, source: AppSource['kind']): Readiness {
  const ready = spec.ready;
  if (ready?.http) {
    const target = /^https?:\/\//.test(ready.http) ? ready.http : url ? new URL(ready.http, url).toString() : `http://localhost:${port}${ready.http}`;
    return { kind: 'http', url: target, ...(ready.status !== undefined ? { status: ready.status } : {}) };
  }
  if (ready?.log) return { kind: 'log', pattern: compileGoRegex(ready.log) };
  if (ready?.tcp !== undefined) return { kind: 'tcp', port: ready.tcp === true ? port! : ready.tcp };
  if (port === undefined) return { kind: 'none' };
  return source === 'package.json' ? { kind: 'auto', port } : { kind: 'tcp', port };
}

/**
 * Legible's own environment, less the OpenTelemetry variables that would send an app's telemetry
 * elsewhere when Legible gives it an endpoint (the per-signal endpoints and protocols win over
 * the general ones in every SDK).
 */
function inherited(telemetry: Record<string, string> | undefined): NodeJS.ProcessEnv {
  if (!telemetry?.OTEL_EXPORTER_OTLP_ENDPOINT) return process.env;
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^OTEL_EXPORTER_OTLP_(TRACES|METRICS|LOGS)_(ENDPOINT|PROTOCOL)$/.test(key)));
}

/** Where and how often to scrape the app's Prometheus endpoint. */
function scrapeOf(metrics: NonNullable<AppSpec['metrics']>, expand: (text: string) => string, port: number | undefined, url: string | undefined): { url: string; intervalMs: number } {
  const path = expand(metrics.path);
  const target = /^https?:\/\//.test(path) ? path : new URL(path, url ?? `http://localhost:${port}`).toString();
  const interval = metrics.interval;
  const intervalMs = interval === undefined ? DEFAULT_SCRAPE_MS : typeof interval === 'number' ? interval : (parseDuration(interval) ?? DEFAULT_SCRAPE_MS);
  return { url: target, intervalMs };
}

function readyTimeout(spec: AppSpec): number {
  const timeout = spec.ready?.timeout;
  if (timeout === undefined) return DEFAULT_READY_TIMEOUT_MS;
  return typeof timeout === 'number' ? timeout : (parseDuration(timeout) ?? DEFAULT_READY_TIMEOUT_MS);
}
