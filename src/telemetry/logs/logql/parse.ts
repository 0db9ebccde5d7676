import type { LRParser } from '@lezer/lr';
import { parseDuration } from '../../time.js';
import type {
  CompareOp,
  Extraction,
  Grouping,
  LabelFilterExpr,
  LabelMatcher,
  LineFilter,
  LogQuery,
  MatchOp,
  MetricQuery,
  Query,
  RangeOp,
  Stage,
  Unwrap,
  VectorOp,
} from './ast.js';
import { CHAIN_LIMIT, chainLimitText, parseWatchingChains } from '../../grammarLimit.js';
import { LogqlError, suggestFix } from './errors.js';
import { compileRegex } from './regex.js';

/**
 * LogQL text → the query Legible runs. The grammar is Grafana's own (`@grafana/lezer-logql`
 * 0.3.0, the last release whose `engines` allow Node 20; 0.4 needs Node 24), so what parses here
 * parses in Loki; this file turns its concrete syntax tree into the small AST of ast.ts and
 * refuses, with the position, what Legible does not run.
 */

type Node = ReturnType<LRParser['parse']>['topNode'];

let grammar: LRParser | undefined;

/**
 * Loads the grammar. Done on the first LogQL query rather than at start-up (the bundle leaves it
 * out), so tools/list does not wait for its parse tables.
 */
export async function loadLogql(): Promise<void> {
  grammar ??= (await import('@grafana/lezer-logql')).parser;
}

function parser(): LRParser {
  if (!grammar) throw new Error('The LogQL grammar is not loaded yet: await loadLogql() first.');
  return grammar;
}

/** Parses a query (after `await loadLogql()`); a LogqlError says where and what was wrong. */
export function parseLogql(text: string): Query {
  const query = text.trim();
  if (!query) throw new LogqlError('The query is empty.', query, 0, '{app="api"}');
  const { tree, cut } = parseWatchingChains(parser(), query);
  let error: Node | undefined;
  tree.iterate({
    enter(ref) {
      if (error) return false;
      if (ref.type.isError) error = ref.node;
      return undefined;
    },
  });
  if (error) {
    if (cut) throw tooLong(query, cut.from, tree);
    throw syntaxError(query, error);
  }
  const expr = child(tree.topNode, 'Expr', query);
  return new Converter(query).expr(expr);
}

function syntaxError(query: string, node: Node): LogqlError {
  const context = ancestors(node);
  const at = node.from;
  const token = /^\S*/.exec(query.slice(at))?.[0] ?? '';
  let message: string;
  if (at >= query.length) message = 'the query ends too early';
  else message = `unexpected ${JSON.stringify(token.slice(0, 30))}`;
  if (context.includes('LabelFilter')) message += ' in a label filter; text values are double-quoted, numbers and durations are not: level="error", status>=500, duration>2s';
  else if (context.includes('Matcher') || context.includes('Matchers')) message += ' in a label matcher; values are double-quoted: app="api"';
  else if (context.includes('LineFilter')) message += ' in a line filter; it takes a quoted string: |= "timeout"';
  else if (context.includes('LogRangeExpr')) message += '; a range aggregation needs a log query and a range: count_over_time({app="api"}[5m])';
  else if (context.includes('Selector')) message += '; a query starts with a stream selector: {app="api"}';
  else if (context.includes('PipelineStage') || context.includes('PipelineExpr')) message += '; stages are |= != |~ !~ "text", | json, | logfmt, | regexp, | line_format, | label_format, | drop, | keep, | decolorize, or a label filter';
  return new LogqlError(`LogQL syntax error at column ${at + 1}: ${message}.`, query, at, suggestFix(query, at, (candidate) => parsesCleanly(candidate)));
}

/** A query whose chain of stages, filters or operations is longer than the grammar's parser takes (grammarLimit.ts). */
function tooLong(query: string, from: number, tree: ReturnType<LRParser['parse']>): LogqlError {
  // Stages: each `| …`, and each line filter (consecutive ones share one PipelineStage node).
  let stages = 0;
  tree.iterate({
    enter(ref) {
      if (ref.name === 'LineFilter' || (ref.name === 'PipelineStage' && ref.node.firstChild?.name !== 'LineFilters')) stages++;
    },
  });
  const what = stages > CHAIN_LIMIT.links ? `pipeline stages (the parser read ${stages} of them)` : 'pipeline stages, and/or filters or binary operations';
  return new LogqlError(
    `LogQL: ${chainLimitText('LogQL', what)}.`,
    query,
    from,
    undefined,
    `Shorten it: up to ${CHAIN_LIMIT.links} stages always parse. Join line filters into one regular expression (|~ "timeout|refused"), join label filters into one regexp (level=~"warn|error"), or split the query in two.`,
  );
}

function parsesCleanly(candidate: string): boolean {
  let clean = true;
  parser().parse(candidate).iterate({
    enter(ref) {
      if (ref.type.isError) clean = false;
      return clean ? undefined : false;
    },
  });
  if (!clean) return false;
  try {
    parseLogql(candidate);
    return true;
  } catch {
    return false;
  }
}

function ancestors(node: Node): string[] {
  const out: string[] = [];
  for (let at: Node | null = node.parent; at; at = at.parent) out.push(at.name);
  return out;
}

function children(node: Node, name?: string): Node[] {
  const out: Node[] = [];
  for (let at = node.firstChild; at; at = at.nextSibling) if (!name || at.name === name) out.push(at);
  return out;
}

function child(node: Node, name: string, query: string): Node {
  const found = node.getChild(name);
  if (!found) throw new LogqlError(`LogQL: expected ${name} at column ${node.from + 1}.`, query, node.from);
  return found;
}

/** A LogQL string literal: "Go-style \"escapes\"" or `raw`. Unknown escapes keep their backslash (regexes need it). */
export function unquote(raw: string): string {
  if (raw.startsWith('`')) return raw.slice(1, -1);
  const body = raw.slice(1, -1);
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = body[++i] ?? '';
    if (next === 'n') out += '\n';
    else if (next === 't') out += '\t';
    else if (next === 'r') out += '\r';
    else if (next === '"' || next === '\\' || next === '`') out += next;
    else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += `\\${next}`;
  }
  return out;
}

const MATCH_OPS: Record<string, MatchOp> = { Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' };
const COMPARE_OPS: Record<string, CompareOp> = { Eql: '==', Eq: '==', Neq: '!=', Gtr: '>', Gte: '>=', Lss: '<', Lte: '<=' };
const LINE_OPS: Record<string, LineFilter['op']> = { PipeExact: '|=', Neq: '!=', PipeMatch: '|~', Nre: '!~' };
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

const SUPPORTED = 'Legible runs log queries (selectors, line filters, json, logfmt, regexp, label filters, line_format, label_format, drop, keep, decolorize) and metric queries (count_over_time, rate, bytes_over_time, bytes_rate, the unwrap *_over_time family, and sum, avg, count, min, max, stddev, stdvar, topk, bottomk by/without).';

class Converter {
  constructor(private readonly query: string) {}

  private text(node: Node): string {
    return this.query.slice(node.from, node.to);
  }

  private unsupported(node: Node, what: string): never {
    throw new LogqlError(`LogQL: ${what} (column ${node.from + 1}) is not supported by Legible's LogQL.`, this.query, node.from, undefined, SUPPORTED);
  }

  expr(node: Node): Query {
    const inner = node.firstChild;
    if (!inner) this.unsupported(node, 'an empty expression');
    if (inner.name === 'LogExpr') return this.logExpr(inner);
    if (inner.name === 'MetricExpr') return this.metricExpr(inner);
    this.unsupported(inner, this.text(inner));
  }

  private logExpr(node: Node): LogQuery {
    const matchers = this.selector(child(node, 'Selector', this.query));
    const pipeline = node.getChild('PipelineExpr');
    return { kind: 'log', matchers, stages: pipeline ? this.pipeline(pipeline) : [] };
  }

  private selector(node: Node): LabelMatcher[] {
    const out: LabelMatcher[] = [];
    const walk = (at: Node) => {
      for (const part of children(at)) {
        if (part.name === 'Matchers') walk(part);
        else if (part.name === 'Matcher') out.push(this.matcher(part));
      }
    };
    walk(node);
    return out;
  }

  private matcher(node: Node): LabelMatcher {
    const [name, op, value] = children(node);
    const matcher = { name: this.text(name!), op: MATCH_OPS[op!.name]!, value: unquote(this.text(value!)) };
    if (matcher.op === '=~' || matcher.op === '!~') this.checkRegex(value!, matcher.value);
    return matcher;
  }

  private checkRegex(node: Node, pattern: string): void {
    try {
      compileRegex(pattern, false);
    } catch (error) {
      throw new LogqlError(`LogQL: invalid regular expression at column ${node.from + 1}: ${error instanceof Error ? error.message : String(error)}.`, this.query, node.from);
    }
  }

  /** PipelineExpr nests to the left: ((stage1 stage2) stage3). */
  private pipeline(node: Node): Stage[] {
    const stages: Stage[] = [];
    for (const part of children(node)) {
      if (part.name === 'PipelineExpr') stages.push(...this.pipeline(part));
      else if (part.name === 'PipelineStage') stages.push(...this.stage(part));
    }
    return stages;
  }

  private stage(node: Node): Stage[] {
    const body = children(node).find((part) => part.name !== 'Pipe');
    if (!body) this.unsupported(node, 'an empty stage');
    switch (body.name) {
      case 'LineFilters':
        return this.lineFilters(body);
      case 'LabelParser': {
        const kind = body.firstChild!.name;
        if (kind === 'Json') return [{ kind: 'json', extractions: [] }];
        if (kind === 'Logfmt') return [{ kind: 'logfmt', extractions: [] }];
        if (kind === 'Regexp') {
          const pattern = unquote(this.text(body.getChild('String')!));
          this.checkRegex(body.getChild('String')!, pattern);
          return [{ kind: 'regexp', pattern }];
        }
        return this.unsupported(body, `the ${this.text(body.firstChild!)} parser`);
      }
      case 'LogfmtParser':
        if (body.getChild('LogfmtParserFlags')) this.unsupported(body.getChild('LogfmtParserFlags')!, 'logfmt flags');
        return [{ kind: 'logfmt', extractions: [] }];
      case 'JsonExpressionParser':
      case 'LogfmtExpressionParser':
        return [{ kind: body.name === 'JsonExpressionParser' ? 'json' : 'logfmt', extractions: this.extractions(body) }];
      case 'LabelFilter':
        return [{ kind: 'labelFilter', expr: this.labelFilter(body) }];
      case 'LineFormatExpr':
        return [{ kind: 'lineFormat', template: unquote(this.text(body.getChild('String')!)) }];
      case 'LabelFormatExpr':
        return [{ kind: 'labelFormat', items: this.labelFormats(body) }];
      case 'DropLabelsExpr':
      case 'KeepLabelsExpr':
        return [{ kind: body.name === 'DropLabelsExpr' ? 'drop' : 'keep', items: this.dropKeep(body) }];
      case 'DecolorizeExpr':
        return [{ kind: 'decolorize' }];
      default:
        return this.unsupported(body, `the stage ${JSON.stringify(this.text(body).slice(0, 40))}`);
    }
  }

  private lineFilters(node: Node): Stage[] {
    const out: Stage[] = [];
    for (const part of children(node)) {
      if (part.name === 'LineFilters') out.push(...this.lineFilters(part));
      else if (part.name === 'LineFilter') out.push(this.lineFilter(part));
    }
    return out;
  }

  private lineFilter(node: Node): LineFilter {
    const opNode = node.getChild('Filter')?.firstChild;
    const op = opNode ? LINE_OPS[opNode.name] : undefined;
    if (!op) return this.unsupported(node, `the line filter ${JSON.stringify(this.text(node).slice(0, 40))}`);
    const strings: Node[] = [];
    const collect = (at: Node) => {
      for (const part of children(at)) {
        if (part.name === 'String') strings.push(part);
        else if (part.name === 'OrFilter') collect(part);
        else if (part.name === 'FilterOp' || part.name === 'Ip') this.unsupported(part, 'ip() line filters');
      }
    };
    collect(node);
    const values = strings.map((part) => unquote(this.text(part)));
    if (op === '|~' || op === '!~') strings.forEach((part, index) => this.checkRegex(part, values[index]!));
    return { kind: 'line', op, values };
  }

  private extractions(node: Node): Extraction[] {
    const out: Extraction[] = [];
    const walk = (at: Node) => {
      for (const part of children(at)) {
        if (part.name === 'LabelExtractionExpressionList') walk(part);
        else if (part.name === 'LabelExtractionExpression') {
          const label = this.text(part.getChild('Identifier')!);
          const path = part.getChild('String');
          out.push({ label, path: path ? unquote(this.text(path)) : label });
        }
      }
    };
    walk(node);
    return out;
  }

  private labelFilter(node: Node): LabelFilterExpr {
    const parts = children(node);
    const join = parts.find((part) => part.name === 'And' || part.name === 'Or');
    const filters = parts.filter((part) => part.name === 'LabelFilter');
    if (filters.length === 2) {
      // "a, b" means "a and b".
      return { kind: join?.name === 'Or' ? 'or' : 'and', left: this.labelFilter(filters[0]!), right: this.labelFilter(filters[1]!) };
    }
    if (filters.length === 1) return this.labelFilter(filters[0]!);
    const body = parts[0];
    if (!body) return this.unsupported(node, 'an empty label filter');
    if (body.name === 'Matcher') {
      const matcher = this.matcher(body);
      return { kind: 'string', ...matcher };
    }
    const filter = body.name === 'UnitFilter' ? body.firstChild! : body;
    const [nameNode, opNode, valueNode] = children(filter);
    const name = this.text(nameNode!);
    const op = COMPARE_OPS[opNode!.name];
    if (!op) return this.unsupported(opNode!, `the comparison ${this.text(opNode!)}`);
    const raw = this.text(valueNode!);
    if (filter.name === 'DurationFilter') return { kind: 'duration', name, op, value: parseDuration(raw)! };
    if (filter.name === 'BytesFilter') return { kind: 'bytes', name, op, value: parseBytes(raw)! };
    if (filter.name === 'NumberFilter') {
      const value = Number(raw.replace(/^\+/, ''));
      if (!Number.isFinite(value)) return this.unsupported(valueNode!, `the value ${raw}`);
      return { kind: 'number', name, op, value };
    }
    return this.unsupported(body, `the label filter ${JSON.stringify(this.text(body).slice(0, 40))}`);
  }

  private labelFormats(node: Node): { label: string; from?: string; template?: string }[] {
    const out: { label: string; from?: string; template?: string }[] = [];
    const walk = (at: Node) => {
      for (const part of children(at)) {
        if (part.name === 'LabelsFormat') walk(part);
        else if (part.name === 'LabelFormatMatcher') {
          const [target, source] = children(part).filter((item) => item.name === 'Identifier' || item.name === 'String');
          const label = this.text(target!);
          if (source!.name === 'String') out.push({ label, template: unquote(this.text(source!)) });
          else out.push({ label, from: this.text(source!) });
        }
      }
    };
    walk(node);
    return out;
  }

  private dropKeep(node: Node): { name: string; matcher?: LabelMatcher }[] {
    const out: { name: string; matcher?: LabelMatcher }[] = [];
    const walk = (at: Node) => {
      for (const part of children(at)) {
        if (part.name === 'DropLabels' || part.name === 'KeepLabels') walk(part);
        else if (part.name === 'DropLabel' || part.name === 'KeepLabel') {
          const matcher = part.getChild('Matcher');
          if (matcher) {
            const parsed = this.matcher(matcher);
            out.push({ name: parsed.name, matcher: parsed });
          } else out.push({ name: this.text(part.getChild('Identifier')!) });
        }
      }
    };
    walk(node);
    return out;
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
    const query: LogQuery = { kind: 'log', matchers: this.selector(selector), stages: pipeline ? this.pipeline(pipeline) : [] };
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
      if (filter) inner.filters.push({ kind: 'labelFilter', expr: this.labelFilter(filter) });
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

const BYTE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4, pib: 1024 ** 5,
  k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3,
};

/** A byte size as go-humanize reads it: "10KB" (1000s), "1.5MiB" (1024s), "512B"; undefined when not one. */
export function parseBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = BYTE_UNITS[(match[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}
