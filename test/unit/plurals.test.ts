import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EntryAssembler } from '../../src/apps/entryAssembler.js';
import { LineSplitter } from '../../src/apps/lineSplitter.js';
import { formatSpan } from '../../src/format/spanFormat.js';
import type { StepServer } from '../../src/journey/serverRecord.js';
import { serverSection, waterfall } from '../../src/report/serverHtml.js';
import { argumentError } from '../../src/server/argumentErrors.js';
import { readMessage } from '../../src/server/jsonRpcMessage.js';
import { diffOutlines, renderDiff } from '../../src/snapshot/diff.js';
import { renderOutline } from '../../src/snapshot/render.js';
import { searchOutline } from '../../src/snapshot/search.js';
import { traceById } from '../../src/telemetry/traces/search.js';
import { SpanStore } from '../../src/telemetry/traces/spanStore.js';
import { defineTool, type AnyTool } from '../../src/tools/tool.js';
import { plural, truncate } from '../../src/util/text.js';
import { outline } from './support/outline.js';

// "1 steps", "1 moments": every count in the output agrees with its noun.
describe('counts of one', () => {
  it('plural picks the noun by the count', () => {
    expect(plural(1, 'step')).toBe('1 step');
    expect(plural(0, 'step')).toBe('0 steps');
    expect(plural(2, 'match', 'matches')).toBe('2 matches');
  });

  it('a cut text, a removed line, a match not shown and an outline of one line', () => {
    expect(truncate('abcd', 3)).toBe('abc… [1 more character]');
    const six = outline(['list [ref=e1]', ...Array.from({ length: 6 }, (_, i) => `  listitem [ref=e${10 + i}]: Row ${i}`)].join('\n'));
    expect(renderDiff(diffOutlines(six, outline('list [ref=e1]')), 2_000).split('\n').at(-1)).toBe('- (1 more line removed)');
    const many = outline(Array.from({ length: 21 }, (_, i) => `button "Go ${i}" [ref=e${i + 1}]`).join('\n'));
    expect(searchOutline(many, 'Go', 10_000).text.split('\n').at(-1)).toBe('[1 more match not shown: narrow the search]');
    expect(renderOutline(outline('button "Go" [ref=e1]'), { budget: 100, collapse: false, offset: 5 }).text).toContain('the outline has 1 line;');
  });
});


const TRACE = 'abcdef0123456789abcdef0123456789';
const T0 = 1_764_496_800_000;
const ns = (ms: number) => `${BigInt(T0 + ms) * 1_000_000n}`;
const span = { traceId: TRACE, spanId: 'a1'.padEnd(16, '0'), name: 'GET /cart', startTimeUnixNano: ns(0), endTimeUnixNano: ns(5) };

describe('counts of one in telemetry, reports, transports, argument errors and app output', () => {
  it('in a span: attributes and events the SDK dropped', () => {
    const trace = { batches: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{ ...span, droppedAttributesCount: 1, droppedEventsCount: 1 }] }] }] };
    const text = formatSpan(trace, 'a1');
    expect(text).toContain('(1 attribute dropped by the SDK)');
    expect(text).toContain('(1 event dropped by the SDK)');
  });

  it('in the span store: a span refused, and the traces held when an id is not found', () => {
    const store = new SpanStore();
    const result = store.ingest({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span, { ...span, traceId: '' }] }] }] });
    expect(result.message).toBe('1 span had no trace or span id');
    expect(() => traceById(store, 'ffff0000')).toThrow(/^No trace ffff0000 in the store \(1 trace held\)\.$/);
  });

  it("in a report's server section: spans and log lines left out by the caps, spans not drawn", () => {
    const html = serverSection({ startMs: T0, endMs: T0 + 1, apps: [], resourceSpans: [], spansDropped: 1, logs: [], logsDropped: 1 }, [], {});
    expect(html).toContain("Left out by the run's caps: 1 span, 1 log line.");
    const step = waterfall({ spans: [{ name: 'GET /cart', service: 'api', startMs: 0, durationMs: 5, depth: 0 } as StepServer['spans'][number]], spansMore: 1, logs: [], logsMore: 0 });
    expect(step).toContain('1 more span in the spans file.');
  });

  it('in what a transport refuses: a line of one character that is not JSON', () => {
    const outcome = readMessage('x', 'line');
    expect(outcome && 'warning' in outcome ? outcome.warning : '').toBe('stdin: a line that is not JSON (1 character: "x")');
  });

  it('in argument errors: at most one character or item', () => {
    const tool = defineTool({
      name: 'pick',
      title: 'Pick',
      description: 'Test tool.',
      input: { letter: z.string().max(1), ids: z.array(z.string()).max(1) },
      kind: 'read',
      scope: 'browser',
      handle: async () => undefined,
    }) as unknown as AnyTool;
    const args = { letter: 'ab', ids: ['a', 'b'] };
    const parsed = z.object(tool.input).safeParse(args);
    expect(parsed.success).toBe(false);
    expect(argumentError(tool, args, parsed.error!).message).toBe('Invalid arguments for pick: "letter" must have at most 1 character (got 2); "ids" must list at most 1 item.');
  });

  it("in an app's output: a line cut one character short, an entry one line over", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 4);
    splitter.push('abcde\n');
    expect(lines).toEqual(['abcd… [line cut: 1 more character]']);
    const entries: string[] = [];
    const assembler = new EntryAssembler((entry) => entries.push(entry));
    for (const line of ['Error: deep', ...Array.from({ length: 200 }, (_, i) => `    at f${i} (x.js:${i}:1)`)]) assembler.line(line, 0);
    assembler.flush();
    expect(entries[0]).toMatch(/… \[1 more line of this entry left out\]$/);
  });
});
