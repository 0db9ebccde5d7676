import type { Protocol } from 'devtools-protocol';
import { plural } from '../util/text.js';

/** Renders a console argument the way DevTools' console shows it, in one short line. */
export function formatRemoteObject(object: Protocol.Runtime.RemoteObject): string {
  switch (object.type) {
    case 'string':
      return String(object.value);
    case 'undefined':
      return 'undefined';
    case 'number':
    case 'boolean':
    case 'bigint':
      return object.unserializableValue ?? String(object.value ?? object.description);
    case 'symbol':
    case 'function':
      return object.description ?? object.type;
    default:
      break;
  }
  if (object.subtype === 'null') return 'null';
  if (object.subtype === 'error') return object.description ?? 'Error';
  if (object.preview) return formatPreview(object.preview);
  return object.description ?? object.className ?? 'Object';
}

function formatPreview(preview: Protocol.Runtime.ObjectPreview): string {
  const values = preview.properties.map((property) => {
    const value = property.type === 'string' ? JSON.stringify(property.value ?? '') : (property.value ?? property.type);
    return preview.subtype === 'array' ? value : `${property.name}: ${value}`;
  });
  const more = preview.overflow ? ', …' : '';
  if (preview.subtype === 'array') return `[${values.join(', ')}${more}]`;
  if (preview.type === 'object' && !preview.subtype && (!preview.description || preview.description === 'Object')) {
    return `{${values.join(', ')}${more}}`;
  }
  return `${preview.description ?? 'Object'} {${values.join(', ')}${more}}`;
}

/** Applies printf-style substitutions (%s %d %i %f %o %O %c) as console.log does. */
export function formatConsoleArgs(args: Protocol.Runtime.RemoteObject[]): string {
  if (!args.length) return '';
  const [first, ...rest] = args;
  if (first!.type !== 'string' || !/%[sdifoOc]/.test(String(first!.value))) {
    return args.map(formatRemoteObject).join(' ');
  }
  const queue = [...rest];
  const head = String(first!.value).replace(/%([sdifoOc%])/g, (match, spec: string) => {
    if (spec === '%') return '%';
    const arg = queue.shift();
    if (!arg) return match;
    if (spec === 'c') return '';
    if (spec === 'd' || spec === 'i') return String(Math.trunc(Number(arg.value ?? NaN)));
    if (spec === 'f') return String(Number(arg.value ?? NaN));
    return formatRemoteObject(arg);
  });
  return [head, ...queue.map(formatRemoteObject)].join(' ');
}

export interface SourceLocation {
  url: string;
  line: number;
  column: number;
}

/** The top frame of a stack (1-based line and column), if any. */
export function topFrame(stack: Protocol.Runtime.StackTrace | undefined): SourceLocation | undefined {
  const frame = stack?.callFrames[0];
  return frame ? { url: frame.url, line: frame.lineNumber + 1, column: frame.columnNumber + 1 } : undefined;
}

/** A stack as short lines: `at fn (url:line:col)`. */
export function formatStack(stack: Protocol.Runtime.StackTrace | undefined, max = 6): string[] {
  if (!stack) return [];
  const lines = stack.callFrames
    .slice(0, max)
    .map((frame) => `at ${frame.functionName || '<anonymous>'} (${frame.url || '<inline>'}:${frame.lineNumber + 1}:${frame.columnNumber + 1})`);
  if (stack.callFrames.length > max) lines.push(`… ${plural(stack.callFrames.length - max, 'more frame', 'more frames')}`);
  return lines;
}
