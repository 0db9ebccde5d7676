import { LegibleError, errorMessage } from '../util/errors.js';
import { logDebug } from '../util/log.js';
import type { LogsBackend, MetricsBackend, TracesBackend } from './backends.js';
import { EmbeddedLogs } from './logs/backend.js';
import type { LogStore } from './logs/store.js';
import type { ScrapeStatus } from './metrics/scraper.js';
import type { OtlpReceiverStats } from './otlp/receiver.js';
import type { TelemetryParts } from './parts.js';

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
  /** Backends that answer in the embedded stores' place. */
  remote?: { metrics?: MetricsBackend; traces?: TracesBackend; logs?: LogsBackend };
}

export interface TelemetryStatus {
  /** `http://127.0.0.1:<port>` once the receiver listens. */
  endpoint?: string;
  /** Why the receiver could not start. */
  error?: string;
  received?: OtlpReceiverStats;
  spans?: { held: number; dropped: number };
  samples?: { held: number; series: number; dropped: number };
  logs: { held: number; dropped: number };
  scrapes: (ScrapeStatus & { app: string; intervalMs: number })[];
}

/** What the apps Legible starts are told (OTEL_*): export here, at once, and name yourselves. */
export const SHORT_EXPORT_DELAYS = { OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_BLRP_SCHEDULE_DELAY: '50', OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '1000' };

export class TelemetryHub {
  readonly logsBackend: LogsBackend;
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
    this.logsBackend = options.remote?.logs ?? new EmbeddedLogs(logs);
  }

  /** The stores, receiver and engines, loaded once. */
  load(): Promise<TelemetryParts> {
    this.partsPromise ??= import('./parts.js').then(({ TelemetryParts }) => {
      this.parts = new TelemetryParts(this.logs, {
        otlpPort: this.options.otlpPort ?? 0,
        maxSpans: this.options.maxSpans ?? 100_000,
        maxSamples: this.options.maxSamples ?? 5_000_000,
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

  /** Whether telemetry has come from this app (by the name Legible gave it, or its service name). */
  heardFrom(app: string): boolean {
    return this.parts?.lastSeen.has(app) ?? false;
  }

  /** The backend that answers TraceQL; starts the receiver, so the apps can send. */
  async traces(): Promise<TracesBackend> {
    await this.start().catch(() => undefined);
    return this.options.remote?.traces ?? (await this.load()).traces;
  }

  /** The backend that answers PromQL; starts the receiver, so the apps can send. */
  async metrics(): Promise<MetricsBackend> {
    await this.start().catch(() => undefined);
    return this.options.remote?.metrics ?? (await this.load()).metricsBackend;
  }

  /** The traces backend if it needs no loading (the Server section must not wait for it otherwise). */
  tracesIfLoaded(): TracesBackend | undefined {
    return this.options.remote?.traces ?? this.parts?.traces;
  }

  status(): TelemetryStatus {
    const parts = this.parts;
    const logs = this.logs.stats();
    const status: TelemetryStatus = { logs: { held: logs.entries, dropped: logs.droppedEntries }, scrapes: parts?.scrapes() ?? [] };
    if (this.endpoint) status.endpoint = this.endpoint;
    if (this.startError) status.error = this.startError;
    if (parts) {
      status.received = parts.receiver.stats;
      status.spans = { held: parts.spans.size, dropped: parts.spans.evicted };
      const metrics = parts.metrics.stats();
      status.samples = { held: metrics.samples, series: metrics.series, dropped: metrics.dropped.samples + parts.metricPointsDropped };
    }
    return status;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.parts?.close();
  }
}
