import { LegibleError, errorMessage } from '../util/errors.js';
import { logDebug } from '../util/log.js';
import type { LogsBackend, MetricsBackend, TracesBackend } from './backends.js';
import { EmbeddedLogs } from './logs/backend.js';
import type { LogStore } from './logs/store.js';
import type { ScrapeStatus } from './metrics/scraper.js';
import type { OtlpForwarder } from './otlp/forwarder.js';
import type { ExportTraceRequest } from './otlp/model.js';
import type { OtlpReceiverStats } from './otlp/receiver.js';
import type { TelemetryParts } from './parts.js';
import type { BackendSettings, RemoteBackends } from './remote/backends.js';

/**
 * The telemetry of one Legible session: the log store (always there: the apps' output goes to
 * it), and, loaded on first need, the span and metric stores, the OTLP receiver and the scrapers
 * (`parts.ts`; importing it costs ~300 ms of protobufjs and grammar tables, so start-up and
 * tools/list never pay it). The receiver starts when an app starts, when a telemetry tool is
 * first used, or at once with a fixed port (`--otlp-port`).
 *
 * The tools and the Server section query through one backend per signal (`backends.ts`): the
 * embedded stores here, or a team's engine given in `remote`, which then answers instead.
 */

export interface TelemetryOptions {
  /** A fixed port for the receiver; 0 or undefined: a free one. */
  otlpPort?: number;
  /** Caps of the stores. */
  maxSpans?: number;
  maxSamples?: number;
  /**
   * The team's backends (flags, else legible.config.json's `backends` in `root`): a remote
   * backend answers in the embedded store's place, and the receiver forwards to `otlpForward`.
   * Read on first need (the clients load with it). Without it: the embedded stores only.
   */
  backends?: BackendSettings & { root: string };
}

/** The team's backends in force and the forwarder, once read. */
interface Remote {
  backends: RemoteBackends;
  forward?: OtlpForwarder;
}

export interface TelemetryStatus {
  /** `http://127.0.0.1:<port>` once the receiver listens. */
  endpoint?: string;
  /** Why the receiver could not start. */
  error?: string;
  received?: OtlpReceiverStats;
  spans?: { held: number; dropped: number };
  /** `dropped`: by the caps; `refused`: points that could not be stored (out of order, not convertible). */
  samples?: { held: number; series: number; dropped: number; refused: number };
  logs: { held: number; dropped: number };
  scrapes: (ScrapeStatus & { app: string; intervalMs: number })[];
  /** The forwarder's one line (--otlp-forward). */
  forwarding?: string;
  /** The team's backends that answer queries. */
  remote?: string[];
}

/** What the apps Legible starts are told (OTEL_*): export here, at once, and name yourselves. */
export const SHORT_EXPORT_DELAYS = { OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_BLRP_SCHEDULE_DELAY: '50', OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '1000' };

export class TelemetryHub {
  /** The log store's own backend: the Server section reads the lines of an action's trace here. */
  readonly localLogs: LogsBackend;
  private remotePromise: Promise<Remote> | undefined;
  private remoteNow: Remote | undefined;
  private partsPromise: Promise<TelemetryParts> | undefined;
  private parts: TelemetryParts | undefined;
  private starting: Promise<string> | undefined;
  private endpoint: string | undefined;
  private startError: string | undefined;
  private closed = false;

  constructor(
    readonly logs: LogStore,
    private readonly options: TelemetryOptions = {},
  ) {
    this.localLogs = new EmbeddedLogs(logs);
  }

  /** The team's backends and the forwarder the settings name (none without settings), read once. */
  private remote(): Promise<Remote> {
    const settings = this.options.backends;
    this.remotePromise ??= (
      settings
        ? import('./remote/backends.js').then(async ({ backendSettings, remoteBackends, otlpForwarder }) => {
            const resolved = await backendSettings(settings);
            const forward = otlpForwarder(resolved);
            return { backends: remoteBackends(resolved), ...(forward ? { forward } : {}) };
          })
        : Promise.resolve({ backends: {} })
    ).then(
      (remote) => (this.remoteNow = remote),
      (error: unknown) => {
        // A config that does not validate: said now, tried again on the next call.
        this.remotePromise = undefined;
        throw error;
      },
    );
    return this.remotePromise;
  }

  /** The stores, receiver and engines, loaded once. */
  load(): Promise<TelemetryParts> {
    this.partsPromise ??= Promise.all([import('./parts.js'), this.remote().catch(() => ({ backends: {} }) as Remote)]).then(([{ TelemetryParts }, remote]) => {
      this.parts = new TelemetryParts(this.logs, {
        otlpPort: this.options.otlpPort ?? 0,
        maxSpans: this.options.maxSpans ?? 100_000,
        maxSamples: this.options.maxSamples ?? 5_000_000,
        ...(remote.forward ? { forward: remote.forward } : {}),
      });
      return this.parts;
    });
    return this.partsPromise;
  }

  /** The parts if already loaded (never loads them). */
  loaded(): TelemetryParts | undefined {
    return this.parts;
  }

  /**
   * Starts the OTLP receiver (once) and answers its endpoint. A fixed port that is taken is a
   * LegibleError; a later call tries again.
   */
  start(): Promise<string> {
    if (this.endpoint) return Promise.resolve(this.endpoint);
    this.starting ??= this.load()
      .then((parts) => parts.receiver.start())
      .then(
        (url) => {
          this.endpoint = url;
          this.startError = undefined;
          logDebug(`OTLP receiver on ${url}`);
          if (this.closed) void this.parts?.close();
          return url;
        },
        (error: unknown) => {
          this.starting = undefined;
          const port = this.options.otlpPort;
          this.startError = `the OTLP receiver could not listen${port ? ` on 127.0.0.1:${port}` : ''}: ${errorMessage(error)}`;
          throw new LegibleError(
            `Legible's OTLP receiver could not start: ${errorMessage(error)}.`,
            port ? `Port ${port} (--otlp-port) is probably taken: free it, or start Legible with another --otlp-port (or none, for a free port).` : 'Check that 127.0.0.1 accepts connections on this machine.',
          );
        },
      );
    return this.starting;
  }

  /** The endpoint, if the receiver listens. */
  endpointNow(): string | undefined {
    return this.endpoint;
  }

  /**
   * The variables for an app Legible starts: the standard OpenTelemetry SDK settings pointing at
   * the receiver, with its name as the service name and short export delays, so its spans, logs
   * and metrics arrive within a few hundred milliseconds. Empty when the receiver cannot start
   * (the app still starts; app_status says why).
   */
  async appEnvironment(app: string): Promise<Record<string, string>> {
    let endpoint: string;
    try {
      endpoint = await this.start();
    } catch {
      return {};
    }
    return {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_SERVICE_NAME: app,
      OTEL_RESOURCE_ATTRIBUTES: `legible.app=${app}`,
      OTEL_TRACES_SAMPLER: 'always_on',
      ...SHORT_EXPORT_DELAYS,
    };
  }

  /** Starts scraping an app's Prometheus endpoint while it runs. */
  async scrapeApp(app: string, url: string, intervalMs: number): Promise<void> {
    (await this.load()).scrape(app, url, intervalMs);
  }

  /** Stops scraping an app (it stopped); its series are marked stale. */
  async unscrapeApp(app: string): Promise<void> {
    await this.parts?.stopScrape(app);
  }

  /** Stores spans Legible made itself (the browser's side of an action's trace) in the span store. */
  recordSpans(request: ExportTraceRequest): void {
    this.parts?.spans.ingest(request);
  }

  /** Whether telemetry has come from this app (by the name Legible gave it, or its service name). */
  heardFrom(app: string): boolean {
    return this.parts?.lastSeen.has(app) ?? false;
  }

  /** The backend that answers TraceQL (a team's, else the span store); starts the receiver, so the apps can send. */
  async traces(): Promise<TracesBackend> {
    const { backends } = await this.remote();
    await this.start().catch(() => undefined);
    return backends.traces ?? (await this.load()).traces;
  }

  /** The backend that answers PromQL (a team's, else the metric store); starts the receiver. */
  async metrics(): Promise<MetricsBackend> {
    const { backends } = await this.remote();
    await this.start().catch(() => undefined);
    return backends.metrics ?? (await this.load()).metricsBackend;
  }

  /** The backend that answers LogQL (a team's Loki, else the log store). */
  async logsBackend(): Promise<LogsBackend> {
    const { backends } = await this.remote();
    return backends.logs ?? this.localLogs;
  }

  /**
   * The span store's backend, once loaded (never loads it), for the Server section: the spans of
   * an action's trace arrive here first, within the export delay, while a team's backend (which
   * gets them forwarded) takes seconds to make them searchable. The section asks both
   * (activitySources.ts) and counts each span once.
   */
  localTraces(): TracesBackend | undefined {
    return this.parts?.traces;
  }

  /** The team's backends in force, once read (never reads them): the Server section asks them beside the stores. */
  teamBackends(): RemoteBackends {
    return this.remoteNow?.backends ?? {};
  }

  status(): TelemetryStatus {
    const parts = this.parts;
    const logs = this.logs.stats();
    const status: TelemetryStatus = { logs: { held: logs.entries, dropped: logs.droppedEntries }, scrapes: parts?.scrapes() ?? [] };
    if (this.endpoint) status.endpoint = this.endpoint;
    if (this.startError) status.error = this.startError;
    const forward = this.remoteNow?.forward;
    if (forward) status.forwarding = forward.describe();
    const remote = this.remoteNow?.backends;
    const names = remote ? [remote.metrics, remote.traces, remote.logs].filter((backend) => backend).map((backend) => backend!.name) : [];
    if (names.length) status.remote = names;
    if (parts) {
      status.received = parts.receiver.stats;
      status.spans = { held: parts.spans.size, dropped: parts.spans.evicted };
      const metrics = parts.metrics.stats();
      status.samples = { held: metrics.samples, series: metrics.series, dropped: metrics.dropped.samples, refused: metrics.dropped.outOfOrder + parts.metricPointsDropped };
    }
    return status;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.parts?.close();
    await this.remoteNow?.forward?.close();
  }
}
