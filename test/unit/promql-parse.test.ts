import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../src/telemetry/metrics/parse.js';
import { parsePromQL } from '../../src/telemetry/metrics/query.js';
import { LegibleError } from '../../src/util/errors.js';

/** The error an agent sees for a query: message and hint. */
function failure(query: string): { message: string; hint: string } {
  try {
    parsePromQL(query);
  } catch (error) {
    expect(error).toBeInstanceOf(LegibleError);
    return { message: (error as LegibleError).message, hint: (error as LegibleError).hint ?? '' };
  }
  throw new Error(`${query} parsed`);
}

describe('parsing PromQL into the tree the engine evaluates', () => {
  it('reads selectors with all four matchers, the metric name as a matcher', () => {
    expect(parseExpr('http_requests_total{job="api", code!="200", path=~"/a.*", method!~"GET|HEAD"}')).toMatchObject({
      kind: 'selector',
      name: 'http_requests_total',
      matchers: [
        { name: '__name__', op: '=', value: 'http_requests_total' },
        { name: 'job', op: '=', value: 'api' },
        { name: 'code', op: '!=', value: '200' },
        { name: 'path', op: '=~', value: '/a.*' },
        { name: 'method', op: '!~', value: 'GET|HEAD' },
      ],
      offsetMs: 0,
    });
  });

  it('anchors regular expressions and translates RE2-only syntax', () => {
    const selector = parseExpr('x{a=~"(?i)ab|c", b=~"[[:digit:]]+", c=~"(?P<n>x)y"}');
    if (selector.kind !== 'selector') throw new Error('not a selector');
    const [, a, b, c] = selector.matchers;
    expect(a!.regex!.test('AB')).toBe(true);
    expect(a!.regex!.test('xab')).toBe(false);
    expect(b!.regex!.test('123')).toBe(true);
    expect(b!.regex!.test('12a')).toBe(false);
    expect(c!.regex!.exec('xy')?.groups?.n).toBe('x');
  });

  it('reads Go string literals: escapes, single quotes, raw backticks', () => {
    expect(parseExpr('"a\\n\\"b\\x41\\u00e9"')).toEqual({ kind: 'string', value: 'a\n"bAé' });
    expect(parseExpr("'it\\'s'")).toEqual({ kind: 'string', value: "it's" });
    expect(parseExpr('`raw\\n`')).toEqual({ kind: 'string', value: 'raw\\n' });
  });

  it('reads numbers as Prometheus does: hex, octal, Inf, NaN, signs', () => {
    expect(parseExpr('0x1F')).toEqual({ kind: 'number', value: 31 });
    expect(parseExpr('010')).toEqual({ kind: 'number', value: 8 });
    expect(parseExpr('-Inf')).toEqual({ kind: 'number', value: -Infinity });
    expect(parseExpr('1e3')).toEqual({ kind: 'number', value: 1000 });
    expect((parseExpr('nan') as { value: number }).value).toBeNaN();
  });

  it('puts offset and @ on the operand they follow, through unary minus and binary operators', () => {
    expect(parseExpr('foo offset 5m')).toMatchObject({ kind: 'selector', offsetMs: 300_000 });
    expect(parseExpr('foo offset -1h30m')).toMatchObject({ kind: 'selector', offsetMs: -5_400_000 });
    expect(parseExpr('foo[5m] offset 1m @ 100')).toMatchObject({ kind: 'matrix', rangeMs: 300_000, selector: { offsetMs: 60_000, at: { kind: 'time', ms: 100_000 } } });
    expect(parseExpr('a - b offset 5m')).toMatchObject({ kind: 'binary', lhs: { offsetMs: 0 }, rhs: { offsetMs: 300_000 } });
    expect(parseExpr('-foo offset 5m')).toMatchObject({ kind: 'unary', expr: { kind: 'selector', offsetMs: 300_000 } });
    expect(parseExpr('foo @ end()')).toMatchObject({ at: { kind: 'end' } });
    expect(parseExpr('rate(x[1h:5m] offset 1m)')).toMatchObject({ kind: 'call', args: [{ kind: 'subquery', rangeMs: 3_600_000, stepMs: 300_000, offsetMs: 60_000 }] });
  });

  it('gives ^ precedence over unary minus, as Prometheus does: -2 ^ 2 is -(2 ^ 2)', () => {
    expect(parseExpr('-2 ^ 2')).toMatchObject({ kind: 'unary', op: '-', expr: { kind: 'binary', op: '^', lhs: { value: 2 } } });
    expect(parseExpr('1 - - 1')).toMatchObject({ kind: 'binary', op: '-', rhs: { kind: 'number', value: -1 } });
  });

  it('reads aggregations with by/without before or after, parameters, and vector matching', () => {
    expect(parseExpr('sum by (job) (rate(x[5m]))')).toMatchObject({ kind: 'aggregate', op: 'sum', grouping: ['job'], without: false });
    expect(parseExpr('SUM(x) WITHOUT (a, b)')).toMatchObject({ kind: 'aggregate', op: 'sum', grouping: ['a', 'b'], without: true });
    expect(parseExpr('topk(3, x)')).toMatchObject({ op: 'topk', param: { kind: 'number', value: 3 } });
    expect(parseExpr('count_values("v", x)')).toMatchObject({ op: 'count_values', param: { kind: 'string', value: 'v' } });
    expect(parseExpr('a / on(x) group_left(y) b')).toMatchObject({ matching: { card: 'many-to-one', on: true, labels: ['x'], include: ['y'] } });
    expect(parseExpr('a > bool ignoring(z) group_right b')).toMatchObject({ returnBool: true, matching: { card: 'one-to-many', on: false, labels: ['z'] } });
    expect(parseExpr('a and b')).toMatchObject({ matching: { card: 'many-to-many' } });
    expect(parseExpr('1 + a')).not.toHaveProperty('matching');
  });

  it("makes the checks Prometheus' parser makes, in its words", () => {
    const reason = (query: string) => {
      try {
        parseExpr(query);
      } catch (error) {
        return (error as Error & { reason: string }).reason;
      }
      return 'parsed';
    };
    expect(reason('rate(x)')).toBe('expected type range vector in call to function "rate", got instant vector');
    expect(reason('sum(x[5m])')).toBe('expected type instant vector in aggregation expression, got range vector');
    expect(reason('{job=""}')).toBe('vector selector must contain at least one non-empty matcher');
    expect(reason('x{__name__="y"}')).toBe('metric name must not be set twice');
    expect(reason('1 > 2')).toBe('comparisons between scalars must use BOOL modifier');
    expect(reason('x + bool y')).toBe('bool modifier can only be used on comparison operators');
    expect(reason('1 and x')).toBe('set operator "and" not allowed in binary scalar expression');
    expect(reason('x and on(a) group_left b')).toBe('no grouping allowed for "and" operation');
    expect(reason('x / on(a) group_left(a) y')).toBe('label "a" must not occur in ON and GROUP clause at once');
    expect(reason('sum(x) offset 5m')).toBe('offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    expect(reason('x offset 1m offset 2m')).toMatch(/offset/);
    expect(reason('x[5m][5m]')).toMatch(/subquery is only allowed on instant vector|ranges only allowed/);
    expect(reason('round(x, 1, 2)')).toBe('expected 1 to 2 argument(s) in call to "round", got 3');
    expect(reason('label_join(x, "a")')).toBe('expected at least 3 argument(s) in call to "label_join", got 2');
    expect(reason('x{a=~"("}')).toMatch(/^invalid regular expression "\("/);
    expect(reason('count_values("1a", x)')).toBe('invalid label name "1a"');
  });

  it('points at a syntax error and offers a corrected query that parses', () => {
    const cases: [string, RegExp, string][] = [
      ['foo{job=api}', /line 1, column 9: label values are quoted strings; unexpected "api"/, 'Did you mean: foo{job="api"}'],
      ['sum(rate(x[5m])', /unexpected end of the query/, 'Did you mean: sum(rate(x[5m]))'],
      ['rat(x[5m])', /unknown function "rat"/, 'Did you mean: rate(x[5m])'],
      ['rate(x)', /expected type range vector/, 'Did you mean: rate(x[5m])'],
      ['sum(x[5m])', /got range vector/, 'Did you mean: sum(rate(x[5m]))'],
      ['1 > 2', /must use BOOL/, 'Did you mean: 1 > bool 2'],
      ['x[5x]', /column 3/, 'Did you mean: x[5m]'],
      ['avg_over_time(x{a="b"}[10m]', /end of the query/, 'Did you mean: avg_over_time(x{a="b"}[10m])'],
    ];
    for (const [query, message, hint] of cases) {
      const error = failure(query);
      expect(error.message, query).toMatch(/^PromQL parse error at /);
      expect(error.message, query).toMatch(message);
      expect(error.hint, query).toBe(hint);
      expect(() => parsePromQL(hint.replace('Did you mean: ', '')), hint).not.toThrow();
    }
  });

  it('shows the query line with a caret under the error', () => {
    expect(failure('sum(x) by (job) + foo{a=b}').message).toBe(
      `PromQL parse error at line 1, column 25: label values are quoted strings; unexpected "b"\n  sum(x) by (job) + foo{a=b}\n  ${' '.repeat(24)}^`,
    );
  });

  it('gives examples when no repair explains the error, and quotes at most part of a long query', () => {
    const error = failure(`sum(${'x + '.repeat(200)}`);
    expect(error.hint).toMatch(/^Examples: /);
    expect(error.message.length).toBeLessThan(700);
    expect(failure('').message).toMatch(/the query is empty/);
  });
});

describe('PromQL limits and kinds', () => {
  it('says when a query is longer than the grammar parser takes (not "unexpected" at a random column), as a usage error', () => {
    const many = (n: number) => Array.from({ length: n }, () => 'http_requests_total').join(' + ');
    expect(() => parsePromQL(many(60))).not.toThrow();
    const long = failure(many(400));
    expect(long.message).toMatch(/^PromQL parse error at line 1, column 1: the query is longer than PromQL's grammar parser takes: a chain of binary operations goes on for more than 300 links/);
    expect(long.message).not.toContain('unexpected');
    for (const query of [many(400), 'rate(http_requests_total[5m]', 'sum by (job) (']) {
      try {
        parsePromQL(query);
      } catch (error) {
        expect((error as LegibleError).kind, query.slice(0, 40)).toBe('usage');
      }
    }
  });
});
