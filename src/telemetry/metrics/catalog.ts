import type { Expr } from './ast.js';
import { parsePromQL } from './query.js';
import type { MetricStore } from './store.js';

/**
 * What exists, for answers that found nothing: metric names, label names, the values of the
 * labels a query matches on, and the time span of the data. The embedded store fills it here;
 * a remote Prometheus fills the same from /api/v1/label/__name__/values, /api/v1/labels and
 * /api/v1/label/<name>/values.
 */
export interface MetricsCatalog {
  metricNames: string[];
  labelNames: string[];
  /** Values of the labels the query matches on (see referencedNames). */
  labelValues?: Record<string, string[]>;
  /** The time span the data covers, when known (epoch ms). */
  oldestMs?: number;
  newestMs?: number;
}

/** The metric names (from `name` or `__name__="…"`) and label names a query's selectors use. */
export function referencedNames(query: string): { metrics: string[]; labels: string[] } {
  const metrics = new Set<string>();
  const labels = new Set<string>();
  let expr: Expr;
  try {
    expr = parsePromQL(query);
  } catch {
    return { metrics: [], labels: [] };
  }
  const visit = (node: Expr): void => {
    switch (node.kind) {
      case 'selector':
        for (const matcher of node.matchers) {
          if (matcher.name !== '__name__') labels.add(matcher.name);
          else if (matcher.op === '=') metrics.add(matcher.value);
        }
        return;
      case 'matrix':
        return visit(node.selector);
      case 'subquery':
      case 'paren':
      case 'unary':
        return visit(node.expr);
      case 'call':
        return node.args.forEach(visit);
      case 'aggregate':
        if (node.param) visit(node.param);
        return visit(node.expr);
      case 'binary':
        visit(node.lhs);
        return visit(node.rhs);
      default:
        return;
    }
  };
  visit(expr);
  return { metrics: [...metrics], labels: [...labels] };
}

/**
 * How an instant answer's rows are best read, whichever engine answered (engines return them in
 * different orders, and Prometheus returns topk's in heap order): `given` for sort()/sort_desc()
 * (the engine's order is the point), by value for topk (largest first) and bottomk (smallest
 * first), else by labels. `given` too for a query Legible's parser does not read (MetricsQL).
 */
export function instantOrder(query: string): 'given' | 'labels' | 'desc' | 'asc' {
  let expr: Expr;
  try {
    expr = parsePromQL(query);
  } catch {
    return 'given';
  }
  while (expr.kind === 'paren') expr = expr.expr;
  if (expr.kind === 'call' && (expr.func === 'sort' || expr.func === 'sort_desc')) return 'given';
  if (expr.kind === 'aggregate' && (expr.op === 'topk' || expr.op === 'bottomk')) return expr.op === 'topk' ? 'desc' : 'asc';
  return 'labels';
}

/** The embedded store's catalog for an answer to `query`. */
export function storeCatalog(store: MetricStore, query: string): MetricsCatalog {
  const stats = store.stats();
  const labelValues: Record<string, string[]> = {};
  for (const label of referencedNames(query).labels) labelValues[label] = store.labelValues(label);
  return {
    metricNames: store.metricNames(),
    labelNames: store.labelNames(),
    labelValues,
    ...(stats.oldestMs !== undefined ? { oldestMs: stats.oldestMs } : {}),
    ...(stats.newestMs !== undefined ? { newestMs: stats.newestMs } : {}),
  };
}
