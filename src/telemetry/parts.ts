import type { MetricsBackend, TracesBackend } from './backends.js';
import type { LogStore } from './logs/store.js';
import { EmbeddedMetrics } from './metrics/backend.js';
import { ingestOtlpMetrics, OtlpMetricsConverter } from './metrics/otlpToSamples.js';
import type { OtlpMetricsRequest } from './metrics/otlpTypes.js';
import { Scraper, type ScrapeStatus } from './metrics/scraper.js';
import { MetricStore, type MetricStoreLimits } from './metrics/store.js';
import { plainAttributes } from './otlp/attributes.js';
import type { ForwardSink } from './otlp/forwarder.js';
import { logInputs } from './otlp/logInputs.js';
import type { ExportLogsRequest, ExportMetricsRequest, ExportTraceRequest, Resource, SinkResult } from './otlp/model.js';
import { OtlpReceiver } from './otlp/receiver.js';
import { EmbeddedTraces } from './traces/backend.js';
import { SpanStore } from './traces/spanStore.js';

/**
 * The heavy half of the telemetry of one Legible session, loaded on first need (importing it
 * loads protobufjs, and the TraceQL and PromQL grammars: ~300 ms, kept off start-up and
 * tools/list; see hub.ts): the span store and the metric store, the OTLP receiver feeding them
 * and the log store, the scrapers of the apps' /metrics endpoints, and the embedded backends the
 * tools query.
 */

export interface PartsOptions {
  /** The receiver's port (0: a free one). */
  otlpPort: number;
  maxSpans: number;
  /** Most metric samples kept. */
  maxSamples: number;
  /** Where the receiver also hands what it accepted (--otlp-forward). */
  forward?: ForwardSink;
}

/** The resource attribute Legible puts in OTEL_RESOURCE_ATTRIBUTES of the apps it starts. */
export const APP_ATTRIBUTE = 'legible.app';

/** Who sent a resource's data: the Legible app it names, else its service name. */
export function sourceOf(resource: Resource | undefined): string {
  const attributes = plainAttributes(resource?.attributes);
  const app = attributes[APP_ATTRIBUTE];
  if (typeof app === 'string' && app) return app;
  const service = attributes['service.name'];
  return typeof service === 'string' && service ? service : 'unknown_service';
}

export class TelemetryParts {
  readonly spans: SpanStore;
  readonly metrics: MetricStore;
  readonly receiver: OtlpReceiver;
  readonly traces: TracesBackend;
  readonly metricsBackend: MetricsBackend;
  private readonly converter = new OtlpMetricsConverter();
  private readonly scrapers = new Map<string, { scraper: Scraper; intervalMs: number }>();
  /** When data last came from each source (an app name or a service name), epoch ms. */
  readonly lastSeen = new Map<string, number>();
  /** OTLP data points that could not be converted (the store counts what it refuses itself). */
  metricPointsDropped = 0;

  constructor(
    private readonly logs: LogStore,
    options: PartsOptions,
  ) {
    this.spans = new SpanStore({ maxSpans: options.maxSpans });
    const limits: Partial<MetricStoreLimits> = { maxSamples: options.maxSamples };
    this.metrics = new MetricStore(limits);
    this.traces = new EmbeddedTraces(this.spans);
    this.metricsBackend = new EmbeddedMetrics(this.metrics);
    this.receiver = new OtlpReceiver(
      {
        traces: (request) => this.ingestTraces(request),
        logs: (request) => this.ingestLogs(request),
        metrics: (request) => this.ingestMetrics(request),
      },
      { port: options.otlpPort, ...(options.forward ? { forward: options.forward } : {}) },
    );
  }

  private seen(resource: Resource | undefined): void {
    this.lastSeen.set(sourceOf(resource), Date.now());
  }

  private ingestTraces(request: ExportTraceRequest): SinkResult {
    for (const resourceSpans of request.resourceSpans) this.seen(resourceSpans.resource);
    return this.spans.ingest(request);
  }

  /**
   * OTLP log records join the apps' output in the log store, with Loki's labels from the resource
   * (`service_name`, …) plus `app` (the Legible app, else the service name) and `stream="otlp"`,
   * so `{app="api"}` finds what an app printed and what it exported alike.
   */
  private ingestLogs(request: ExportLogsRequest): SinkResult {
    const now = Date.now();
    for (const resourceLogs of request.resourceLogs) {
      this.seen(resourceLogs.resource);
      const extra = { app: sourceOf(resourceLogs.resource), stream: 'otlp' };
      let labels: Record<string, string> | undefined;
      for (const input of logInputs({ resourceLogs: [resourceLogs] }, now)) {
        labels ??= { ...input.labels, ...extra };
        input.labels = labels;
        this.logs.append(input);
      }
    }
    return {};
  }

  private ingestMetrics(request: ExportMetricsRequest): SinkResult {
    for (const resourceMetrics of request.resourceMetrics) this.seen(resourceMetrics.resource);
    // The receiver's decoders give the OTLP/JSON model that otlpTypes describes.
    const result = ingestOtlpMetrics(this.metrics, this.converter, request as OtlpMetricsRequest);
    this.metricPointsDropped += result.unconverted;
    return result.dropped ? { rejected: 0, message: result.reasons.join('; ') || undefined } : {};
  }

  /** Scrapes an app's Prometheus endpoint (replacing an earlier scraper of that app). */
  scrape(app: string, url: string, intervalMs: number): void {
    void this.stopScrape(app);
    const scraper = new Scraper(this.metrics, { url, intervalMs, job: app });
    this.scrapers.set(app, { scraper, intervalMs });
    scraper.start();
  }

  /** Stops scraping an app (its series are marked stale, as Prometheus does when a target goes). */
  stopScrape(app: string): Promise<void> {
    const entry = this.scrapers.get(app);
    this.scrapers.delete(app);
    return entry?.scraper.stop() ?? Promise.resolve();
  }

  scrapes(): (ScrapeStatus & { app: string; intervalMs: number })[] {
    return [...this.scrapers].map(([app, { scraper, intervalMs }]) => ({ app, ...scraper.status(), intervalMs }));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.scrapers.keys()].map((app) => this.stopScrape(app)));
    await this.receiver.close();
  }
}
