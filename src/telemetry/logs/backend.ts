import { LegibleError } from '../../util/errors.js';
import type { LogQueryOptions, LogsBackend, LogsResult } from '../backends.js';
import type { Labels } from '../model.js';
import { loadLogql, parseLogql } from './logql/parse.js';
import { runLogql } from './logql/query.js';
import { selectStreams } from './logql/pipeline.js';
import type { LogStore } from './store.js';

/**
 * The embedded log store behind the LogsBackend interface: LogQL answered by `runLogql` (already
 * shaped like Loki's `data`), listings from the store's streams. The grammar is loaded on the
 * first query (it stays out of start-up).
 */
export class EmbeddedLogs implements LogsBackend {
  readonly name = 'the embedded log store';
  readonly remote = false;

  constructor(private readonly store: LogStore) {}

  async query(query: string, options: LogQueryOptions): Promise<LogsResult> {
    await loadLogql();
    return runLogql(this.store, parseLogql(query), {
      startMs: options.startMs,
      endMs: options.endMs,
      limit: options.limit,
      ...(options.direction ? { direction: options.direction } : {}),
      ...(options.stepMs !== undefined ? { stepMs: options.stepMs } : {}),
    });
  }

  async labelNames(): Promise<string[]> {
    return [...this.store.labelValues(1).keys()].sort();
  }

  async labelValues(name: string): Promise<string[]> {
    return this.store.labelValues(Number.MAX_SAFE_INTEGER).get(name) ?? [];
  }

  async series(selectors: string[]): Promise<Labels[]> {
    await loadLogql();
    const found = new Set<number>();
    for (const text of selectors) {
      const query = parseLogql(text);
      if (query.kind !== 'log' || query.stages.length) {
        throw new LegibleError(`${JSON.stringify(text.slice(0, 100))} is not a stream selector.`, 'Give a selector such as {app="api"} or {app=~"api|web", stream="stderr"}.');
      }
      const selected = selectStreams(query.matchers, this.store.streamCount(), (id) => this.store.streamLabels(id));
      for (let id = 0; id < selected.length; id++) if (selected[id] && this.store.streamEntries(id) > 0) found.add(id);
    }
    return [...found].map((id) => this.store.streamLabels(id));
  }
}

