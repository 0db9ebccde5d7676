import { describe, expect, it } from 'vitest';
import { detectLevel, LEVEL } from '../../src/telemetry/logs/levels.js';
import { entriesSince } from '../../src/telemetry/logs/recent.js';
import { LogStore, infoFieldLevel, infoFormat, infoLevel } from '../../src/telemetry/logs/store.js';
import { FIELD_LEVEL, FORMAT, inspectLine, parseLogfmt } from '../../src/telemetry/logs/structured.js';

describe('inspectLine', () => {
  it("reads pino's and bunyan's numeric levels, winston's names, and other JSON loggers' keys", () => {
    expect(inspectLine('{"level":50,"time":1,"msg":"x"}')).toEqual({ format: FORMAT.json, level: LEVEL.error, fieldLevel: FIELD_LEVEL.canonical });
    expect(inspectLine('{"name":"svc","hostname":"h","pid":1,"level":40,"msg":"w","v":0}').level).toBe(LEVEL.warn);
    expect(inspectLine('{"level":"info","message":"winston"}')).toEqual({ format: FORMAT.json, level: LEVEL.info, fieldLevel: FIELD_LEVEL.canonical });
    // "ERROR" is an error, but | json gives level="ERROR": the store must parse to answer level="error".
    expect(inspectLine('{"level":"ERROR","message":"x"}')).toEqual({ format: FORMAT.json, level: LEVEL.error, fieldLevel: FIELD_LEVEL.unknown });
    expect(inspectLine('{"severity":"WARNING","message":"gcp"}')).toEqual({ format: FORMAT.json, level: LEVEL.warn, fieldLevel: FIELD_LEVEL.absent });
    expect(inspectLine('{"log.level":"error","message":"ecs"}').level).toBe(LEVEL.error);
    expect(inspectLine('{"message":"no level","stack":"Error: x\\n at y"}').level).toBe(LEVEL.error);
  });

  it('reads only the top-level "level", as | json does, however the line is laid out', () => {
    expect(inspectLine('{"req":{"level":"debug"},"level":40}')).toEqual({ format: FORMAT.json, level: LEVEL.warn, fieldLevel: FIELD_LEVEL.canonical });
    expect(inspectLine('{"msg":"{\\"level\\":50}","level":"info"}').level).toBe(LEVEL.info);
    expect(inspectLine('{"tags":["level"],"level" : 50 }').level).toBe(LEVEL.error);
    expect(inspectLine('{"level":"warn\\u0020","msg":"x"}')).toEqual({ format: FORMAT.json, level: LEVEL.unknown, fieldLevel: FIELD_LEVEL.unknown });
    expect(inspectLine('{"level":30.5,"msg":"x"}').level).toBe(LEVEL.info);
    expect(inspectLine('{"req":{"level":"error"}}')).toEqual({ format: FORMAT.json, level: LEVEL.unknown, fieldLevel: FIELD_LEVEL.absent });
  });

  it('reads logfmt lines and leaves other text to level detection', () => {
    expect(inspectLine('time=2026-01-01T00:00:00Z level=warn msg="disk 91% full"')).toEqual({ format: FORMAT.logfmt, level: LEVEL.warn, fieldLevel: FIELD_LEVEL.canonical });
    expect(inspectLine('{not json}')).toEqual({ format: FORMAT.plain, level: LEVEL.unknown, fieldLevel: FIELD_LEVEL.unknown });
    expect(inspectLine('[1, 2]').format).toBe(FORMAT.plain);
  });

  it('parses logfmt with quotes, escapes and bare keys', () => {
    expect(parseLogfmt('a=1 b="two words" c="say \\"hi\\"" flag d=')).toEqual({ a: '1', b: 'two words', c: 'say "hi"', flag: 'true', d: '' });
  });
});

describe('detectLevel', () => {
  it('finds the level of unstructured lines', () => {
    const cases: [string, number][] = [
      ["TypeError: Cannot read properties of undefined (reading 'x')", LEVEL.error],
      ['Traceback (most recent call last):', LEVEL.error],
      ['2026-11-30 10:00:00 ERROR db: connection refused', LEVEL.error],
      ['[WARN] deprecated option', LEVEL.warn],
      ['npm ERR! code ELIFECYCLE', LEVEL.error],
      ['(node:123) Warning: something is deprecated', LEVEL.warn],
      ['10:00:00 [vite] Internal server error: Failed to resolve import', LEVEL.error],
      ['INFO listening on :8080', LEVEL.info],
      ['0 errors, 2 warnings', LEVEL.unknown],
      ['no error handling needed here', LEVEL.unknown],
      ['Error handling is fine', LEVEL.unknown],
      ['VITE v8.4.0 ready in 300 ms', LEVEL.unknown],
    ];
    for (const [line, level] of cases) expect(detectLevel(line), line).toBe(level);
  });
});

describe('LogStore', () => {
  it('keeps the info byte of each entry: level, format, field level', () => {
    const store = new LogStore();
    store.append({ timeMs: 1, labels: { app: 'a' }, line: '{"level":30,"msg":"x"}' });
    const segment = store.segments()[0]!;
    expect([infoLevel(segment.info[0]!), infoFormat(segment.info[0]!), infoFieldLevel(segment.info[0]!)]).toEqual([LEVEL.info, FORMAT.json, FIELD_LEVEL.canonical]);
  });

  it('lists the label values of streams that hold entries only (an app\'s stderr it never wrote to is no value to try)', () => {
    const store = new LogStore();
    store.streamId({ app: 'api', stream: 'stderr' });
    store.append({ timeMs: 1, labels: { app: 'api', stream: 'stdout' }, line: 'up' });
    expect(Object.fromEntries(store.labelValues())).toEqual({ app: ['api'], stream: ['stdout'] });
  });

  it('gives one stream id per label set, whatever the key order', () => {
    const store = new LogStore();
    expect(store.streamId({ app: 'a', stream: 'stdout' })).toBe(store.streamId({ stream: 'stdout', app: 'a' }));
    expect(store.streamId({ app: 'b', stream: 'stdout' })).not.toBe(store.streamId({ app: 'a', stream: 'stdout' }));
  });

  it('evicts the oldest entries beyond its entry cap and counts them per stream', () => {
    const store = new LogStore({ maxEntries: 10_000, maxBytes: 1e9 });
    for (let i = 0; i < 30_000; i++) store.append({ timeMs: i, labels: { app: i % 3 === 0 ? 'a' : 'b' }, line: `line ${i}` });
    const stats = store.stats();
    expect(stats.entries).toBeLessThanOrEqual(10_000);
    expect(stats.entries).toBeGreaterThan(10_000 - 8_192);
    expect(stats.droppedEntries).toBe(30_000 - stats.entries);
    const a = store.streamId({ app: 'a' });
    expect(store.dropped((id) => id === a) + store.streamEntries(a)).toBe(10_000);
    expect(store.stats().newestMs).toBe(29_999);
  });

  it('stays within its byte cap', () => {
    const store = new LogStore({ maxEntries: 1e9, maxBytes: 1_000_000 });
    for (let i = 0; i < 20_000; i++) store.append({ timeMs: i, labels: { app: 'a' }, line: 'x'.repeat(200) });
    expect(store.stats().bytes).toBeLessThanOrEqual(1_000_000);
    expect(store.stats().droppedEntries).toBeGreaterThan(15_000);
  });

  it('answers the entries since a mark, newest ones within a maximum', () => {
    const store = new LogStore();
    store.append({ timeMs: 1, labels: { app: 'a', stream: 'stdout' }, line: 'before' });
    const mark = store.nextSeq();
    for (let i = 0; i < 12; i++) store.append({ timeMs: 2 + i, labels: { app: 'a', stream: 'stderr' }, line: `Error: ${i}` });
    store.append({ timeMs: 20, labels: { app: 'a', stream: 'stdout' }, line: 'INFO fine' });
    const { lines, more } = entriesSince(store, mark, (_, level) => level === 'error', 5);
    expect(lines.map((line) => line.line)).toEqual(['Error: 7', 'Error: 8', 'Error: 9', 'Error: 10', 'Error: 11']);
    expect(more).toBe(7);
  });
});
