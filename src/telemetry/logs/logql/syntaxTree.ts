import type { LRParser } from '@lezer/lr';
import { LogqlError } from './errors.js';

/** A node of the LogQL grammar's syntax tree. */
export type Node = ReturnType<LRParser['parse']>['topNode'];

/** A node's children (those named `name`), in order. */
export function children(node: Node, name?: string): Node[] {
  const out: Node[] = [];
  for (let at = node.firstChild; at; at = at.nextSibling) if (!name || at.name === name) out.push(at);
  return out;
}

/** A node's child named `name`; an error that says where it was expected when there is none. */
export function child(node: Node, name: string, query: string): Node {
  const found = node.getChild(name);
  if (!found) throw new LogqlError(`LogQL: expected ${name} at column ${node.from + 1}.`, query, node.from);
  return found;
}

const SUPPORTED = 'Legible runs log queries (selectors, line filters, json, logfmt, regexp, label filters, line_format, label_format, drop, keep, decolorize) and metric queries (count_over_time, rate, bytes_over_time, bytes_rate, the unwrap *_over_time family, and sum, avg, count, min, max, stddev, stdvar, topk, bottomk by/without).';

/** What the converters of syntax tree to AST share: the query's text, and refusing what Legible does not run. */
export class SyntaxReader {
  constructor(protected readonly query: string) {}

  protected text(node: Node): string {
    return this.query.slice(node.from, node.to);
  }

  protected unsupported(node: Node, what: string): never {
    throw new LogqlError(`LogQL: ${what} (column ${node.from + 1}) is not supported by Legible's LogQL.`, this.query, node.from, undefined, SUPPORTED);
  }
}
