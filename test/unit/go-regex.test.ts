/**
 * User-supplied regular expressions (LogQL, PromQL, TraceQL, readiness patterns) run on RE2
 * (telemetry/regex.ts): Go's syntax and semantics, anchored where the engines anchor, and time
 * linear in the input. `(a+)+$` over 34 a's and a '!' backtracks for minutes in a JavaScript
 * RegExp; each catastrophic case below would hold the test (and, in the server, every client)
 * that long.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLogql } from '../../src/telemetry/logs/logql/parse.js';
import { runLogql } from '../../src/telemetry/logs/logql/query.js';
import type { StreamsData } from '../../src/telemetry/logs/logql/answer.js';
import { LogStore } from '../../src/telemetry/logs/store.js';
import { PromQLEngine } from '../../src/telemetry/metrics/query.js';
import { MetricStore } from '../../src/telemetry/metrics/store.js';
import { compileGoRegex, GoRegexError, goRegexProblem } from '../../src/telemetry/regex.js';
import { SpanStore } from '../../src/telemetry/traces/spanStore.js';

beforeAll(loadLogql);

const EVIL = '(a+)+$';
const VICTIM = `${'a'.repeat(34)}!`;
const T = 1_700_000_000_000;

describe('compileGoRegex: RE2 syntax and semantics', () => {
  it('matches anywhere, or the whole text when anchored', () => {
    expect(compileGoRegex('b+').test('abbbc')).toBe(true);
    expect(compileGoRegex('b+', { anchored: true }).test('abbbc')).toBe(false);
    expect(compileGoRegex('a|bc', { anchored: true }).test('bc')).toBe(true);
    expect(compileGoRegex('timeout').test('upstream timeout')).toBe(true);
    expect(compileGoRegex('timeout', { anchored: true }).test('timeout')).toBe(true);
    expect(compileGoRegex('time', { anchored: true }).test('timeout')).toBe(false);
  });

  it("speaks Go's dialect: (?i), (?P<name>), \\Q…\\E, POSIX classes, \\pL; . stops only at \\n", () => {
    expect(compileGoRegex('(?i)ERROR').test('an error')).toBe(true);
    expect(compileGoRegex('(?P<method>GET|POST) (?P<path>\\S+)').exec('x POST /cart y')?.groups).toEqual({ method: 'POST', path: '/cart' });
    expect(compileGoRegex('\\Qa.b\\E', { anchored: true }).test('axb')).toBe(false);
    expect(compileGoRegex('[[:digit:]]+', { anchored: true }).test('123')).toBe(true);
    expect(compileGoRegex('\\pL+', { anchored: true }).test('héllo')).toBe(true);
    expect(compileGoRegex('a.b').test('a\rb')).toBe(true);
    expect(compileGoRegex('a.b').test('a\nb')).toBe(false);
    expect(compileGoRegex('a.b', { dotAll: true }).test('a\nb')).toBe(true);
  });

  it("refuses what RE2 refuses, in RE2's words", () => {
    expect(() => compileGoRegex('(')).toThrow(GoRegexError);
    expect(goRegexProblem('(')).toBe('error parsing regexp: missing closing ): `(`');
    expect(goRegexProblem('a(?=b)')).toMatch(/^error parsing regexp: invalid or unsupported Perl syntax/);
    expect(goRegexProblem('(a)\\1')).toMatch(/^error parsing regexp: invalid escape sequence/);
    expect(goRegexProblem('a{1001}')).toBe('error parsing regexp: invalid repeat count: `{1001}`');
    expect(goRegexProblem('ok')).toBeUndefined();
  });

  it('runs a catastrophic pattern in linear time', () => {
    expect(compileGoRegex(EVIL).test(VICTIM)).toBe(false);
    expect(compileGoRegex(EVIL).test(`${'a'.repeat(100_000)}!`)).toBe(false);
    expect(compileGoRegex(EVIL, { anchored: true }).exec(VICTIM)).toBeNull();
  });
});

describe('catastrophic patterns in each query language', () => {
  it('LogQL: a line filter, a label filter and | regexp', () => {
    const store = new LogStore();
    store.append({ timeMs: T, labels: { app: 'api', stream: 'stdout' }, line: VICTIM });
    store.append({ timeMs: T + 1, labels: { app: 'api', stream: 'stdout' }, line: 'aaaa' });
    const range = { startMs: T - 1, endMs: T + 1_000, limit: 10 };
    const lines = (query: string) => (runLogql(store, query, range).data as StreamsData).result.flatMap((stream) => stream.values.map((value) => value[1]));
    expect(lines(`{app="api"} |~ "${EVIL}"`)).toEqual(['aaaa']);
    expect(lines(`{app="api"} !~ "${EVIL}"`)).toEqual([VICTIM]);
    expect(lines(`{app="api"} | regexp "(?P<word>(a+)+$)" | word != ""`)).toEqual(['aaaa']);
    expect(lines(`{app="api"} | logfmt | label_format body="{{ __line__ }}" | body =~ "${EVIL}"`)).toEqual(['aaaa']);
  });

  it('PromQL: a label matcher and label_replace', () => {
    const store = new MetricStore();
    store.append({ labels: { __name__: 'up', path: VICTIM }, timeMs: T, value: 1 });
    store.append({ labels: { __name__: 'up', path: 'aaaa' }, timeMs: T, value: 2 });
    const engine = new PromQLEngine(store);
    expect(engine.query(`up{path=~"${EVIL}"}`, T).result).toEqual([{ metric: { __name__: 'up', path: 'aaaa' }, value: [T / 1000, '2'] }]);
    expect(engine.query(`up{path!~"${EVIL}"}`, T).result).toHaveLength(1);
    const replaced = engine.query(`label_replace(up, "x", "$1", "path", "${EVIL}")`, T).result as { metric: Record<string, string> }[];
    expect(replaced.map((row) => row.metric.x ?? '-').sort()).toEqual(['-', 'aaaa']);
  });

  it('TraceQL: =~ and !~ on a span name', () => {
    const store = new SpanStore();
    const span = (id: string, name: string) => ({ traceId: id.repeat(32), spanId: id.repeat(16), name, kind: 1, startTimeUnixNano: `${BigInt(T) * 1_000_000n}`, endTimeUnixNano: `${BigInt(T + 5) * 1_000_000n}` });
    store.ingest({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeSpans: [{ spans: [span('1', VICTIM), span('2', 'aaaa')] }] }] });
    const names = (query: string) => store.search(query).traces.map((trace) => trace.rootTraceName);
    expect(names(`{ name =~ "${EVIL}" }`)).toEqual(['aaaa']);
    expect(names(`{ name !~ "${EVIL}" }`)).toEqual([VICTIM]);
  });
});
