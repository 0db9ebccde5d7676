import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APPS_CONFIG_FILE, parseAppsConfig } from '../../config/appsConfig.js';
import { backendHeaders } from '../../config/backendHeaders.js';
import { DEFAULT_BACKEND_TIMEOUT } from '../../config/config.js';
import { errorMessage, LegibleError } from '../../util/errors.js';
import { parseDuration } from '../time.js';
import type { Config } from '../../config/config.js';
import type { LogsBackend, MetricsBackend, TracesBackend } from '../backends.js';
import { OtlpForwarder } from '../otlp/forwarder.js';
import { JaegerClient } from './jaeger.js';
import { LokiClient } from './loki.js';
import { PrometheusClient } from './prometheus.js';
import { TempoClient } from './tempo.js';

/**
 * The team's backends the start-up options name, built once: the server uses a remote backend
 * where one is set and the embedded store's adapter (metrics/backend.ts, traces/backend.ts)
 * where not. Headers come from the environment (config/backendHeaders.ts), never from flags.
 */

export type BackendSettings = Pick<Config, 'metricsUrl' | 'logsUrl' | 'tracesUrl' | 'tracesApi' | 'otlpForward' | 'backendTimeout'>;

export interface RemoteBackends {
  metrics?: MetricsBackend;
  logs?: LogsBackend;
  traces?: TracesBackend;
}

/**
 * The backend settings in force: each flag, else the same key of legible.config.json's
 * `backends` in the workspace (`--root`), else none. A config file that does not parse is an
 * error naming the JSON path, as for the apps.
 */
export async function backendSettings(config: Pick<Config, 'root'> & BackendSettings): Promise<BackendSettings> {
  const file = join(config.root, APPS_CONFIG_FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new LegibleError(`Could not read ${file}: ${errorMessage(error)}.`, 'Check that the file is readable.');
  }
  const fromFile = text === undefined ? undefined : parseAppsConfig(text, file).backends;
  if (!fromFile) return config;
  const timeout = typeof fromFile.timeout === 'string' ? parseDuration(fromFile.timeout) : fromFile.timeout;
  return {
    metricsUrl: config.metricsUrl ?? fromFile.metricsUrl,
    logsUrl: config.logsUrl ?? fromFile.logsUrl,
    tracesUrl: config.tracesUrl ?? fromFile.tracesUrl,
    tracesApi: config.tracesApi ?? fromFile.tracesApi,
    otlpForward: config.otlpForward ?? fromFile.otlpForward,
    // The flag's default is 10 s: the file's value counts unless the flag was changed from it.
    backendTimeout: config.backendTimeout !== DEFAULT_BACKEND_TIMEOUT ? config.backendTimeout : Math.min(120_000, Math.max(1, Math.round(timeout ?? config.backendTimeout))),
  };
}

export function remoteBackends(settings: BackendSettings, env: NodeJS.ProcessEnv = process.env): RemoteBackends {
  const out: RemoteBackends = {};
  const timeoutMs = settings.backendTimeout;
  if (settings.metricsUrl) out.metrics = new PrometheusClient({ baseUrl: settings.metricsUrl, headers: backendHeaders('metrics', env), timeoutMs });
  if (settings.logsUrl) out.logs = new LokiClient({ baseUrl: settings.logsUrl, headers: backendHeaders('logs', env), timeoutMs });
  if (settings.tracesUrl) {
    const options = { baseUrl: settings.tracesUrl, headers: backendHeaders('traces', env), timeoutMs };
    out.traces = settings.tracesApi === 'jaeger' ? new JaegerClient(options) : new TempoClient(options);
  }
  return out;
}

/** The forwarder `--otlp-forward` asks for (hand it to the OtlpReceiver as `forward`), or undefined. */
export function otlpForwarder(settings: BackendSettings, env: NodeJS.ProcessEnv = process.env): OtlpForwarder | undefined {
  if (!settings.otlpForward) return undefined;
  return new OtlpForwarder({ url: settings.otlpForward, headers: backendHeaders('forward', env) });
}
