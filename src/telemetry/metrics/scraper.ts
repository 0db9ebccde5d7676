import type { Labels } from '../model.js';
import { isOpenMetrics, parseExposition } from './exposition.js';
import { labelsKey, normalizeLabels } from './labels.js';
import type { MetricStore } from './store.js';

/**
 * Scrapes one Prometheus endpoint at an interval into the store, the way Prometheus' scrape loop
 * does: samples keep their names and get the target's `job` and `instance` labels (a scraped
 * label of the same name becomes `exported_job` / `exported_instance`); samples without a
 * timestamp take the scrape's start time; `up`, `scrape_duration_seconds`,
 * `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling` and `scrape_series_added` are
 * written after each scrape; a series that a scrape no longer has gets a stale marker, and so do
 * all of them when a scrape fails or the scraper stops.
 */

export interface ScrapeTarget {
  url: string;
  intervalMs: number;
  /** Default: the interval, at most 10 s (Prometheus' default scrape_timeout). */
  timeoutMs?: number;
  /** Default "legible". */
  job?: string;
  /** Extra target labels. */
  labels?: Labels;
  /** Largest body read (default 16 MiB); a bigger one fails the scrape. */
  maxBodyBytes?: number;
}

export interface ScrapeStatus {
  url: string;
  scrapes: number;
  failures: number;
  lastScrapeMs: number | undefined;
  lastDurationMs: number | undefined;
  lastError: string | undefined;
  lastSamples: number;
  up: boolean;
}

/** What Prometheus 2.42 sends, so an endpoint answers both in the same format. */
const ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export class Scraper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private busy = false;
  /** Label sets (by key) written by the last successful scrape, for staleness. */
  private previous = new Map<string, Labels>();
  private readonly targetLabels: Labels;
  private readonly status_: ScrapeStatus;

  constructor(
    private readonly store: MetricStore,
    private readonly target: ScrapeTarget,
    private readonly now: () => number = Date.now,
  ) {
    const url = new URL(target.url);
    this.targetLabels = normalizeLabels({ ...target.labels, job: target.job ?? 'legible', instance: url.host });
    this.status_ = { url: target.url, scrapes: 0, failures: 0, lastScrapeMs: undefined, lastDurationMs: undefined, lastError: undefined, lastSamples: 0, up: false };
  }

  /** Scrapes now, then every interval until stop(). */
  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      // Never two scrapes of one target at once (a slow one finishes, or times out, first).
      if (this.busy) return;
      this.busy = true;
      this.running = this.scrapeOnce().then(() => {
        this.busy = false;
      });
    };
    tick();
    this.timer = setInterval(tick, this.target.intervalMs);
    this.timer.unref();
  }

  /** Stops scraping and marks every series of the target stale, as Prometheus does when a target goes away. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    const at = this.now();
    for (const labels of this.previous.values()) this.store.appendStale(labels, at);
    for (const name of REPORT_SERIES) this.store.appendStale({ ...this.targetLabels, __name__: name }, at);
    this.previous.clear();
  }

  status(): ScrapeStatus {
    return { ...this.status_ };
  }

  /** One scrape: fetch, parse, store, report. Never throws; a failure is in the status and `up`. */
  async scrapeOnce(): Promise<ScrapeStatus> {
    const started = this.now();
    const timeoutMs = this.target.timeoutMs ?? Math.min(this.target.intervalMs, 10_000);
    let samplesScraped = 0;
    let seriesAdded = 0;
    let error: string | undefined;
    const seen = new Map<string, Labels>();
    try {
      const response = await fetch(this.target.url, { headers: { accept: ACCEPT }, signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`server returned HTTP status ${response.status} ${response.statusText}`);
      const body = await readLimited(response, this.target.maxBodyBytes ?? 16 * 1024 * 1024);
      const exposition = parseExposition(body, isOpenMetrics(response.headers.get('content-type')));
      samplesScraped = exposition.samples.length;
      for (const sample of exposition.samples) {
        const labels = this.withTargetLabels(sample.labels);
        const key = labelsKey(labels);
        if (seen.has(key)) continue;
        if (!this.previous.has(key)) seriesAdded++;
        this.store.append({ labels, timeMs: sample.timeMs ?? started, value: sample.value });
        // Series with their own timestamps are not tracked for staleness (Prometheus does the same).
        if (sample.timeMs === undefined) seen.set(key, labels);
      }
    } catch (problem) {
      error = problem instanceof Error ? (problem.name === 'TimeoutError' ? `scrape timed out after ${timeoutMs} ms` : problem.message) : String(problem);
    }
    const durationMs = this.now() - started;
    if (error) {
      for (const labels of this.previous.values()) this.store.appendStale(labels, started);
      this.previous.clear();
    } else {
      for (const [key, labels] of this.previous) if (!seen.has(key)) this.store.appendStale(labels, started);
      this.previous = seen;
    }
    this.report(started, { up: error ? 0 : 1, scrape_duration_seconds: durationMs / 1000, scrape_samples_scraped: samplesScraped, scrape_samples_post_metric_relabeling: samplesScraped, scrape_series_added: seriesAdded });
    Object.assign(this.status_, {
      scrapes: this.status_.scrapes + 1,
      failures: this.status_.failures + (error ? 1 : 0),
      lastScrapeMs: started,
      lastDurationMs: durationMs,
      lastError: error,
      lastSamples: samplesScraped,
      up: !error,
    });
    return this.status();
  }

  private withTargetLabels(scraped: Labels): Labels {
    const labels: Labels = { ...scraped };
    for (const [name, value] of Object.entries(this.targetLabels)) {
      if (labels[name] !== undefined && labels[name] !== '') labels[`exported_${name}`] = labels[name]!;
      labels[name] = value;
    }
    return labels;
  }

  private report(at: number, values: Record<string, number>): void {
    for (const [name, value] of Object.entries(values)) this.store.append({ labels: { ...this.targetLabels, __name__: name }, timeMs: at, value });
  }
}

const REPORT_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const length = Number(response.headers.get('content-length'));
  if (length > maxBytes) throw new Error(`body of ${length} bytes exceeds the limit of ${maxBytes}`);
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
