import { describe, expect, it } from 'vitest';
import { ExpositionError, isOpenMetrics, parseExposition } from '../../src/telemetry/metrics/exposition.js';

describe('Prometheus text exposition format', () => {
  it('reads samples with labels, escapes, special values and timestamps, keeping the names given', () => {
    const parsed = parseExposition(
      [
        '# HELP http_requests_total Requests\\nserved.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="GET",code="200"} 1027 1395066363000',
        'http_requests_total{ method = "POST" , code="400", } 3',
        'odd{path="C:\\\\dir",q="say \\"hi\\"",nl="a\\nb"} 1',
        '  # a comment',
        '',
        'special{kind="nan"} NaN',
        'special{kind="inf"} +Inf',
        'special{kind="ninf"} -Inf',
        'sci 1.5e-3',
        'metric_without_labels 12.47',
      ].join('\n'),
    );
    expect(parsed.types.get('http_requests_total')).toBe('counter');
    expect(parsed.help.get('http_requests_total')).toBe('Requests\nserved.');
    expect(parsed.samples[0]).toEqual({ labels: { __name__: 'http_requests_total', method: 'GET', code: '200' }, value: 1027, timeMs: 1395066363000 });
    expect(parsed.samples[1]).toEqual({ labels: { __name__: 'http_requests_total', method: 'POST', code: '400' }, value: 3 });
    expect(parsed.samples[2]!.labels).toEqual({ __name__: 'odd', path: 'C:\\dir', q: 'say "hi"', nl: 'a\nb' });
    expect(parsed.samples.slice(3, 6).map((sample) => sample.value)).toEqual([NaN, Infinity, -Infinity]);
    expect(parsed.samples[6]!.value).toBe(0.0015);
    expect(parsed.samples).toHaveLength(8);
  });

  it('reads OpenMetrics: timestamps in seconds, exemplars and units ignored, nothing after # EOF', () => {
    const parsed = parseExposition(
      ['# TYPE foo counter', '# UNIT foo seconds', 'foo_total{a="b"} 17 1520879607.789 # {trace_id="abc"} 1 1520879607.7', 'foo_created{a="b"} 1520430000.123', '# EOF', ''].join('\n'),
      true,
    );
    expect(parsed.samples).toEqual([
      { labels: { __name__: 'foo_total', a: 'b' }, value: 17, timeMs: 1520879607789 },
      { labels: { __name__: 'foo_created', a: 'b' }, value: 1520430000.123 },
    ]);
    expect(() => parseExposition('# EOF\nfoo 1\n', true)).toThrow(/line 2: data after # EOF/);
    expect(isOpenMetrics('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe(true);
    expect(isOpenMetrics('text/plain; version=0.0.4')).toBe(false);
  });

  it('fails on a malformed line with its number, as a scrape fails', () => {
    const cases: [string, RegExp][] = [
      ['ok 1\nbad{a=b} 1', /^line 2: the value of label a must be a quoted string/],
      ['x{a="1" b="2"} 1', /expected "," or "}"/],
      ['x{a="1} 1', /unterminated value of label a/],
      ['x one', /"one" is not a number/],
      ['x 1 2 3', /unexpected "3"/],
      ['x 1 1.5', /"1.5" is not a timestamp/],
      ['x{a="1",a="2"} 1', /label a appears twice/],
      ['# TYPE x weird', /unknown metric type "weird"/],
      ['{a="1"} 1', /expected a metric name/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseExposition(text), text).toThrow(ExpositionError);
      expect(() => parseExposition(text), text).toThrow(message);
    }
  });
});
