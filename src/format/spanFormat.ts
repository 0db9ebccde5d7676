import { buildTraceTree, exceptionOf, type SpanNode } from '../telemetry/traces/analysis.js';
import type { TempoTrace } from '../telemetry/traces/tempo.js';
import type { KeyValue } from '../telemetry/otlp/model.js';
import { SPAN_KINDS, STATUS_CODES } from '../telemetry/otlp/model.js';
import { nanosToMs } from '../telemetry/otlp/logInputs.js';
import { formatDuration } from '../telemetry/time.js';
import { storedValue, valueDisplay } from '../telemetry/traces/values.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { isSecretName, REDACTED, redactText } from '../util/redact.js';
import { plural, truncate } from '../util/text.js';
import { SPAN_ID_CHARS } from './traceOutlineFormat.js';

/**
 * One span in full: where it sits (trace, parent, children), timing, status, its attributes, the
 * resource's, its events (an exception with type, message and stack) and links. Long values and
 * stacks are cut, with how much was left out.
 */

export interface SpanFormatOptions {
  /** Characters; default 6,000. */
  budget?: number;
  /** Longest attribute value shown; default 300. */
  maxValue?: number;
  /** Stack lines shown per exception; default 25. */
  maxStackLines?: number;
}

/** The span whose id starts with `prefix`; a LegibleError when none or several do. */
export function findSpan(nodes: SpanNode[], prefix: string): SpanNode {
  const wanted = prefix.trim().toLowerCase();
  const found = nodes.filter((node) => node.span.spanId.startsWith(wanted));
  if (found.length === 1 && wanted) return found[0]!;
  if (!found.length || !wanted) {
    throw new UsageError(
      `No span ${JSON.stringify(prefix.slice(0, 40))} in this trace.`,
      `Span ids are the [ids] of the trace outline; this trace has ${plural(nodes.length, 'span')}, e.g. ${nodes.slice(0, 3).map((n) => n.span.spanId.slice(0, SPAN_ID_CHARS)).join(', ')}.`,
    );
  }
  throw new UsageError(`${found.length} spans start with ${wanted}.`, `Give more digits: ${found.slice(0, 4).map((n) => n.span.spanId).join(', ')}.`);
}

/** `key = value` lines; a secret-looking key's value is redacted, as everywhere Legible answers. */
function attributeLines(list: KeyValue[] | undefined, maxValue: number, indent = '  '): string[] {
  return (list ?? []).map((kv) => `${indent}${kv.key} = ${isSecretName(kv.key) ? REDACTED : truncate(redactText(valueDisplay(storedValue(kv.value))), maxValue)}`);
}

export function formatSpan(trace: TempoTrace, spanPrefix: string, options: SpanFormatOptions = {}): string {
  const budget = options.budget ?? 6_000;
  const maxValue = options.maxValue ?? 300;
  const maxStack = options.maxStackLines ?? 25;
  const tree = buildTraceTree(trace);
  const node = findSpan(tree.nodes, spanPrefix);
  const span = node.span;
  const lines: string[] = [];
  lines.push(`Span ${truncate(span.name || '?', 200)} [${span.spanId}] in trace ${span.traceId}`);
  const status = STATUS_CODES[span.status?.code ?? 0] ?? 'unset';
  lines.push(
    [
      `service ${node.service}`,
      `kind ${SPAN_KINDS[span.kind ?? 0] ?? 'unspecified'}`,
      `status ${status}${span.status?.message ? ` "${truncate(redactText(span.status.message), 200)}"` : ''}`,
      `${formatDuration(node.durationMs)} (self ${formatDuration(node.selfMs)})`,
      `starts +${formatDuration(node.startMs - tree.startMs)} into the trace`,
    ].join(' · '),
  );
  const parent = node.parent ? `${truncate(node.parent.span.name || '?', 80)} [${node.parent.span.spanId.slice(0, SPAN_ID_CHARS)}]` : span.parentSpanId ? `[${span.parentSpanId}] (not received)` : 'none (root)';
  const children = node.children.slice(0, 8).map((c) => `${truncate(c.span.name || '?', 60)} [${c.span.spanId.slice(0, SPAN_ID_CHARS)}]`);
  lines.push(`parent: ${parent}; children: ${node.children.length ? `${children.join(', ')}${node.children.length > 8 ? `, … ${node.children.length - 8} more` : ''}` : 'none'}`);
  if (span.attributes?.length) lines.push('Attributes:', ...attributeLines(span.attributes, maxValue));
  if (span.droppedAttributesCount) lines.push(`  (${plural(span.droppedAttributesCount, 'attribute')} dropped by the SDK)`);
  for (const event of span.events ?? []) {
    const at = nanosToMs(event.timeUnixNano);
    const when = at !== undefined ? `+${formatDuration(at - node.startMs)}` : '';
    const exception = exceptionOf(event);
    if (exception) {
      lines.push(`Exception ${when}: ${exception.type ?? 'Error'}${exception.message ? `: ${truncate(redactText(exception.message), 500)}` : ''}`);
      const stack = redactText(exception.stacktrace ?? '').split('\n').filter((l) => l.trim());
      // The first stack line usually repeats "Type: message".
      const frames = stack[0] && exception.message && stack[0].includes(redactText(exception.message)) ? stack.slice(1) : stack;
      lines.push(...frames.slice(0, maxStack).map((l) => `    ${truncate(l.trim(), 200)}`));
      if (frames.length > maxStack) lines.push(`    … ${frames.length - maxStack} more stack lines`);
      const rest = (event.attributes ?? []).filter((kv) => !kv.key.startsWith('exception.'));
      lines.push(...attributeLines(rest, maxValue, '    '));
    } else {
      lines.push(`Event ${when}: ${truncate(event.name, 200)}`, ...attributeLines(event.attributes, maxValue, '    '));
    }
  }
  if (span.droppedEventsCount) lines.push(`(${plural(span.droppedEventsCount, 'event')} dropped by the SDK)`);
  for (const link of span.links ?? []) lines.push(`Link → trace ${link.traceId} span ${link.spanId}`, ...attributeLines(link.attributes, maxValue, '    '));
  if (node.resource?.attributes?.length) lines.push('Resource:', ...attributeLines(node.resource.attributes, maxValue));
  let used = 0;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (used + lines[i]!.length + 1 > budget && out.length) {
      out.push(`… ${plural(lines.length - i, 'more line', 'more lines')} not shown (the budget of ${budget} characters).`);
      break;
    }
    out.push(lines[i]!);
    used += lines[i]!.length + 1;
  }
  return out.join('\n');
}
