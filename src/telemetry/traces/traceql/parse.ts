import { parser } from '@grafana/lezer-traceql';
import type { SyntaxNode } from '@lezer/common';
import { LegibleError } from '../../../util/errors.js';
import { chainLimitText, parseWatchingChains } from '../../grammarLimit.js';
import { parseDuration } from '../../time.js';
import { compileGoRegex } from '../../regex.js';
import type { CompareOp, FieldExpr, Intrinsic, Operand, Scope, SpansetExpr, SpansetOp, Static } from './ast.js';

/**
 * TraceQL text → Legible's AST, read with Grafana's own TraceQL grammar (`@grafana/lezer-traceql`,
 * the one Grafana's editor uses), so what parses here parses in Tempo. The grammar accepts more
 * than the embedded store evaluates (pipelines, aggregates, metrics); those get an error that
 * says so. Parse errors give the column, a caret under it, and a corrected query when a common
 * fix makes it parse.
 */

export const TRACEQL_EXAMPLE = '{ resource.service.name = "api" && span.http.route = "/cart" } >> { status = error }';

export class TraceQLError extends LegibleError {
  constructor(
    message: string,
    hint: string,
    readonly position?: number,
  ) {
    super(message, hint, { kind: 'usage' });
    this.name = 'TraceQLError';
  }
}

const INTRINSICS: Record<string, Intrinsic> = {
  name: 'name',
  'span:name': 'name',
  status: 'status',
  'span:status': 'status',
  statusMessage: 'statusMessage',
  'span:statusMessage': 'statusMessage',
  kind: 'kind',
  'span:kind': 'kind',
  duration: 'duration',
  'span:duration': 'duration',
  rootName: 'rootName',
  'trace:rootName': 'rootName',
  rootServiceName: 'rootServiceName',
  'trace:rootService': 'rootServiceName',
  traceDuration: 'traceDuration',
  'trace:duration': 'traceDuration',
  'span:id': 'spanId',
  'span:parentID': 'parentId',
  'trace:id': 'traceId',
  'instrumentation:name': 'scopeName',
  'instrumentation:version': 'scopeVersion',
  'event:name': 'eventName',
};

const STATUS = new Set(['error', 'ok', 'unset']);
const KINDS = new Set(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer']);
const SPANSET_OPS = new Set<string>(['&&', '||', '>', '>>', '<', '<<', '~', '!>', '!>>', '!<', '!<<', '!~', '&>', '&>>', '&<', '&<<', '&~']);
const COMPARE_OPS = new Set<string>(['=', '!=', '>', '>=', '<', '<=', '=~', '!~']);

const SUPPORTED =
  'The embedded store evaluates spanset filters { … } with span., resource., event., instrumentation. and unscoped . attributes, the intrinsics name, status, statusMessage, kind, duration, rootName, rootServiceName, traceDuration, span:id, span:parentID, trace:id, event:name, instrumentation:name/version; comparisons = != > >= < <= =~ !~; && || ! inside a filter; and && || > >> < << ~ (their !… and &… forms) between filters.';

/** Parses `text`, or throws TraceQLError with the position and a corrected example. */
export function parseTraceQL(text: string): SpansetExpr {
  const query = text.trim();
  if (!query) throw new TraceQLError('The TraceQL query is empty.', `Write a spanset filter, such as { duration > 1s } or ${TRACEQL_EXAMPLE}`);
  const error = syntaxError(query);
  if (error !== undefined) {
    const { cut } = parseWatchingChains(parser, query);
    if (cut) {
      throw new TraceQLError(
        `TraceQL: ${chainLimitText('TraceQL', 'conditions or spanset operations')} (at ${locate(query, cut.from)}).`,
        'Shorten it: a regular expression matches several values at once (span.http.route =~ "/cart|/checkout"), or split the query in two.',
        cut.from,
      );
    }
    throw parseFailure(query, error);
  }
  return convert(query);
}

/** The position of the first syntax error, or undefined when the grammar accepts `query`. */
function syntaxError(query: string): number | undefined {
  let at: number | undefined;
  parser.parse(query).iterate({
    enter(node) {
      if (at !== undefined) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  return at;
}

function convert(query: string): SpansetExpr {
  const top = parser.parse(query).topNode;
  const expression = top.firstChild;
  // Query hints (`with (most_recent=true)`) change nothing here: answers are always newest first.
  const rest = expression?.nextSibling;
  if (!expression || (rest && (rest.name !== 'WithHint' || rest.nextSibling))) throw unsupported(query, top, 'expected one spanset expression');
  return spansetExpr(query, expression);
}

function text(query: string, node: SyntaxNode): string {
  return query.slice(node.from, node.to);
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

function spansetExpr(query: string, node: SyntaxNode): SpansetExpr {
  const parts = children(node);
  if (node.name === 'SpansetPipelineExpression') {
    if (parts.length === 1) return spansetExpr(query, parts[0]!);
    const pipe = parts.find((p) => p.name === 'Pipe');
    if (pipe) throw unsupported(query, pipe, 'pipelines (| select, | count(), | by, …) are not evaluated by the embedded store');
    const operands = parts.filter((p) => p.name === 'SpansetPipelineExpression');
    if (operands.length === 2) {
      const [left, right] = operands as [SyntaxNode, SyntaxNode];
      const op = query.slice(left.to, right.from).trim();
      if (!SPANSET_OPS.has(op)) throw unsupported(query, left, `the spanset operator ${op} is not supported`);
      return { type: 'spansetOp', op: op as SpansetOp, left: spansetExpr(query, left), right: spansetExpr(query, right) };
    }
    throw unsupported(query, node, 'this spanset expression is not supported');
  }
  if (node.name === 'SpansetPipeline') {
    if (parts.length === 1 && parts[0]!.name === 'SpansetFilter') return spansetFilter(query, parts[0]!);
    const what = parts[0]?.name.startsWith('Metrics') ? 'metrics queries (rate, count_over_time, …) belong to a metrics backend' : `${parts[0]?.name ?? 'this'} is not supported`;
    throw unsupported(query, parts[0] ?? node, what);
  }
  if (node.name === 'SpansetFilter') return spansetFilter(query, node);
  throw unsupported(query, node, `${node.name} is not supported`);
}

function spansetFilter(query: string, node: SyntaxNode): SpansetExpr {
  const inner = children(node).filter((c) => c.name === 'FieldExpression');
  if (!inner.length) return { type: 'filter', filter: undefined };
  return { type: 'filter', filter: checkBoolean(query, inner[0]!, fieldExpr(query, inner[0]!)) };
}

function fieldExpr(query: string, node: SyntaxNode): FieldExpr {
  const parts = children(node);
  const source = text(query, node).trim();
  if (parts.length === 1) {
    const only = parts[0]!;
    if (only.name === 'FieldExpression') {
      if (source.startsWith('!')) return { type: 'not', expr: checkBoolean(query, only, fieldExpr(query, only)) };
      if (source.startsWith('-')) {
        const inner = fieldExpr(query, only);
        if (inner.type === 'operand' && inner.operand.type === 'static' && (inner.operand.value.kind === 'number' || inner.operand.value.kind === 'duration')) {
          return { type: 'operand', operand: { type: 'static', value: { ...inner.operand.value, value: -inner.operand.value.value } } };
        }
        throw unsupported(query, node, 'only numbers and durations can be negated');
      }
      return fieldExpr(query, only); // ( … )
    }
    return { type: 'operand', operand: operand(query, only) };
  }
  if (parts.length === 3 && parts[0]!.name === 'FieldExpression' && parts[2]!.name === 'FieldExpression') {
    const opText = text(query, parts[1]!).trim();
    if (parts[1]!.name === 'And' || parts[1]!.name === 'Or') {
      return {
        type: 'logical',
        op: parts[1]!.name === 'And' ? '&&' : '||',
        left: checkBoolean(query, parts[0]!, fieldExpr(query, parts[0]!)),
        right: checkBoolean(query, parts[2]!, fieldExpr(query, parts[2]!)),
      };
    }
    if (COMPARE_OPS.has(opText)) return comparison(query, node, opText as CompareOp, operandOf(query, parts[0]!), operandOf(query, parts[2]!));
    throw unsupported(query, parts[1]!, `the operator ${opText} is not supported (arithmetic is not evaluated)`);
  }
  throw unsupported(query, node, 'this field expression is not supported');
}

/** A side of a comparison must be a single operand (attribute, intrinsic, literal). */
function operandOf(query: string, node: SyntaxNode): Operand {
  const expr = fieldExpr(query, node);
  if (expr.type === 'operand') return expr.operand;
  throw unsupported(query, node, 'a comparison compares an attribute or intrinsic with a value, such as span.http.status_code >= 500');
}

/** Inside && / || / !, each side must be a comparison or a boolean operand. */
function checkBoolean(query: string, node: SyntaxNode, expr: FieldExpr): FieldExpr {
  if (expr.type !== 'operand') return expr;
  const o = expr.operand;
  if (o.type === 'attribute' || (o.type === 'static' && o.value.kind === 'bool')) return expr;
  throw new TraceQLError(
    `${locate(query, node.from)}: ${JSON.stringify(text(query, node).slice(0, 60))} is not a condition.`,
    `Compare it with something, as in { span.http.status_code = 500 && duration > 1s }.`,
    node.from,
  );
}

function comparison(query: string, node: SyntaxNode, op: CompareOp, left: Operand, right: Operand): FieldExpr {
  // Typed intrinsics take values of their own type, as in Tempo.
  const check = (field: Operand, value: Operand) => {
    if (field.type !== 'intrinsic' || value.type !== 'static') return;
    const kind = value.value.kind;
    const fail = (want: string, example: string) => {
      throw new TraceQLError(`${locate(query, node.from)}: ${field.name} is compared with ${describe(value.value)}; it takes ${want}.`, `For example ${example}.`, node.from);
    };
    if (field.name === 'status' && kind !== 'status' && kind !== 'nil') fail('error, ok or unset', '{ status = error }');
    if (field.name === 'kind' && kind !== 'spanKind' && kind !== 'nil') fail('server, client, internal, producer, consumer or unspecified', '{ kind = server }');
    if ((field.name === 'duration' || field.name === 'traceDuration') && kind !== 'duration') fail('a duration', `{ ${field.name} > 1.5s }`);
  };
  check(left, right);
  check(right, left);
  const out: FieldExpr = { type: 'compare', op, left, right };
  if (op === '=~' || op === '!~') {
    const pattern = right.type === 'static' && right.value.kind === 'string' ? right.value.value : undefined;
    if (pattern === undefined) throw new TraceQLError(`${locate(query, node.from)}: ${op} takes a string pattern on its right.`, 'For example { span.http.route =~ "/api/.*" }.', node.from);
    try {
      // Fully anchored, as Tempo's regular expressions are.
      out.regex = compileGoRegex(pattern, { anchored: true, dotAll: true });
    } catch (error) {
      throw new TraceQLError(`${locate(query, node.from)}: ${JSON.stringify(pattern.slice(0, 60))} is not a valid regular expression (${(error as Error).message}).`, 'For example { name =~ "GET /api/.*" }.', node.from);
    }
  }
  return out;
}

function describe(value: Static): string {
  if (value.kind === 'nil') return 'nil';
  if (value.kind === 'string') return `the string ${JSON.stringify(value.value)}`;
  return `${value.kind === 'spanKind' ? 'the kind' : `the ${value.kind}`} ${String(value.value)}`;
}

function operand(query: string, node: SyntaxNode): Operand {
  const source = text(query, node);
  if (node.name === 'IntrinsicField') {
    const name = INTRINSICS[source];
    if (!name) throw unsupported(query, node, `the intrinsic ${source} is not supported`);
    return { type: 'intrinsic', name };
  }
  if (node.name === 'AttributeField') {
    const parts = children(node);
    const identifier = parts.find((p) => p.name === 'Identifier');
    const scopeNode = parts.find((p) => p !== identifier);
    let scope: Scope = 'any';
    if (scopeNode) {
      if (scopeNode.name === 'Span') scope = 'span';
      else if (scopeNode.name === 'Resource') scope = 'resource';
      else if (scopeNode.name === 'Event') scope = 'event';
      else if (scopeNode.name === 'Instrumentation') scope = 'instrumentation';
      else throw unsupported(query, scopeNode, `${text(query, scopeNode)}. attributes are not supported (use span., resource., event., instrumentation. or .)`);
    }
    let name = identifier ? text(query, identifier) : '';
    if (name.startsWith('"')) name = unquote(name);
    return { type: 'attribute', scope, name };
  }
  if (node.name === 'Static') return { type: 'static', value: staticValue(query, node) };
  throw unsupported(query, node, `${node.name} is not supported`);
}

function staticValue(query: string, node: SyntaxNode): Static {
  const source = text(query, node).trim();
  const child = node.firstChild;
  if (child?.name === 'String') return { kind: 'string', value: unquote(source) };
  if (child?.name === 'Integer' || child?.name === 'Float') return { kind: 'number', value: Number(source) };
  if (child?.name === 'Duration') {
    const ms = parseDuration(source);
    if (ms === undefined) throw unsupported(query, node, `${source} is not a duration`);
    return { kind: 'duration', value: ms };
  }
  if (source === 'true' || source === 'false') return { kind: 'bool', value: source === 'true' };
  if (source === 'nil') return { kind: 'nil' };
  if (STATUS.has(source)) return { kind: 'status', value: source as 'error' | 'ok' | 'unset' };
  if (KINDS.has(source)) return { kind: 'spanKind', value: source as 'server' };
  throw unsupported(query, node, `the value ${source} is not supported`);
}

function unquote(source: string): string {
  if (source.startsWith('`')) return source.slice(1, -1);
  try {
    return JSON.parse(source) as string;
  } catch {
    return source.slice(1, -1).replace(/\\(.)/g, '$1');
  }
}

/** "column 14" (and the line, for a query on several lines). */
function locate(query: string, at: number): string {
  const before = query.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  return line > 1 ? `line ${line}, column ${column}` : `column ${column}`;
}

function caret(query: string, at: number): string {
  const lineStart = query.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = query.indexOf('\n', at);
  const line = query.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const column = at - lineStart;
  // Keep the excerpt short: up to 60 characters either side of the error.
  const from = Math.max(0, column - 60);
  return `  ${line.slice(from, column + 60)}\n  ${' '.repeat(column - from)}^`;
}

function unsupported(query: string, node: SyntaxNode, what: string): TraceQLError {
  return new TraceQLError(`TraceQL at ${locate(query, node.from)}: ${what}.\n${caret(query, node.from)}`, SUPPORTED, node.from);
}

function parseFailure(query: string, at: number): TraceQLError {
  const near = query.slice(at, at + 20).trim();
  const what = near ? `unexpected ${JSON.stringify(near.split(/\s+/)[0])}` : 'the query ends too early';
  const fixed = correction(query);
  const hint = fixed ? `Did you mean: ${fixed}` : `A query is one or more spanset filters in braces, such as { duration > 1s } or ${TRACEQL_EXAMPLE}`;
  return new TraceQLError(`TraceQL syntax error at ${locate(query, at)}: ${what}.\n${caret(query, at)}`, hint, at);
}

/** Common slips, each tried in turn; the first rewrite the grammar accepts is offered. */
function correction(query: string): string | undefined {
  const attempts: ((q: string) => string)[] = [
    (q) => q.replace(/==/g, '='),
    (q) => q.replace(/'([^']*)'/g, '"$1"'),
    (q) => q.replace(/\s+and\s+/gi, ' && ').replace(/\s+or\s+/gi, ' || '),
    (q) => q.replace(/\b(status)\s*(=|!=)\s*"(error|ok|unset)"/g, '$1 $2 $3').replace(/\b(kind)\s*(=|!=)\s*"(\w+)"/g, '$1 $2 $3'),
    (q) => q.replace(/(=~|!~|!=|=)\s*([A-Za-z_/][^\s{}&|"]*)/g, (match, op: string, word: string) => (STATUS.has(word) || KINDS.has(word) || /^(true|false|nil)$/.test(word) ? match : `${op} "${word}"`)),
    (q) => q.replace(/\b(duration|traceDuration)\s*(>=|<=|>|<|=|!=)\s*(\d+(?:\.\d+)?)(?![\w.])/g, '$1 $2 $3ms'),
    (q) => (q.includes('{') ? q : `{ ${q} }`),
    (q) => q + ' }'.repeat(Math.max(0, (q.match(/{/g) ?? []).length - (q.match(/}/g) ?? []).length)),
  ];
  let candidate = query;
  for (const attempt of attempts) {
    candidate = attempt(candidate);
    if (candidate !== query && syntaxError(candidate) === undefined) {
      try {
        convert(candidate);
        return candidate;
      } catch {
        // keep trying
      }
    }
  }
  return undefined;
}
