import type { AnyValue } from '../../otlp/model.js';
import { storedValue, findFlat } from '../values.js';
import type { SpanStore, TraceEntry } from '../spanStore.js';
import { SPAN_KINDS, STATUS_CODES } from '../../otlp/model.js';
import type { CompareOp, FieldExpr, Operand, SpansetExpr } from './ast.js';
import type { GoRegex } from '../../regex.js';

/**
 * Runs a TraceQL AST over the span store. A spanset filter is one scan over the live slots (the
 * numeric intrinsics come from typed arrays, attributes from each span's flat list); the
 * spanset and structural operators then combine the matches trace by trace, building a trace's
 * parent links only when an operator needs them.
 */

/** Matched slots per trace, in the order the spans arrived. */
export type Matches = Map<TraceEntry, number[]>;

/** The values of an event-scoped field: the comparison holds when it holds for any of them. */
class AnyOf {
  constructor(readonly values: unknown[]) {}
}

/**
 * An array attribute, as Tempo compares them: `=` and `=~` hold when any element matches,
 * `!=` and `!~` when no element does.
 */
class ArrayOf {
  constructor(readonly values: unknown[]) {}
}

/** Attribute values as comparisons see them: arrays become ArrayOf, other AnyValue objects stay opaque. */
function comparable(value: unknown): unknown {
  if (value && typeof value === 'object' && 'arrayValue' in value) {
    return new ArrayOf(((value as AnyValue).arrayValue?.values ?? []).map((v) => storedValue(v)));
  }
  return value;
}

const NIL = Symbol('nil');

/** Per-trace facts a query may read: root span, start and end; computed once per query. */
export class TraceFacts {
  private readonly cache = new Map<TraceEntry, { root: number | undefined; startMs: number; endMs: number }>();

  constructor(private readonly store: SpanStore) {}

  of(trace: TraceEntry): { root: number | undefined; startMs: number; endMs: number } {
    let facts = this.cache.get(trace);
    if (facts) return facts;
    const s = this.store;
    let root: number | undefined;
    let startMs = Infinity;
    let endMs = -Infinity;
    for (const slot of trace.slots) {
      const start = s.start(slot);
      if (start < startMs) startMs = start;
      const end = start + s.duration(slot);
      if (end > endMs) endMs = end;
      if (!s.parentId[slot] && (root === undefined || start < s.start(root))) root = slot;
    }
    // No root received yet: the earliest span whose parent is not here stands in for it.
    let orphan: number | undefined;
    if (root === undefined) {
      const ids = new Set(trace.slots.map((slot) => s.spanId[slot]));
      for (const slot of trace.slots) if (!ids.has(s.parentId[slot]) && (orphan === undefined || s.start(slot) < s.start(orphan))) orphan = slot;
    }
    facts = { root: root ?? orphan, startMs, endMs };
    this.cache.set(trace, facts);
    return facts;
  }
}

type Getter = (slot: number) => unknown;

function getter(store: SpanStore, facts: TraceFacts, operand: Operand): Getter {
  if (operand.type === 'static') {
    const v = operand.value;
    const constant = v.kind === 'nil' ? NIL : v.value;
    return () => constant;
  }
  if (operand.type === 'attribute') {
    const { name } = operand;
    switch (operand.scope) {
      case 'span':
        return (slot) => comparable(findFlat(store.attributes[slot]!, name));
      case 'resource':
        return (slot) => comparable(findFlat(store.resource[slot]!.attributes, name));
      case 'any':
        return (slot) => comparable(findFlat(store.attributes[slot]!, name) ?? findFlat(store.resource[slot]!.attributes, name));
      case 'instrumentation':
        return (slot) => {
          const attribute = store.scope[slot]!.otlp?.attributes?.find((kv) => kv.key === name);
          return attribute ? comparable(storedValue(attribute.value)) : undefined;
        };
      case 'event':
        return (slot) => {
          const events = store.events(slot);
          if (!events) return undefined;
          const values = events.flatMap((event) => (event.attributes ?? []).filter((kv) => kv.key === name).map((kv) => storedValue(kv.value)));
          return values.length ? new AnyOf(values) : undefined;
        };
    }
  }
  switch (operand.name) {
    case 'name':
      return (slot) => store.name[slot];
    case 'status':
      return (slot) => STATUS_CODES[store.status[slot]!] ?? 'unset';
    case 'statusMessage':
      return (slot) => store.statusMessage[slot] ?? '';
    case 'kind':
      return (slot) => SPAN_KINDS[store.kind[slot]!] ?? 'unspecified';
    case 'duration':
      return (slot) => store.duration(slot);
    case 'spanId':
      return (slot) => store.spanId[slot];
    case 'parentId':
      return (slot) => store.parentId[slot] || undefined;
    case 'scopeName':
      return (slot) => store.scope[slot]!.otlp?.name;
    case 'scopeVersion':
      return (slot) => store.scope[slot]!.otlp?.version;
    case 'traceId':
      return (slot) => store.traceOf[slot]!.id;
    case 'eventName':
      return (slot) => {
        const events = store.events(slot);
        return events?.length ? new AnyOf(events.map((event) => event.name)) : undefined;
      };
    case 'rootName':
      return (slot) => {
        const root = facts.of(store.traceOf[slot]!).root;
        return root === undefined ? undefined : store.name[root];
      };
    case 'rootServiceName':
      return (slot) => {
        const root = facts.of(store.traceOf[slot]!).root;
        return root === undefined ? undefined : store.resource[root]!.serviceName;
      };
    case 'traceDuration':
      return (slot) => {
        const f = facts.of(store.traceOf[slot]!);
        return f.endMs - f.startMs;
      };
  }
}

function compare(op: CompareOp, a: unknown, b: unknown, regex: GoRegex | undefined): boolean {
  if (a instanceof AnyOf) return a.values.some((value) => compare(op, value, b, regex));
  if (b instanceof AnyOf) return b.values.some((value) => compare(op, a, value, regex));
  if (a instanceof ArrayOf || b instanceof ArrayOf) {
    const values = a instanceof ArrayOf ? a.values : (b as ArrayOf).values;
    const other = a instanceof ArrayOf ? b : a;
    if (other === NIL) return op === '=' ? false : op === '!=';
    const pick = (value: unknown) => (a instanceof ArrayOf ? [value, other] : [other, value]);
    if (op === '!=' || op === '!~') {
      const positive = op === '!=' ? '=' : '=~';
      return !values.some((value) => compare(positive, pick(value)[0], pick(value)[1], regex));
    }
    return values.some((value) => compare(op, pick(value)[0], pick(value)[1], regex));
  }
  if (b === NIL || a === NIL) {
    const other = b === NIL ? a : b;
    if (op === '=') return other === undefined || other === NIL;
    if (op === '!=') return other !== undefined && other !== NIL;
    return false;
  }
  if (a === undefined || b === undefined) return false;
  if (regex) return typeof a === 'string' && regex.test(a) === (op === '=~');
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) return ordered(op, Number(a), Number(b));
  if (ta === 'string' && tb === 'string') return ordered(op, a as string, b as string);
  if (ta === 'boolean' && tb === 'boolean') return op === '=' ? a === b : op === '!=' ? a !== b : false;
  return false;
}

function ordered<T extends number | string>(op: CompareOp, a: T, b: T): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    default:
      return false;
  }
}

function predicate(store: SpanStore, facts: TraceFacts, expr: FieldExpr): (slot: number) => boolean {
  switch (expr.type) {
    case 'logical': {
      const left = predicate(store, facts, expr.left);
      const right = predicate(store, facts, expr.right);
      return expr.op === '&&' ? (slot) => left(slot) && right(slot) : (slot) => left(slot) || right(slot);
    }
    case 'not': {
      const inner = predicate(store, facts, expr.expr);
      return (slot) => !inner(slot);
    }
    case 'operand': {
      const get = getter(store, facts, expr.operand);
      return (slot) => {
        const value = get(slot);
        return value instanceof AnyOf ? value.values.includes(true) : value === true;
      };
    }
    case 'compare': {
      const { op, regex } = expr;
      // The fast path every duration query takes: a typed-array read and one comparison.
      if (expr.left.type === 'intrinsic' && expr.left.name === 'duration' && expr.right.type === 'static' && expr.right.value.kind === 'duration') {
        const limitNs = expr.right.value.value * 1e6;
        const durations = store.durationNs;
        return (slot) => ordered(op, durations[slot]!, limitNs);
      }
      const left = getter(store, facts, expr.left);
      const right = getter(store, facts, expr.right);
      return (slot) => compare(op, left(slot), right(slot), regex);
    }
  }
}

export function evaluateSpanset(store: SpanStore, expr: SpansetExpr, facts = new TraceFacts(store)): Matches {
  if (expr.type === 'filter') {
    const matches: Matches = new Map();
    const test = expr.filter ? predicate(store, facts, expr.filter) : () => true;
    store.forEachSlot((slot) => {
      if (!test(slot)) return;
      const trace = store.traceOf[slot]!;
      const list = matches.get(trace);
      if (list) list.push(slot);
      else matches.set(trace, [slot]);
    });
    return matches;
  }
  const left = evaluateSpanset(store, expr.left, facts);
  const right = evaluateSpanset(store, expr.right, facts);
  const out: Matches = new Map();
  if (expr.op === '&&' || expr.op === '||') {
    for (const [trace, slots] of left) {
      const other = right.get(trace);
      if (other) out.set(trace, union(slots, other));
      else if (expr.op === '||') out.set(trace, slots);
    }
    if (expr.op === '||') for (const [trace, slots] of right) if (!left.has(trace)) out.set(trace, slots);
    return out;
  }
  const negated = expr.op.startsWith('!');
  const both = expr.op.startsWith('&');
  const relation = (negated || both ? expr.op.slice(1) : expr.op) as Relation;
  for (const [trace, rights] of right) {
    const lefts = left.get(trace);
    if (!lefts) {
      if (negated) out.set(trace, rights);
      continue;
    }
    const related = relatedSlots(store, trace, lefts, relation);
    const kept = rights.filter((slot) => related(slot) !== negated);
    if (!kept.length) continue;
    if (!both) {
      out.set(trace, kept);
      continue;
    }
    // The union forms also return the left-hand spans on the other end of each relation.
    const back = relatedSlots(store, trace, kept, INVERSE[relation]);
    out.set(trace, union(kept, lefts.filter(back)));
  }
  return out;
}

type Relation = '>' | '>>' | '<' | '<<' | '~';
const INVERSE: Record<Relation, Relation> = { '>': '<', '<': '>', '>>': '<<', '<<': '>>', '~': '~' };

function union(a: number[], b: number[]): number[] {
  const seen = new Set(a);
  const out = [...a];
  for (const slot of b) if (!seen.has(slot)) out.push(slot);
  return out;
}

/** Membership in a few ids by a plain scan (most traces match one or two spans), in many by a Set. */
function idTest(ids: string[]): (id: string) => boolean {
  if (ids.length > 8) {
    const set = new Set(ids);
    return (id) => set.has(id);
  }
  return (id) => ids.includes(id);
}

/**
 * Whether a right-hand span stands in `relation` to any of the left-hand spans of its trace.
 * Child, parent and sibling tests compare span ids directly; only ancestry (>> and <<) builds
 * the trace's id → slot map to walk up parent links.
 */
function relatedSlots(store: SpanStore, trace: TraceEntry, lefts: number[], relation: '>' | '>>' | '<' | '<<' | '~'): (slot: number) => boolean {
  const { spanId, parentId } = store;
  switch (relation) {
    case '>': {
      const has = idTest(lefts.map((slot) => spanId[slot]!));
      return (slot) => !!parentId[slot] && has(parentId[slot]!);
    }
    case '<': {
      const has = idTest(lefts.map((slot) => parentId[slot]!).filter(Boolean));
      return (slot) => has(spanId[slot]!);
    }
    case '~': {
      const siblings = new Map<string, number>();
      for (const left of lefts) {
        const parent = parentId[left]!;
        if (parent) siblings.set(parent, (siblings.get(parent) ?? 0) + 1);
      }
      const leftSet = new Set(lefts);
      return (slot) => {
        const parent = parentId[slot]!;
        return !!parent && (siblings.get(parent) ?? 0) - (leftSet.has(slot) ? 1 : 0) > 0;
      };
    }
  }
  const bySpanId = new Map<string, number>();
  for (const slot of trace.slots) bySpanId.set(spanId[slot]!, slot);
  const parentOf = (slot: number) => (parentId[slot] ? bySpanId.get(parentId[slot]!) : undefined);
  const limit = trace.slots.length;
  if (relation === '>>') {
    const leftSet = new Set(lefts);
    return (slot) => {
      let at = parentOf(slot);
      for (let steps = 0; at !== undefined && steps < limit; steps++, at = parentOf(at)) if (leftSet.has(at)) return true;
      return false;
    };
  }
  const ancestors = new Set<number>();
  for (const left of lefts) {
    let at = parentOf(left);
    for (let steps = 0; at !== undefined && steps < limit && !ancestors.has(at); steps++, at = parentOf(at)) ancestors.add(at);
  }
  return (slot) => ancestors.has(slot);
}
