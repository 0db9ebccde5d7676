import type { TraceCatalog, TraceSearchOptions, TracesBackend } from '../backends.js';
import type { SpanStore } from './spanStore.js';
import type { TempoSearchResponse, TempoTrace } from './tempo.js';

/** Most names a catalog lists per kind: it feeds a hint, not an inventory. */
const CATALOG_NAMES = 200;

/**
 * The embedded span store behind the TracesBackend interface: its search and trace-by-id answers
 * are already Tempo-shaped; the catalog lists the services and attribute names it holds.
 */
export class EmbeddedTraces implements TracesBackend {
  readonly name = 'the embedded span store';
  readonly remote = false;

  constructor(private readonly store: SpanStore) {}

  async search(query: string, options: TraceSearchOptions): Promise<TempoSearchResponse> {
    return this.store.search(query, { startMs: options.startMs, endMs: options.endMs, limit: options.limit, spansPerSpanSet: options.spansPerSpanSet ?? 3 });
  }

  async trace(idOrPrefix: string): Promise<TempoTrace & { traceID: string }> {
    return this.store.trace(idOrPrefix);
  }

  async catalog(): Promise<TraceCatalog> {
    return spanCatalog(this.store);
  }
}

/** The services and the attribute names (scoped as TraceQL writes them) the store holds, sorted. */
export function spanCatalog(store: SpanStore): TraceCatalog {
  const services = new Set<string>();
  const resources = new Set<object>();
  const resourceKeys = new Set<string>();
  const spanKeys = new Set<string>();
  let lastAttributes: unknown;
  store.forEachSlot((slot) => {
    const resource = store.resource[slot]!;
    if (!resources.has(resource)) {
      resources.add(resource);
      services.add(resource.serviceName);
      for (let i = 0; i < resource.attributes.length && resourceKeys.size < CATALOG_NAMES; i += 2) resourceKeys.add(String(resource.attributes[i]));
    }
    const flat = store.attributes[slot]!;
    // Consecutive spans often share one attribute list (the store interns it): look once.
    if (flat === lastAttributes || spanKeys.size >= CATALOG_NAMES) return;
    lastAttributes = flat;
    for (let i = 0; i < flat.length; i += 2) spanKeys.add(String(flat[i]));
  });
  return {
    services: [...services].sort(),
    attributes: [...[...resourceKeys].sort().map((key) => `resource.${key}`), ...[...spanKeys].sort().map((key) => `span.${key}`)],
  };
}
