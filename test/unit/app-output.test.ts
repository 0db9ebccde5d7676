import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLogql } from '../../src/telemetry/logs/logql/parse.js';
import { EntryAssembler } from '../../src/apps/entryAssembler.js';
import { LineSplitter } from '../../src/apps/lineSplitter.js';
import { OutputCapture } from '../../src/apps/outputCapture.js';
import { otherPortIn } from '../../src/apps/readiness.js';
import { runLogql } from '../../src/telemetry/logs/logql/query.js';
import type { StreamsData } from '../../src/telemetry/logs/logql/answer.js';
import { LogStore } from '../../src/telemetry/logs/store.js';
import { FORMAT, traceContextOf } from '../../src/telemetry/logs/structured.js';

beforeAll(loadLogql);

function split(chunks: string[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), max);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

function assemble(text: string): string[] {
  const entries: string[] = [];
  const assembler = new EntryAssembler((entry) => entries.push(entry));
  for (const line of text.split('\n')) assembler.line(line, 0);
  assembler.flush();
  return entries;
}

describe('LineSplitter', () => {
  it('splits chunks at newlines, across chunk boundaries, and keeps a last line without one', () => {
    expect(split(['a\nb', 'c\r\n', 'd'])).toEqual(['a', 'bc', 'd']);
  });

  it('cuts an endless line at the limit and skips the rest of it', () => {
    const lines = split(['x'.repeat(30), 'y'.repeat(30), '\nnext\n'], 40);
    expect(lines).toEqual([`${'x'.repeat(30)}${'y'.repeat(10)}… [line cut: 20 more characters]`, 'next']);
    expect(split(['z'.repeat(50) + '\n'], 40)[0]).toBe(`${'z'.repeat(40)}… [line cut: 10 more characters]`);
  });

  it('removes terminal colours and keeps the last state of a progress line', () => {
    expect(split(['\u001b[32m✓\u001b[39m built\n', 'progress 10%\rprogress 100%\n'])).toEqual(['✓ built', 'progress 100%']);
  });
});

describe('EntryAssembler', () => {
  it("keeps Node's report of an uncaught exception together, from the source line to the version", () => {
    const report = [
      '/srv/app/server.js:1',
      'setTimeout(() => { null.x }, 1)',
      '                        ^',
      '',
      "TypeError: Cannot read properties of null (reading 'x')",
      '    at Timeout._onTimeout (/srv/app/server.js:1:25)',
      '    at listOnTimeout (node:internal/timers:581:17)',
      '',
      'Node.js v20.20.2',
    ].join('\n');
    expect(assemble(`listening\n${report}\nnext line`)).toEqual(['listening', report.replace('\n\n', '\n').replace('\n\nNode', '\nNode'), 'next line']);
  });

  it('keeps an error printed with console.error together with its frames and properties', () => {
    const printed = ['Error: connect ECONNREFUSED 127.0.0.1:5432', '    at TCPConnectWrap.afterConnect (node:net:1555:16) {', "  code: 'ECONNREFUSED',", '  port: 5432', '}'].join('\n');
    expect(assemble(`before\n${printed}\nafter`)).toEqual(['before', printed, 'after']);
  });

  it('keeps Python tracebacks and Java stack traces together', () => {
    const python = ['Traceback (most recent call last):', '  File "app.py", line 3, in <module>', '    1 / 0', 'ZeroDivisionError: division by zero'].join('\n');
    const java = ['Exception in thread "main" java.lang.IllegalStateException: boom', '\tat App.main(App.java:5)', 'Caused by: java.io.IOException: disk', '\t... 3 more'].join('\n');
    expect(assemble(`${python}\nok\n${java}`)).toEqual([python, 'ok', java]);
  });

  it('does not join ordinary lines, indented or not, and bounds an entry', () => {
    expect(assemble('GET /a 200\n  indented detail\nGET /b 200')).toEqual(['GET /a 200', '  indented detail', 'GET /b 200']);
    const frames = Array.from({ length: 300 }, (_, i) => `    at f${i} (x.js:${i}:1)`);
    const [entry] = assemble(`Error: deep\n${frames.join('\n')}`);
    expect(entry!.split('\n')).toHaveLength(201);
    expect(entry).toMatch(/… \[101 more lines of this entry left out\]$/);
  });
});

describe('OutputCapture', () => {
  it('stores entries with app and stream labels, levels read from JSON and from stack traces', async () => {
    const store = new LogStore();
    const capture = new OutputCapture(store, 'api');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    capture.attach(stdout, 'stdout');
    capture.attach(stderr, 'stderr');
    stdout.write('{"level":50,"msg":"db down"}\n{"level":30,"msg":"ok"}\n');
    stderr.write('Error: boom\n    at main (a.js:1:1)\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    capture.flush();
    const answer = runLogql(store, '{app="api"} | detected_level="error"', { startMs: 0, endMs: Date.now() + 1_000, limit: 10 });
    const streams = (answer.data as StreamsData).result.map((stream) => [stream.stream.stream, stream.values.map((value) => value[1])]);
    expect(streams.sort()).toEqual([
      ['stderr', ['Error: boom\n    at main (a.js:1:1)']],
      ['stdout', ['{"level":50,"msg":"db down"}']],
    ]);
    expect(capture.entries).toBe(3);
  });
});

describe('trace context in printed lines', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const SPAN = '00f067aa0ba902b7';

  it('reads the trace and span ids that OpenTelemetry log instrumentations write, in JSON and logfmt', () => {
    expect(traceContextOf(`{"level":50,"trace_id":"${TRACE}","span_id":"${SPAN}","trace_flags":"01","msg":"x"}`, FORMAT.json)).toEqual({ traceId: TRACE, spanId: SPAN });
    expect(traceContextOf(`{"traceId":"${TRACE.toUpperCase()}","msg":"x"}`, FORMAT.json)).toEqual({ traceId: TRACE });
    expect(traceContextOf(`{"trace.id":"${TRACE}","span.id":"${SPAN}"}`, FORMAT.json)).toEqual({ traceId: TRACE, spanId: SPAN });
    expect(traceContextOf(`level=info msg=ok trace_id=${TRACE} span_id=${SPAN}`, FORMAT.logfmt)).toEqual({ traceId: TRACE, spanId: SPAN });
    // Not a trace id: the wrong length, all zeros (invalid in W3C), a nested field's text, a plain line.
    expect(traceContextOf(`{"trace_id":"${TRACE.slice(1)}"}`, FORMAT.json)).toBeUndefined();
    expect(traceContextOf(`{"trace_id":"${'0'.repeat(32)}"}`, FORMAT.json)).toBeUndefined();
    expect(traceContextOf(`trace_id=${TRACE}`, FORMAT.plain)).toBeUndefined();
  });

  it('keeps them with the entry, so the logs tool finds an app\'s printed lines by trace', async () => {
    const store = new LogStore();
    const capture = new OutputCapture(store, 'api');
    const stdout = new PassThrough();
    capture.attach(stdout, 'stdout');
    stdout.write(`{"level":40,"trace_id":"${TRACE}","span_id":"${SPAN}","msg":"slow query"}\n{"level":30,"msg":"other"}\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    capture.flush();
    const answer = runLogql(store, `{app="api"} | trace_id="${TRACE}"`, { startMs: 0, endMs: Date.now() + 1_000, limit: 10 });
    const values = (answer.data as StreamsData).result.flatMap((stream) => stream.values);
    expect(values.map((value) => [value[1], value[2]?.structuredMetadata?.span_id])).toEqual([[`{"level":40,"trace_id":"${TRACE}","span_id":"${SPAN}","msg":"slow query"}`, SPAN]]);
  });
});

describe('a port an app says it listens on', () => {
  it('reads the usual "listening" lines, and only when the port is not the one it was given', () => {
    expect(otherPortIn('Server listening on http://localhost:3000', 4100)).toEqual({ port: 3000, line: 'Server listening on http://localhost:3000' });
    expect(otherPortIn('Listening on port 8080', 4100)?.port).toBe(8080);
    expect(otherPortIn('{"level":30,"msg":"server started","port":5173}', 4100)?.port).toBe(5173);
    expect(otherPortIn('app running at 0.0.0.0:9000', 4100)?.port).toBe(9000);
    expect(otherPortIn('Listening on http://127.0.0.1:4100', 4100)).toBeUndefined();
    // No listening word, or a port of something else: not a claim about its own port.
    expect(otherPortIn('connecting to postgres at localhost:5432', 4100)).toBeUndefined();
    expect(otherPortIn('GET /health 200 3000ms', 4100)).toBeUndefined();
  });
});
