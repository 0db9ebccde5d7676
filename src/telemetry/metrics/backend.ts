import { UsageError } from '../../util/errors.js';
import type { MetricsBackend, MetricsRange, MetricsResult, TimeWindow } from '../backends.js';
import type { Labels } from '../model.js';
import { storeCatalog, type MetricsCatalog } from './catalog.js';
import { compareKeys } from './labels.js';
import { parsePromQL, PromQLEngine } from './query.js';
import type { MetricStore } from './store.js';

/**
 * The embedded metric store behind the MetricsBackend interface: the PromQL engine's answers as
 * they are (already shaped like Prometheus' `data`), the store's own listings. Label listings are
 * of everything the store holds (it keeps recent data only); `series` keeps the series with a
 * sample in the window, as Prometheus' /api/v1/series does.
 */
export class EmbeddedMetrics implements MetricsBackend {
  readonly name = 'the embedded metric store';
  readonly remote = false;
  private readonly engine: PromQLEngine;

  constructor(private readonly store: MetricStore) {
    this.engine = new PromQLEngine(store);
  }

  async query(query: string, timeMs: number): Promise<MetricsResult> {
    return { data: this.engine.query(query, timeMs), warnings: [] };
  }

  async queryRange(query: string, range: MetricsRange): Promise<MetricsResult> {
    return { data: this.engine.queryRange(query, range.startMs, range.endMs, range.stepMs), warnings: [] };
  }

  async labelNames(): Promise<string[]> {
    return this.store.labelNames();
  }

  async labelValues(name: string): Promise<string[]> {
    return this.store.labelValues(name);
  }

  async series(selectors: string[], window: TimeWindow): Promise<Labels[]> {
    const found = new Map<string, Labels>();
    for (const text of selectors) {
      const expr = parsePromQL(text);
      if (expr.kind !== 'selector') throw new UsageError(`${JSON.stringify(text.slice(0, 100))} is not a series selector.`, 'Give a selector such as http_requests_total{job="api"} or {__name__=~"http_.*"}.');
      for (const series of this.store.select(expr.matchers, window.startMs, window.endMs)) found.set(series.key, series.labels);
    }
    return [...found.keys()].sort(compareKeys).map((key) => found.get(key)!);
  }

  async catalog(query: string): Promise<MetricsCatalog> {
    return storeCatalog(this.store, query);
  }
}
