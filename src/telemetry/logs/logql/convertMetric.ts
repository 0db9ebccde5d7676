import { parseDuration } from '../../time.js';
import type { Grouping, LogQuery, MetricQuery, Query, RangeOp, Stage, Unwrap, VectorOp } from './ast.js';
import { LogConverter } from './convertLog.js';
import { LogqlError } from './errors.js';
import { child, children, SyntaxReader, type Node } from './syntaxTree.js';

const RANGE_OPS: Record<string, RangeOp> = {
  CountOverTime: 'count_over_time',
  Rate: 'rate',
  BytesOverTime: 'bytes_over_time',
  BytesRate: 'bytes_rate',
  SumOverTime: 'sum_over_time',
  AvgOverTime: 'avg_over_time',
  MinOverTime: 'min_over_time',
  MaxOverTime: 'max_over_time',
  FirstOverTime: 'first_over_time',
  LastOverTime: 'last_over_time',
  QuantileOverTime: 'quantile_over_time',
  StddevOverTime: 'stddev_over_time',
  StdvarOverTime: 'stdvar_over_time',
  AbsentOverTime: 'absent_over_time',
};
const VECTOR_OPS: Record<string, VectorOp> = { Sum: 'sum', Avg: 'avg', Count: 'count', Max: 'max', Min: 'min', Stddev: 'stddev', Stdvar: 'stdvar', Topk: 'topk', Bottomk: 'bottomk' };

/**
 * A whole query's syntax tree → ast.ts: a log query (convertLog.ts), or a metric query — range
 * aggregations over a log query (with unwrap), vector aggregations over those.
 */
export class QueryConverter extends SyntaxReader {
  private readonly log = new LogConverter(this.query);

  expr(node: Node): Query {
    const inner = node.firstChild;
    if (!inner) this.unsupported(node, 'an empty expression');
    if (inner.name === 'LogExpr') return this.log.logExpr(inner);
    if (inner.name === 'MetricExpr') return this.metricExpr(inner);
    this.unsupported(inner, this.text(inner));
  }

  private metricExpr(node: Node): MetricQuery {
    const inner = node.firstChild;
    if (inner?.name === 'RangeAggregationExpr') return this.rangeAggregation(inner);
    if (inner?.name === 'VectorAggregationExpr') return this.vectorAggregation(inner);
    if (inner?.name === 'MetricExpr') return this.metricExpr(inner);
    if (inner?.name === 'BinOpExpr') return this.unsupported(inner, 'arithmetic and comparisons between queries (binary operators)');
    if (inner?.name === 'LiteralExpr') return this.unsupported(inner, 'a number on its own');
    return this.unsupported(inner ?? node, `${JSON.stringify(this.text(inner ?? node).slice(0, 40))}`);
  }

  private rangeAggregation(node: Node): MetricQuery {
    const opNode = child(node, 'RangeOp', this.query).firstChild!;
    const op = RANGE_OPS[opNode.name];
    if (!op) return this.unsupported(opNode, this.text(opNode));
    const range = child(node, 'LogRangeExpr', this.query);
    const parameter = node.getChild('Number');
    const grouping = node.getChild('Grouping');
    const selector = child(range, 'Selector', this.query);
    const pipeline = range.getChild('PipelineExpr');
    const query: LogQuery = { kind: 'log', matchers: this.log.selector(selector), stages: pipeline ? this.log.pipeline(pipeline) : [] };
    const rangeNode = child(range, 'Range', this.query);
    const rangeMs = parseDuration(this.text(rangeNode.getChild('Duration')!))!;
    const offset = range.getChild('OffsetExpr');
    if (offset) this.unsupported(offset, 'offset');
    const unwrapNode = range.getChild('UnwrapExpr');
    let unwrap: Unwrap | undefined;
    if (unwrapNode) {
      const { unwrap: parsed, filters } = this.unwrap(unwrapNode);
      unwrap = parsed;
      query.stages.push(...filters);
    }
    const needsUnwrap = !['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time'].includes(op);
    if (needsUnwrap && !unwrap) {
      throw new LogqlError(
        `LogQL: ${op} needs a number from each line: add | unwrap <label> before the range.`,
        this.query,
        rangeNode.from,
        `${op}({app="api"} | json | unwrap duration_ms [5m])`,
      );
    }
    if (!needsUnwrap && unwrap) throw new LogqlError(`LogQL: ${op} counts lines; it takes no unwrap.`, this.query, unwrapNode!.from);
    if (op === 'quantile_over_time' && !parameter) throw new LogqlError('LogQL: quantile_over_time needs φ first: quantile_over_time(0.99, …).', this.query, node.from);
    if (grouping && !['sum_over_time', 'avg_over_time', 'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'first_over_time', 'last_over_time'].includes(op)) {
      this.unsupported(grouping, `by/without after ${op}`);
    }
    return {
      kind: 'range',
      op,
      ...(parameter ? { parameter: Number(this.text(parameter)) } : {}),
      query,
      rangeMs,
      ...(unwrap ? { unwrap } : {}),
      ...(grouping ? { grouping: this.grouping(grouping) } : {}),
    };
  }

  private unwrap(node: Node): { unwrap: Unwrap; filters: Stage[] } {
    const nested = node.getChild('UnwrapExpr');
    if (nested) {
      const inner = this.unwrap(nested);
      const filter = node.getChild('LabelFilter');
      if (filter) inner.filters.push({ kind: 'labelFilter', expr: this.log.labelFilter(filter) });
      return inner;
    }
    const conversion = node.getChild('ConvOp')?.firstChild?.name;
    const label = this.text(node.getChild('Identifier')!);
    const map: Record<string, Unwrap['conversion']> = { DurationConv: 'duration', DurationSecondsConv: 'duration_seconds', BytesConv: 'bytes' };
    return { unwrap: { label, ...(conversion ? { conversion: map[conversion] } : {}) }, filters: [] };
  }

  private grouping(node: Node): Grouping {
    const labels = node.getChild('Labels');
    return {
      mode: node.getChild('Without') ? 'without' : 'by',
      labels: labels ? this.identifiers(labels) : [],
    };
  }

  /** Every Identifier below a node, in order (the grammar nests lists to the left). */
  private identifiers(node: Node): string[] {
    return children(node).flatMap((part) => (part.name === 'Identifier' ? [this.text(part)] : this.identifiers(part)));
  }

  private vectorAggregation(node: Node): MetricQuery {
    const opNode = child(node, 'VectorOp', this.query).firstChild!;
    const op = VECTOR_OPS[opNode.name];
    if (!op) return this.unsupported(opNode, this.text(opNode));
    const inner = node.getChild('MetricExpr');
    if (!inner) return this.unsupported(node, `${op} of a log query (aggregate a metric query such as count_over_time(…[5m]))`);
    const parameter = node.getChild('Number');
    if ((op === 'topk' || op === 'bottomk') && !parameter) throw new LogqlError(`LogQL: ${op} needs k first: ${op}(5, …).`, this.query, node.from);
    if (parameter && (op === 'topk' || op === 'bottomk')) {
      // As Loki: k is a whole number above 0 (topk(0, …) would be an empty answer that looks like no data).
      const k = Number(this.text(parameter));
      if (!Number.isInteger(k) || k < 1) throw new LogqlError(`LogQL: ${op} needs k of at least 1 (a whole number), not ${this.text(parameter).slice(0, 20)}.`, this.query, parameter.from, `${this.query.slice(0, parameter.from)}5${this.query.slice(parameter.to)}`);
    }
    const grouping = node.getChild('Grouping');
    return {
      kind: 'vector',
      op,
      ...(parameter ? { parameter: Number(this.text(parameter)) } : {}),
      ...(grouping ? { grouping: this.grouping(grouping) } : {}),
      inner: this.metricExpr(inner),
    };
  }
}
