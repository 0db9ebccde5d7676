import { parseDuration } from '../../time.js';
import type { CompareOp, Extraction, LabelFilterExpr, LabelMatcher, LineFilter, LogQuery, MatchOp, Stage } from './ast.js';
import { LogqlError } from './errors.js';
import { parseBytes, unquote } from './literals.js';
import { compileRegex } from './regex.js';
import { child, children, SyntaxReader, type Node } from './syntaxTree.js';

const MATCH_OPS: Record<string, MatchOp> = { Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' };
const COMPARE_OPS: Record<string, CompareOp> = { Eql: '==', Eq: '==', Neq: '!=', Gtr: '>', Gte: '>=', Lss: '<', Lte: '<=' };
const LINE_OPS: Record<string, LineFilter['op']> = { PipeExact: '|=', Neq: '!=', PipeMatch: '|~', Nre: '!~' };

/** A log query's syntax tree → ast.ts: its stream selector and pipeline stages (line filters, parsers, label filters, formats). */
export class LogConverter extends SyntaxReader {
  logExpr(node: Node): LogQuery {
    const matchers = this.selector(child(node, 'Selector', this.query));
    const pipeline = node.getChild('PipelineExpr');
    return { kind: 'log', matchers, stages: pipeline ? this.pipeline(pipeline) : [] };
  }

  selector(node: Node): LabelMatcher[] {
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
  pipeline(node: Node): Stage[] {
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

  labelFilter(node: Node): LabelFilterExpr {
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
}
