import type { TelemetryStatus } from '../telemetry/hub.js';
import { formatDuration } from '../telemetry/time.js';
import { plural } from '../util/text.js';


/**
 * app_status' telemetry lines: where apps send OTLP (and how to point an app started elsewhere
 * there), what arrived, what the stores hold and what their caps dropped, and each scrape.
 */
export function formatTelemetryStatus(status: TelemetryStatus, now = Date.now()): string {
  const lines: string[] = [];
  if (status.endpoint) {
    lines.push(
      `Telemetry: OTLP/HTTP at ${status.endpoint}. Apps Legible starts are pointed there; for one started elsewhere set OTEL_EXPORTER_OTLP_ENDPOINT=${status.endpoint} OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_SERVICE_NAME=<name>.`,
    );
  } else lines.push(`Telemetry: the OTLP receiver is not running${status.error ? ` (${status.error})` : ''}.`);
  const received = status.received;
  if (received) {
    const errors = Object.values(received.errors).reduce((n, e) => n + e, 0);
    const last = received.lastError ? ` (last: HTTP ${received.lastError.status} ${formatDuration(now - received.lastError.at)} ago: ${received.lastError.message.slice(0, 160)})` : '';
    lines.push(
      `  received ${plural(received.accepted.traces, 'span')}, ${plural(received.accepted.logs, 'log record')}, ${plural(received.accepted.metrics, 'metric point')}` +
        `${errors ? `; ${plural(errors, 'request')} refused${last}` : ''}`,
    );
  }
  const held = [plural(status.logs.held, 'log entry', 'log entries')];
  const dropped: string[] = [];
  if (status.spans) held.unshift(plural(status.spans.held, 'span'));
  if (status.samples) held.splice(1, 0, `${plural(status.samples.held, 'sample')} in ${plural(status.samples.series, 'series', 'series')}`);
  if (status.spans?.dropped) dropped.push(plural(status.spans.dropped, 'span'));
  if (status.samples?.dropped) dropped.push(plural(status.samples.dropped, 'sample'));
  if (status.logs.dropped) dropped.push(plural(status.logs.dropped, 'log entry', 'log entries'));
  const refused = status.samples?.refused ? `; ${plural(status.samples.refused, 'metric point')} not stored (older than their series' newest, or not convertible)` : '';
  lines.push(`  held: ${held.join(', ')}${dropped.length ? `; the oldest dropped by the caps: ${dropped.join(', ')}` : ''}${refused}`);
  if (status.forwarding) lines.push(`  ${status.forwarding}`);
  if (status.remote?.length) lines.push(`  queries answered by ${status.remote.join(', ')}`);
  for (const scrape of status.scrapes) {
    const state = scrape.scrapes === 0 ? 'not scraped yet' : scrape.up ? `up, ${plural(scrape.lastSamples, 'sample')}` : `down: ${(scrape.lastError ?? '?').slice(0, 160)}`;
    const when = scrape.lastScrapeMs !== undefined ? ` (${formatDuration(now - scrape.lastScrapeMs)} ago)` : '';
    lines.push(`  scraping ${scrape.app} ${scrape.url} every ${formatDuration(scrape.intervalMs)}: ${state}${when}`);
  }
  return lines.join('\n');
}
