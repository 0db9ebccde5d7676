import { beforeAll, describe, expect, it } from 'vitest';
import { parseBytes, unquote } from '../../src/telemetry/logs/logql/literals.js';
import { loadLogql, parseLogql } from '../../src/telemetry/logs/logql/parse.js';
import { LegibleError } from '../../src/util/errors.js';

beforeAll(loadLogql);

function error(query: string): LegibleError {
  try {
    parseLogql(query);
  } catch (caught) {
    expect(caught).toBeInstanceOf(LegibleError);
    return caught as LegibleError;
  }
  throw new Error(`${query} parsed`);
}

describe('parseLogql', () => {
  it('reads a selector, line filters, parsers, label filters and formats', () => {
    const query = parseLogql('{app="api", stream=~"std.*"} |= "timeout" != `health` |~ "(?i)db" | json | level="error" or status>=500 | duration > 2s | line_format "{{.msg}}"');
    expect(query).toEqual({
      kind: 'log',
      matchers: [
        { name: 'app', op: '=', value: 'api' },
        { name: 'stream', op: '=~', value: 'std.*' },
      ],
      stages: [
        { kind: 'line', op: '|=', values: ['timeout'] },
        { kind: 'line', op: '!=', values: ['health'] },
        { kind: 'line', op: '|~', values: ['(?i)db'] },
        { kind: 'json', extractions: [] },
        {
          kind: 'labelFilter',
          expr: { kind: 'or', left: { kind: 'string', name: 'level', op: '=', value: 'error' }, right: { kind: 'number', name: 'status', op: '>=', value: 500 } },
        },
        { kind: 'labelFilter', expr: { kind: 'duration', name: 'duration', op: '>', value: 2000 } },
        { kind: 'lineFormat', template: '{{.msg}}' },
      ],
    });
  });

  it('reads "or" line filters, extraction parsers, label_format, drop and keep', () => {
    const query = parseLogql('{a="b"} |= "x" or "y" | json m="req.method", q | logfmt | label_format x=y, z="{{.q}}" | drop a, b="c" | keep d | decolorize | size > 10KB, n != 3');
    expect(query.kind === 'log' && query.stages).toEqual([
      { kind: 'line', op: '|=', values: ['x', 'y'] },
      { kind: 'json', extractions: [{ label: 'm', path: 'req.method' }, { label: 'q', path: 'q' }] },
      { kind: 'logfmt', extractions: [] },
      { kind: 'labelFormat', items: [{ label: 'x', from: 'y' }, { label: 'z', template: '{{.q}}' }] },
      { kind: 'drop', items: [{ name: 'a' }, { name: 'b', matcher: { name: 'b', op: '=', value: 'c' } }] },
      { kind: 'keep', items: [{ name: 'd' }] },
      { kind: 'decolorize' },
      {
        kind: 'labelFilter',
        expr: { kind: 'and', left: { kind: 'bytes', name: 'size', op: '>', value: 10_000 }, right: { kind: 'number', name: 'n', op: '!=', value: 3 } },
      },
    ]);
  });

  it('reads metric queries: range and vector aggregations, grouping, topk, unwrap', () => {
    expect(parseLogql('sum by (level) (count_over_time({app="api"} | json [1m]))')).toEqual({
      kind: 'vector',
      op: 'sum',
      grouping: { mode: 'by', labels: ['level'] },
      inner: { kind: 'range', op: 'count_over_time', query: { kind: 'log', matchers: [{ name: 'app', op: '=', value: 'api' }], stages: [{ kind: 'json', extractions: [] }] }, rangeMs: 60_000 },
    });
    const top = parseLogql('topk(3, sum by (path, method) (rate({app="api"}[5m])))');
    expect(top).toMatchObject({ kind: 'vector', op: 'topk', parameter: 3, inner: { op: 'sum', grouping: { mode: 'by', labels: ['path', 'method'] }, inner: { op: 'rate', rangeMs: 300_000 } } });
    const quantile = parseLogql('quantile_over_time(0.99, {app="api"} | json | unwrap duration(took) | __error__="" [5m]) by (path)');
    expect(quantile).toMatchObject({
      kind: 'range',
      op: 'quantile_over_time',
      parameter: 0.99,
      unwrap: { label: 'took', conversion: 'duration' },
      grouping: { mode: 'by', labels: ['path'] },
      query: { stages: [{ kind: 'json' }, { kind: 'labelFilter', expr: { name: '__error__', value: '' } }] },
    });
    expect(parseLogql('avg without (stream) (bytes_rate({app="api"}[1m]))')).toMatchObject({ op: 'avg', grouping: { mode: 'without', labels: ['stream'] } });
  });

  it('points at a syntax error and offers a corrected query', () => {
    const unquoted = error('{app="api"} | json | level=error');
    expect(unquoted.message).toContain('column 28');
    expect(unquoted.message).toContain('{app="api"} | json | level=error\n                             ^');
    expect(unquoted.hint).toBe('Try: {app="api"} | json | level="error"');

    expect(error('app="api"').hint).toBe('Try: {app="api"}');
    expect(error("{app='api'} |= 'x'").hint).toBe('Try: {app="api"} |= "x"');
    expect(error('{}').hint).toBe('Try: {app=~".+"}');
    expect(error('count_over_time({app="api"})').hint).toBe('Try: count_over_time({app="api"} [5m])');
    expect(error('{app="api"} |').hint).toBe('Try: {app="api"}');
    expect(error('sum(count_over_time({app="api"}[5m]').hint).toBe('Try: sum(count_over_time({app="api"}[5m]))');
    expect(error('{app="x"').hint).toBe('Try: {app="x"}');
    expect(error('{app="api"} |= ').message).toMatch(/the query ends too early in a line filter/);
  });

  it('refuses what it does not run, and says what it runs', () => {
    const binary = error('sum(rate({app="api"}[1m])) > 3');
    expect(binary.message).toContain('binary operators');
    expect(binary.hint).toContain('Legible runs log queries');
    expect(error('{app="api"} | pattern "<ip> <_>"').message).toMatch(/pattern|column/);
    expect(error('sum_over_time({app="api"}[1m])').message).toContain('unwrap');
    expect(error('{app=~"("}').message).toContain('invalid regular expression');
    expect(error('   ').message).toContain('empty');
  });
});

describe('LogQL limits', () => {
  it('parses 300 pipeline stages, and says why a much longer pipeline does not (not "unexpected" at a random column)', () => {
    expect(() => parseLogql(`{app="api"}${' |= "x"'.repeat(300)}`)).not.toThrow();
    expect(() => parseLogql(`{app="api"}${' | json'.repeat(300)}`)).not.toThrow();
    expect(() => parseLogql(`{app="api"}${` |~ "${'a'.repeat(1_000)}"`.repeat(300)}`)).not.toThrow();
    for (const query of [`{app="api"}${' |= "x"'.repeat(600)}`, `{app="api"}${' | json'.repeat(700)}`]) {
      const long = error(query);
      expect(long.message).toMatch(/^LogQL: the query is longer than LogQL's grammar parser takes: a chain of pipeline stages \(the parser read \d+ of them\) goes on for more than 300 links after its first 2,000 characters/);
      expect(long.message).not.toContain('unexpected');
      expect(long.hint).toContain('up to 300 stages always parse');
      expect(long.kind).toBe('usage');
    }
  });

  it('refuses topk and bottomk with k below 1, as Loki does, with the query fixed', () => {
    const zero = error('topk(0, count_over_time({app="api"}[5m]))');
    expect(zero.message).toContain('LogQL: topk needs k of at least 1 (a whole number), not 0.');
    expect(zero.hint).toBe('Try: topk(5, count_over_time({app="api"}[5m]))');
    expect(error('bottomk(1.5, count_over_time({app="api"}[5m]))').message).toContain('not 1.5');
    expect(() => parseLogql('topk(1, count_over_time({app="api"}[5m]))')).not.toThrow();
  });

  it('marks every query error as a usage error (the command line exits 2)', () => {
    for (const query of ['{app=', '{app="api"} | json | level=error', 'sum(rate({app="api"}[1m])) > 3']) expect(error(query).kind).toBe('usage');
  });
});

describe('LogQL literals', () => {
  it('unquotes Go strings and raw strings, keeping unknown escapes for regexes', () => {
    expect(unquote('"a\\"b\\n"')).toBe('a"b\n');
    expect(unquote('"\\d+\\.\\d"')).toBe('\\d+\\.\\d');
    expect(unquote('`raw \\d`')).toBe('raw \\d');
  });

  it('reads byte sizes as go-humanize does', () => {
    expect(parseBytes('10KB')).toBe(10_000);
    expect(parseBytes('1.5KiB')).toBe(1536);
    expect(parseBytes('512b')).toBe(512);
    expect(parseBytes('x')).toBeUndefined();
  });
});

describe('docs/logql.md', () => {
  it('shows only queries that parse', async () => {
    const { readFileSync } = await import('node:fs');
    const docs = readFileSync(new URL('../../docs/logql.md', import.meta.url), 'utf8');
    const block = /```logql\n([\s\S]*?)```/.exec(docs)![1]!;
    const queries = block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);
    expect(queries.length).toBeGreaterThan(5);
    for (const query of queries) expect(() => parseLogql(query), query).not.toThrow();
  });
});
