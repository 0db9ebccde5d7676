import type { GoRegex } from '../../regex.js';

/**
 * TraceQL as Legible evaluates it: spanset filters combined by spanset and structural operators.
 * The parser (`parse.ts`) builds this from the official grammar's tree; the evaluator
 * (`evaluate.ts`) runs it over the span store.
 */

export type SpansetOp = '&&' | '||' | '>' | '>>' | '<' | '<<' | '~' | '!>' | '!>>' | '!<' | '!<<' | '!~' | '&>' | '&>>' | '&<' | '&<<' | '&~';

export type SpansetExpr = { type: 'filter'; filter: FieldExpr | undefined } | { type: 'spansetOp'; op: SpansetOp; left: SpansetExpr; right: SpansetExpr };

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';

export type FieldExpr =
  | { type: 'logical'; op: '&&' | '||'; left: FieldExpr; right: FieldExpr }
  | { type: 'not'; expr: FieldExpr }
  | { type: 'compare'; op: CompareOp; left: Operand; right: Operand; regex?: GoRegex }
  /** A bare operand: an attribute, or `true` / `false`; true when its value is boolean true. */
  | { type: 'operand'; operand: Operand };

export type Scope = 'span' | 'resource' | 'any' | 'event' | 'instrumentation';

export type Intrinsic =
  | 'name'
  | 'status'
  | 'statusMessage'
  | 'kind'
  | 'duration'
  | 'rootName'
  | 'rootServiceName'
  | 'traceDuration'
  | 'spanId'
  | 'parentId'
  | 'traceId'
  | 'scopeName'
  | 'scopeVersion'
  | 'eventName';

export type Static =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'duration'; value: number /* ms */ }
  | { kind: 'bool'; value: boolean }
  | { kind: 'nil' }
  | { kind: 'status'; value: 'error' | 'ok' | 'unset' }
  | { kind: 'spanKind'; value: 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer' };

export type Operand = { type: 'attribute'; scope: Scope; name: string } | { type: 'intrinsic'; name: Intrinsic } | { type: 'static'; value: Static };

/** The attributes a query names (to show with each matched span, as Tempo does). */
export function attributesOf(expr: SpansetExpr): { scope: Scope; name: string }[] {
  const found = new Map<string, { scope: Scope; name: string }>();
  const operand = (o: Operand) => {
    if (o.type === 'attribute' && o.scope !== 'event' && o.scope !== 'instrumentation') found.set(`${o.scope}.${o.name}`, { scope: o.scope, name: o.name });
  };
  const field = (f: FieldExpr | undefined): void => {
    if (!f) return;
    if (f.type === 'logical') {
      field(f.left);
      field(f.right);
    } else if (f.type === 'not') field(f.expr);
    else if (f.type === 'compare') {
      operand(f.left);
      operand(f.right);
    } else operand(f.operand);
  };
  const walk = (e: SpansetExpr): void => {
    if (e.type === 'filter') field(e.filter);
    else {
      walk(e.left);
      walk(e.right);
    }
  };
  walk(expr);
  return [...found.values()];
}
