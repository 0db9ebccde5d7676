import { backendHeaders } from '../../config/backendHeaders.js';
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
