import { parser } from '@prometheus-io/lezer-promql';
import { chainLimitText, parseWatchingChains } from '../grammarLimit.js';
import { parseDuration } from '../time.js';
import {
  AGGREGATE_OPS,
  COMPARISON_OPS,
  FUNCTIONS,
  SET_OPS,
  typeOf,
  type AggregateOp,
  type AtModifier,
  type BinaryOp,
  type Expr,
  type Matcher,
  type MatchOp,
  type ValueType,
  type VectorMatching,
  type VectorSelector,
} from './ast.js';
import { compileRegex, parseNumber, unquote } from './lexical.js';
import { PromQLSyntaxError as PromQLError } from './parseError.js';

/**
 * PromQL text → the checked tree of ast.ts. The grammar is Prometheus' own (the Lezer grammar its
 * web UI uses, @prometheus-io/lezer-promql 0.42, the grammar of Prometheus 2.42); the checks
 * after it are the ones Prometheus' Go parser makes, with its wording where it has one. Every
 * error is a PromQLError with the position and, where one can be made, a corrected query.
 */

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** The Prometheus label name syntax (label_replace, count_values and grouping check it). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws PromQLSyntaxError; promql.ts turns it into the LegibleError an agent sees. */
export function parseExpr(text: string): Expr {
  if (!text.trim()) throw new PromQLError(text, 0, 0, 'the query is empty');
  const { tree, cut } = parseWatchingChains(parser, text);
  const failed = firstError(tree.topNode);
  if (failed) {
    if (cut) throw new PromQLError(text, cut.from, cut.from, `${chainLimitText('PromQL', 'binary operations')}; shorten it (sum by (…) adds up many series at once) or split it`);
    throw syntaxError(text, failed);
  }
  const body = children(tree.topNode);
  if (body.length !== 1) throw new PromQLError(text, 0, text.length, 'the query is empty');
  const expr = new Builder(text).expr(body[0]!);
  return expr;
}

/** Children of a node, without comments. */
function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.name !== 'LineComment') out.push(child);
  }
  return out;
}

function firstError(top: SyntaxNode): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  top.cursor().iterate((ref) => {
    if (found) return false;
    if (ref.type.isError) {
      found = ref.node;
      return false;
    }
    return undefined;
  });
  return found;
}

function syntaxError(text: string, node: SyntaxNode): PromQLError {
  const at = node.from;
  const token = text.slice(at, Math.max(node.to, at + 1)).trim() || text.slice(at).trim().split(/\s+/)[0] || '';
  // An identifier followed by "(" that is not a known function: the commonest slip.
  const before = /([A-Za-z_][A-Za-z0-9_:]*)\s*$/.exec(text.slice(0, at));
  if (token.startsWith('(') && before && !FUNCTIONS[before[1]!] && !AGGREGATE_OPS.has(before[1]!.toLowerCase())) {
    return new PromQLError(text, at - before[0].length, at, `unknown function "${before[1]}"`);
  }
  if (at >= text.trimEnd().length) return new PromQLError(text, at, at, 'unexpected end of the query');
  const prev = node.parent && node.parent.name === 'LabelMatcher' ? 'label values are quoted strings; ' : '';
  return new PromQLError(text, at, at + token.length, `${prev}unexpected ${JSON.stringify(token.slice(0, 40))}`);
}

class Builder {
  constructor(private readonly text: string) {}

  private fail(node: SyntaxNode, message: string): never {
    throw new PromQLError(this.text, node.from, node.to, message);
  }

  private source(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  expr(node: SyntaxNode): Expr {
    const parts = children(node);
    switch (node.name) {
      case 'NumberLiteral':
        return { kind: 'number', value: this.number(node) };
      case 'StringLiteral':
        return { kind: 'string', value: this.string(node) };
      case 'VectorSelector':
        return this.selector(node);
      case 'MatrixSelector': {
        const inner = this.expr(parts[0]!);
        if (inner.kind !== 'selector') this.fail(node, 'ranges only allowed for vector selectors');
        if (inner.offsetMs !== 0 || inner.at) this.fail(node, 'no offset or @ modifiers allowed before the range; write foo[5m] offset 1h');
        return { kind: 'matrix', selector: inner, rangeMs: this.duration(parts[1]!) };
      }
      case 'SubqueryExpr': {
        const inner = this.expr(parts[0]!);
        const type = typeOf(inner);
        if (type !== 'vector') this.fail(node, `subquery is only allowed on instant vector, got ${typeName(type)} instead`);
        const durations = parts.filter((part) => part.name === 'Duration');
        const rangeMs = this.duration(durations[0]!);
        const stepMs = durations[1] ? this.duration(durations[1]) : undefined;
        if (stepMs === 0) this.fail(durations[1]!, 'the subquery step must be greater than 0');
        return { kind: 'subquery', expr: inner, rangeMs, ...(stepMs !== undefined ? { stepMs } : {}), offsetMs: 0 };
      }
      case 'OffsetExpr': {
        const durationNode = parts.find((part) => part.name === 'Duration')!;
        const negative = parts.some((part) => part.name === 'Sub');
        const ms = this.duration(durationNode) * (negative ? -1 : 1);
        return this.modify(node, this.expr(parts[0]!), (target) => {
          if (target.offsetMs !== 0) this.fail(node, 'offset may not be set multiple times');
          target.offsetMs = ms;
        });
      }
      case 'StepInvariantExpr': {
        const atNode = parts[2]!;
        let at: AtModifier;
        if (atNode.name === 'NumberLiteral') {
          const seconds = this.number(atNode);
          if (!Number.isFinite(seconds)) this.fail(atNode, 'timestamp out of bounds for @ modifier');
          at = { kind: 'time', ms: Math.round(seconds * 1000) };
        } else {
          at = { kind: /end/i.test(this.source(atNode)) ? 'end' : 'start' };
        }
        return this.modify(node, this.expr(parts[0]!), (target) => {
          if (target.at) this.fail(node, '@ <timestamp> may not be set multiple times');
          target.at = at;
        });
      }
      case 'ParenExpr':
        return { kind: 'paren', expr: this.expr(parts[0]!) };
      case 'UnaryExpr': {
        const op = this.source(parts[0]!) as '+' | '-';
        const inner = this.expr(parts[1]!);
        const type = typeOf(inner);
        if (type !== 'scalar' && type !== 'vector') this.fail(node, 'unary expression only allowed on expressions of type scalar or instant vector');
        // "-1" is a number, as Prometheus folds it.
        if (inner.kind === 'number') return { kind: 'number', value: op === '-' ? -inner.value : inner.value };
        return { kind: 'unary', op, expr: inner };
      }
      case 'FunctionCall':
        return this.call(node, parts);
      case 'AggregateExpr':
        return this.aggregate(parts);
      case 'BinaryExpr':
        return this.binary(node, parts);
      default:
        return this.fail(node, `unexpected ${JSON.stringify(this.source(node).slice(0, 40))}`);
    }
  }

  /** Applies `offset` or `@` to the selector, range or subquery it follows (through a unary minus). */
  private modify(node: SyntaxNode, target: Expr, apply: (target: { offsetMs: number; at?: AtModifier }) => void): Expr {
    switch (target.kind) {
      case 'selector':
        apply(target);
        return target;
      case 'matrix':
        apply(target.selector);
        return target;
      case 'subquery':
        apply(target);
        return target;
      case 'unary':
        return { ...target, expr: this.modify(node, target.expr, apply) };
      case 'binary':
        // The grammar lets `a - b offset 5m` wrap the whole binary expression; in Prometheus'
        // grammar the modifier belongs to the operand it follows.
        return { ...target, rhs: this.modify(node, target.rhs, apply) };
      default:
        return this.fail(node, `${/@/.test(this.source(node)) ? '@ modifier' : 'offset modifier'} must be preceded by an instant vector selector or range vector selector or a subquery`);
    }
  }

  private number(node: SyntaxNode): number {
    try {
      return parseNumber(this.source(node));
    } catch (error) {
      return this.fail(node, (error as Error).message);
    }
  }

  private string(node: SyntaxNode): string {
    try {
      return unquote(this.source(node));
    } catch (error) {
      return this.fail(node, (error as Error).message);
    }
  }

  private duration(node: SyntaxNode): number {
    const text = this.source(node);
    const ms = parseDuration(text);
    if (ms === undefined) this.fail(node, `bad duration syntax: "${text.slice(0, 40)}"`);
    return ms;
  }

  private selector(node: SyntaxNode): VectorSelector {
    const parts = children(node);
    const matchers: Matcher[] = [];
    let name: string | undefined;
    for (const part of parts) {
      if (part.name === 'Identifier' || part.name === 'MetricName') {
        name = this.source(part);
        matchers.push({ name: '__name__', op: '=', value: name });
      } else if (part.name === 'LabelMatchers') {
        for (const matcherNode of children(part)) matchers.push(this.matcher(matcherNode));
      }
    }
    if (name !== undefined && matchers.some((matcher, index) => index > 0 && matcher.name === '__name__')) {
      this.fail(node, 'metric name must not be set twice');
    }
    if (!matchers.some((matcher) => !matches(matcher, ''))) {
      this.fail(node, 'vector selector must contain at least one non-empty matcher');
    }
    return { kind: 'selector', ...(name !== undefined ? { name } : {}), matchers, offsetMs: 0 };
  }

  private matcher(node: SyntaxNode): Matcher {
    const parts = children(node);
    const labelNode = parts.find((part) => part.name === 'LabelName');
    const opNode = parts.find((part) => part.name === 'MatchOp');
    const valueNode = parts.find((part) => part.name === 'StringLiteral');
    if (!labelNode || !opNode || !valueNode) return this.fail(node, 'a label matcher is written name="value", name!="value", name=~"regex" or name!~"regex"');
    const op = this.source(opNode) as MatchOp;
    const value = this.string(valueNode);
    const matcher: Matcher = { name: this.source(labelNode), op, value };
    if (op === '=~' || op === '!~') {
      try {
        matcher.regex = compileRegex(value);
      } catch (error) {
        this.fail(valueNode, `invalid regular expression ${JSON.stringify(value.slice(0, 60))}: ${(error as Error).message}`);
      }
    }
    return matcher;
  }

  private call(node: SyntaxNode, parts: SyntaxNode[]): Expr {
    const func = this.source(parts[0]!);
    const signature = FUNCTIONS[func];
    if (!signature) return this.fail(parts[0]!, `unknown function "${func}"`);
    const body = parts[1];
    const args = body ? children(body).map((arg) => this.expr(arg)) : [];
    const min = signature.args.length - signature.optional - (signature.variadic ? 1 : 0);
    const max = signature.variadic ? Infinity : signature.args.length;
    if (args.length < min || args.length > max) {
      const expected = signature.variadic ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
      this.fail(node, `expected ${expected} argument(s) in call to "${func}", got ${args.length}`);
    }
    args.forEach((arg, index) => {
      const want = signature.args[Math.min(index, signature.args.length - 1)]!;
      this.expectType(body ? children(body)[index]! : node, arg, want, `call to function "${func}"`);
    });
    return { kind: 'call', func, args };
  }

  private aggregate(parts: SyntaxNode[]): Expr {
    const op = this.source(parts.find((part) => part.name === 'AggregateOp')!).toLowerCase() as AggregateOp;
    const modifier = parts.find((part) => part.name === 'AggregateModifier');
    const body = parts.find((part) => part.name === 'FunctionCallBody')!;
    const argNodes = children(body);
    const args = argNodes.map((arg) => this.expr(arg));
    const wantsParam = op === 'topk' || op === 'bottomk' || op === 'quantile' || op === 'count_values';
    if (args.length !== (wantsParam ? 2 : 1)) {
      this.fail(body, wantsParam ? `wrong number of arguments for aggregate expression provided, expected 2, got ${args.length}` : `wrong number of arguments for aggregate expression provided, expected 1, got ${args.length}`);
    }
    const expr = args[args.length - 1]!;
    this.expectType(argNodes[args.length - 1]!, expr, 'vector', 'aggregation expression');
    let param: Expr | undefined;
    if (wantsParam) {
      param = args[0]!;
      this.expectType(argNodes[0]!, param, op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
      if (op === 'count_values' && param.kind === 'string' && !LABEL_NAME.test(param.value)) this.fail(argNodes[0]!, `invalid label name "${param.value.slice(0, 60)}"`);
    }
    let grouping: string[] = [];
    let without = false;
    if (modifier) {
      const modParts = children(modifier);
      without = /^without$/i.test(this.source(modParts[0]!));
      grouping = this.labelList(modParts[1]);
    }
    return { kind: 'aggregate', op, ...(param ? { param } : {}), expr, grouping, without };
  }

  private labelList(node: SyntaxNode | undefined): string[] {
    if (!node) return [];
    return children(node).map((label) => {
      const name = this.source(label);
      if (!LABEL_NAME.test(name)) this.fail(label, `invalid label name "${name.slice(0, 60)}"`);
      return name;
    });
  }

  private binary(node: SyntaxNode, parts: SyntaxNode[]): Expr {
    // The grammar reads `-2 ^ 2` as the number -2 raised to 2; in Prometheus the unary minus
    // binds less tightly than ^, so it is -(2 ^ 2).
    const first = parts[0]!;
    const sign = /^[+-]/.exec(this.source(first))?.[0];
    if (first.name === 'NumberLiteral' && sign && this.source(parts[1]!) === '^') {
      const inner = this.plainBinary(node, parts);
      if (inner.kind !== 'binary' || inner.lhs.kind !== 'number') return inner;
      const unsigned: Expr = { ...inner, lhs: { kind: 'number', value: Math.abs(inner.lhs.value) } };
      return sign === '-' ? { kind: 'unary', op: '-', expr: unsigned } : unsigned;
    }
    return this.plainBinary(node, parts);
  }

  private plainBinary(node: SyntaxNode, parts: SyntaxNode[]): Expr {
    const lhs = this.expr(parts[0]!);
    const rhs = this.expr(parts[parts.length - 1]!);
    const opNode = parts[1]!;
    const op = this.source(opNode).toLowerCase() as BinaryOp;
    const returnBool = parts.some((part) => part.name === 'BoolModifier');
    const clause = parts.find((part) => part.name === 'MatchingModifierClause');
    const lt = typeOf(lhs);
    const rt = typeOf(rhs);
    for (const [side, type] of [[parts[0]!, lt], [parts[parts.length - 1]!, rt]] as const) {
      if (type !== 'scalar' && type !== 'vector') this.fail(side, 'binary expression must contain only scalar and instant vector types');
    }
    const comparison = COMPARISON_OPS.has(op);
    if (returnBool && !comparison) this.fail(node, 'bool modifier can only be used on comparison operators');
    if (comparison && lt === 'scalar' && rt === 'scalar' && !returnBool) this.fail(node, 'comparisons between scalars must use BOOL modifier');
    if (SET_OPS.has(op) && (lt === 'scalar' || rt === 'scalar')) this.fail(node, `set operator "${op}" not allowed in binary scalar expression`);
    if (clause && (lt !== 'vector' || rt !== 'vector')) this.fail(clause, 'vector matching only allowed between instant vectors');
    let matching: VectorMatching | undefined;
    if (lt === 'vector' && rt === 'vector') {
      matching = { card: SET_OPS.has(op) ? 'many-to-many' : 'one-to-one', on: false, labels: [], include: [] };
      if (clause) {
        const clauseParts = children(clause);
        for (let index = 0; index < clauseParts.length; index++) {
          const part = clauseParts[index]!;
          const next = clauseParts[index + 1]?.name === 'GroupingLabels' ? clauseParts[index + 1] : undefined;
          if (part.name === 'On' || part.name === 'Ignoring') {
            matching.on = part.name === 'On';
            matching.labels = this.labelList(next);
          } else if (part.name === 'GroupLeft' || part.name === 'GroupRight') {
            if (SET_OPS.has(op)) this.fail(part, `no grouping allowed for "${op}" operation`);
            matching.card = part.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
            matching.include = this.labelList(next);
          }
        }
        if (matching.on) {
          const both = matching.include.find((label) => matching!.labels.includes(label));
          if (both) this.fail(clause, `label "${both}" must not occur in ON and GROUP clause at once`);
        }
      }
    }
    return { kind: 'binary', op, lhs, rhs, returnBool, ...(matching ? { matching } : {}) };
  }

  private expectType(node: SyntaxNode, expr: Expr, want: ValueType, context: string): void {
    const got = typeOf(expr);
    if (got !== want) this.fail(node, `expected type ${typeName(want)} in ${context}, got ${typeName(got)}`);
  }
}

export function typeName(type: ValueType): string {
  return type === 'vector' ? 'instant vector' : type === 'matrix' ? 'range vector' : type;
}

/** Whether a matcher accepts a label value ("" for a label the series does not have). */
export function matches(matcher: Matcher, value: string): boolean {
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return matcher.regex!.test(value);
    case '!~':
      return !matcher.regex!.test(value);
  }
}
