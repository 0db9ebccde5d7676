import type { Labels } from '../../model.js';
import { parseDuration } from '../../time.js';
import { LEVEL, levelName } from '../levels.js';
import { infoFieldLevel, infoFormat, infoLevel, type Segment } from '../store.js';
import { FIELD_LEVEL, FORMAT, jsonLabels, logfmtLabels, parseJsonObject, parseLogfmt, sanitizeLabelName, levelLabel } from '../structured.js';
import type { CompareOp, Extraction, LabelFilterExpr, LabelMatcher, Stage } from './ast.js';
import { parseBytes } from './literals.js';
import { compileRegex } from './regex.js';
import { compileTemplate } from './template.js';

/**
 * A log pipeline compiled into functions over one reused row. Line filters at the head run on
 * the raw line before anything else; labels are built only once a stage needs them; parsers make
 * only the labels something after them reads (`needed`), and `| json` / `| logfmt` followed only
 * by uses of `level` read the level the store kept at capture instead of parsing the line again.
 */

/** Labels every entry may carry beside its stream's (Loki's structured metadata). */
export const METADATA_LABELS = new Set(['detected_level', 'trace_id', 'span_id']);

export class Row {
  line = '';
  timeMs = 0;
  stream = 0;
  info = 0;
  segment!: Segment;
  index = 0;
  /** Stream labels, structured metadata and what the pipeline added; undefined until a stage needs them. */
  labels: Labels | undefined;
}

export interface PipelineContext {
  streamLabels(id: number): Labels;
  /** Label names read after the pipeline: a query's grouping; 'all' when the whole label set counts. */
  needed: ReadonlySet<string> | 'all';
}

export interface Pipeline {
  /** The line filters at the head, on the raw line; undefined when there are none. */
  head: ((line: string) => boolean) | undefined;
  /** The remaining stages; undefined when there are none. */
  rest: ((row: Row) => boolean) | undefined;
  /** Whether any stage builds labels (parsers, label filters, formats). */
  usesLabels: boolean;
}

/** The labels of a row, built on first use: its stream's, plus structured metadata. */
export function labelsOf(row: Row, context: PipelineContext): Labels {
  if (row.labels) return row.labels;
  const labels: Labels = { ...context.streamLabels(row.stream) };
  const level = infoLevel(row.info);
  if (level !== LEVEL.unknown) labels.detected_level = levelName(level);
  const traceId = row.segment.traceIds?.[row.index];
  if (traceId) labels.trace_id = traceId;
  const spanId = row.segment.spanIds?.[row.index];
  if (spanId) labels.span_id = spanId;
  row.labels = labels;
  return labels;
}

export function compilePipeline(stages: Stage[], context: PipelineContext): Pipeline {
  let start = 0;
  const headFilters: ((line: string) => boolean)[] = [];
  while (start < stages.length && stages[start]!.kind === 'line') headFilters.push(lineFilter(stages[start++] as Extract<Stage, { kind: 'line' }>));
  const head = headFilters.length === 0 ? undefined : headFilters.length === 1 ? headFilters[0] : (line: string) => headFilters.every((filter) => filter(line));
  const rest = stages.slice(start);
  if (!rest.length) return { head, rest: undefined, usesLabels: false };
  const steps = rest.map((stage, index) => compileStage(stage, context, neededAfter(rest.slice(index + 1), context.needed)));
  return {
    head,
    usesLabels: rest.some((stage) => stage.kind !== 'line' && stage.kind !== 'decolorize'),
    rest: (row) => {
      for (const step of steps) if (!step(row)) return false;
      return true;
    },
  };
}

/** The label names the stages after a point read, plus what the query reads after the pipeline. */
function neededAfter(stages: Stage[], needed: ReadonlySet<string> | 'all'): ReadonlySet<string> | 'all' {
  if (needed === 'all') return 'all';
  const out = new Set(needed);
  for (const stage of stages) {
    switch (stage.kind) {
      case 'labelFilter':
        for (const name of filterNames(stage.expr)) out.add(name);
        break;
      case 'lineFormat':
        for (const name of compileTemplate(stage.template).references) out.add(name);
        break;
      case 'labelFormat':
        for (const item of stage.items) {
          if (item.from) out.add(item.from);
          if (item.template) for (const name of compileTemplate(item.template).references) out.add(name);
        }
        break;
      case 'keep':
      case 'drop':
        for (const item of stage.items) out.add(item.name);
        break;
      default:
        break;
    }
  }
  return out;
}

function filterNames(expr: LabelFilterExpr): string[] {
  return expr.kind === 'and' || expr.kind === 'or' ? [...filterNames(expr.left), ...filterNames(expr.right)] : [expr.name];
}

function lineFilter(stage: Extract<Stage, { kind: 'line' }>): (line: string) => boolean {
  const { op, values } = stage;
  if (op === '|=' || op === '!=') {
    const wanted = op === '|=';
    if (values.length === 1) {
      const value = values[0]!;
      return wanted ? (line) => line.includes(value) : (line) => !line.includes(value);
    }
    return (line) => values.some((value) => line.includes(value)) === wanted;
  }
  const patterns = values.map((value) => compileRegex(value, false));
  const wanted = op === '|~';
  return (line) => patterns.some((pattern) => pattern.test(line)) === wanted;
}

type Step = (row: Row) => boolean;

function compileStage(stage: Stage, context: PipelineContext, needed: ReadonlySet<string> | 'all'): Step {
  switch (stage.kind) {
    case 'line': {
      const filter = lineFilter(stage);
      return (row) => filter(row.line);
    }
    case 'json':
    case 'logfmt':
      return parserStep(stage.kind, stage.extractions, context, needed);
    case 'regexp': {
      const pattern = compileRegex(stage.pattern, false);
      return (row) => {
        const labels = labelsOf(row, context);
        const groups = pattern.exec(row.line)?.groups;
        if (groups) for (const [name, value] of Object.entries(groups)) if (value !== undefined) setExtracted(labels, context, row, sanitizeLabelName(name), value);
        return true;
      };
    }
    case 'labelFilter': {
      const test = labelFilter(stage.expr);
      return (row) => test(labelsOf(row, context));
    }
    case 'lineFormat': {
      const template = compileTemplate(stage.template);
      return (row) => {
        row.line = template.render(labelsOf(row, context), row.line, row.timeMs);
        return true;
      };
    }
    case 'labelFormat': {
      const items = stage.items.map((item) => ({ ...item, compiled: item.template ? compileTemplate(item.template) : undefined }));
      return (row) => {
        const labels = labelsOf(row, context);
        for (const item of items) {
          if (item.compiled) labels[item.label] = item.compiled.render(labels, row.line, row.timeMs);
          else if (item.from !== undefined) {
            labels[item.label] = labels[item.from] ?? '';
            if (item.from !== item.label) delete labels[item.from];
          }
        }
        return true;
      };
    }
    case 'drop':
    case 'keep': {
      const items = stage.items.map((item) => ({ name: item.name, test: item.matcher ? matcherTest(item.matcher) : undefined }));
      const dropping = stage.kind === 'drop';
      return (row) => {
        const labels = labelsOf(row, context);
        if (dropping) {
          for (const item of items) if (!item.test || item.test(labels[item.name] ?? '')) delete labels[item.name];
        } else {
          for (const name of Object.keys(labels)) {
            const item = items.find((candidate) => candidate.name === name);
            if (!item || (item.test && !item.test(labels[name]!))) delete labels[name];
          }
        }
        return true;
      };
    }
    case 'decolorize':
      return (row) => {
        if (row.line.includes('\u001b')) row.line = row.line.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '');
        return true;
      };
  }
}

/** A parsed label whose name a stream label already has gets the suffix "_extracted" (as in Loki). */
function setExtracted(labels: Labels, context: PipelineContext, row: Row, name: string, value: string): void {
  const taken = context.streamLabels(row.stream)[name] !== undefined;
  labels[taken ? `${name}_extracted` : name] = value;
}

function parserStep(kind: 'json' | 'logfmt', extractions: Extraction[], context: PipelineContext, needed: ReadonlySet<string> | 'all'): Step {
  const format = kind === 'json' ? FORMAT.json : FORMAT.logfmt;
  const only = needed === 'all' ? undefined : needed;
  // Only `level` is read afterwards: the store's level answers for most lines without parsing.
  const levelOnly = !extractions.length && only !== undefined && [...only].every((name) => name === 'level' || name === '__error__' || !name || METADATA_LABELS.has(name));
  const scratch: Labels = {};
  return (row) => {
    const labels = labelsOf(row, context);
    const lineFormat = infoFormat(row.info);
    if (levelOnly && lineFormat === format && context.streamLabels(row.stream).level === undefined) {
      if (!only.has('level')) return true;
      const fieldLevel = infoFieldLevel(row.info);
      if (fieldLevel === FIELD_LEVEL.canonical) {
        labels.level = levelName(infoLevel(row.info));
        return true;
      }
      if (fieldLevel === FIELD_LEVEL.absent) return true;
    }
    if (kind === 'json') {
      // The store saw at capture whether the line is a JSON object.
      const object = lineFormat === FORMAT.json ? parseJsonObject(row.line) : undefined;
      if (!object) {
        labels.__error__ = 'JSONParserErr';
        labels.__error_details__ = 'the line is not a JSON object';
        return true;
      }
      for (const key in scratch) delete scratch[key];
      if (extractions.length) {
        for (const extraction of extractions) {
          const value = jsonPath(object, extraction.path);
          if (value !== undefined) scratch[extraction.label] = extraction.label === 'level' ? levelLabel(value) : typeof value === 'object' ? JSON.stringify(value) : String(value);
        }
      } else jsonLabels(object, scratch, only);
    } else {
      for (const key in scratch) delete scratch[key];
      if (extractions.length) {
        const pairs = parseLogfmt(row.line);
        for (const extraction of extractions) if (pairs[extraction.path] !== undefined) scratch[extraction.label] = pairs[extraction.path]!;
      } else logfmtLabels(row.line, scratch, only);
    }
    for (const name in scratch) setExtracted(labels, context, row, name, scratch[name]!);
    return true;
  };
}

/** `a.b[0]`, `["a b"].c`: a path into a parsed JSON object. */
function jsonPath(object: unknown, path: string): unknown {
  let value = object;
  for (const match of path.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g)) {
    if (value === null || typeof value !== 'object') return undefined;
    const key = match[1] !== undefined ? Number(match[1]) : (match[2] ?? match[3])!;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value ?? undefined;
}

export function matcherTest(matcher: Pick<LabelMatcher, 'op' | 'value'>): (value: string) => boolean {
  const { op, value } = matcher;
  if (op === '=') return (candidate) => candidate === value;
  if (op === '!=') return (candidate) => candidate !== value;
  const pattern = compileRegex(value, true);
  return op === '=~' ? (candidate) => pattern.test(candidate) : (candidate) => !pattern.test(candidate);
}

const COMPARE: Record<CompareOp, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

/** Reads a label's value as the filter's kind; undefined when it is not one. */
const READERS: Record<'number' | 'duration' | 'bytes', (value: string) => number | undefined> = {
  number: (value) => {
    if (value === '') return undefined;
    const number = Number(value);
    return Number.isNaN(number) ? undefined : number;
  },
  duration: (value) => parseDuration(value),
  bytes: (value) => parseBytes(value),
};

/**
 * A label filter. A numeric, duration or byte filter on a label that is missing or not of that
 * kind does not pass (Loki keeps such lines with an __error__ label instead).
 */
export function labelFilter(expr: LabelFilterExpr): (labels: Labels) => boolean {
  if (expr.kind === 'and') {
    const left = labelFilter(expr.left);
    const right = labelFilter(expr.right);
    return (labels) => left(labels) && right(labels);
  }
  if (expr.kind === 'or') {
    const left = labelFilter(expr.left);
    const right = labelFilter(expr.right);
    return (labels) => left(labels) || right(labels);
  }
  const { name } = expr;
  if (expr.kind === 'string') {
    const test = matcherTest(expr);
    return (labels) => test(labels[name] ?? '');
  }
  const read = READERS[expr.kind];
  const compare = COMPARE[expr.op];
  const wanted = expr.value;
  return (labels) => {
    const raw = labels[name];
    if (raw === undefined) return false;
    const value = read(raw);
    return value !== undefined && compare(value, wanted);
  };
}

/** Which stream ids a selector picks. */
export function selectStreams(matchers: LabelMatcher[], count: number, streamLabels: (id: number) => Labels): Uint8Array {
  const tests = matchers.map((matcher) => ({ name: matcher.name, test: matcherTest(matcher) }));
  const out = new Uint8Array(count);
  for (let id = 0; id < count; id++) {
    const labels = streamLabels(id);
    out[id] = tests.every(({ name, test }) => test(labels[name] ?? '')) ? 1 : 0;
  }
  return out;
}
