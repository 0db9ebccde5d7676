import type { LogQueryOptions, LogsBackend, LogsCatalog, LogsResult, TimeWindow } from '../backends.js';
import type { Labels } from '../model.js';
import { loadLogql, parseLogql } from './logql/parse.js';
import { selectStreams } from './logql/pipeline.js';
import { runLogql } from './logql/query.js';
import type { LogStore } from './store.js';

/** Most values per label a catalog lists: it feeds a hint, not an inventory. */
const CATALOG_VALUES = 50;

/**
 * The embedded log store behind the LogsBackend interface: runLogql's answers are already shaped
 * like Loki's `data`; listings are of the streams the store holds (it keeps recent lines only,
 * so the window is not consulted, as for the embedded metric store's listings).
 */
export class EmbeddedLogs implements LogsBackend {
  readonly name = 'the embedded log store';
  readonly remote = false;

  constructor(private readonly store: LogStore) {}

  async query(query: string, options: LogQueryOptions): Promise<LogsResult> {
    await loadLogql();
    return runLogql(this.store, query, options);
  }

  async labelNames(): Promise<string[]> {
    return [...this.store.labelValues(0).keys()].sort();
  }

  async labelValues(name: string): Promise<string[]> {
    return this.store.labelValues(Number.MAX_SAFE_INTEGER).get(name) ?? [];
  }

  async series(selectors: string[]): Promise<Labels[]> {
    await loadLogql();
    const found = new Set<number>();
    for (const selector of selectors) {
      const parsed = parseLogql(selector);
      if (parsed.kind !== 'log') continue;
      const selected = selectStreams(parsed.matchers, this.store.streamCount(), (id) => this.store.streamLabels(id));
      selected.forEach((hit, id) => hit && this.store.streamEntries(id) > 0 && found.add(id));
    }
    return [...found].map((id) => this.store.streamLabels(id));
  }

  async catalog(_window?: TimeWindow): Promise<LogsCatalog> {
    const streams: LogsCatalog['streams'] = [];
    for (let id = 0; id < this.store.streamCount(); id++) {
      const entries = this.store.streamEntries(id);
      if (entries > 0) streams.push({ labels: this.store.streamLabels(id), entries });
    }
    return { streams, labels: Object.fromEntries(this.store.labelValues(CATALOG_VALUES)) };
  }
}
