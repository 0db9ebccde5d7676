import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseTime, requireDuration } from '../../src/telemetry/time.js';

describe('parseDuration', () => {
  it('reads Go and Prometheus durations in milliseconds', () => {
    expect(parseDuration('300ms')).toBe(300);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('1y')).toBe(31_536_000_000);
    expect(parseDuration('250us')).toBeCloseTo(0.25);
    expect(parseDuration('100ns')).toBeCloseTo(0.0001);
    expect(parseDuration('.5s')).toBe(500);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', '5', 's', '5 s', '5sec', '-5m', '1h 30m', '5mm']) expect(parseDuration(text), text).toBeUndefined();
    expect(() => requireDuration('5 minutes', 'since')).toThrow(/since "5 minutes" is not a duration/);
  });
});

describe('parseTime', () => {
  const now = Date.parse('2026-11-30T10:00:00Z');
  it('reads now, relative times, RFC 3339 and Unix seconds', () => {
    expect(parseTime('now', now)).toBe(now);
    expect(parseTime('-5m', now)).toBe(now - 300_000);
    expect(parseTime('now-1h', now)).toBe(now - 3_600_000);
    expect(parseTime('2026-11-30T09:00:00Z', now)).toBe(now - 3_600_000);
    expect(parseTime('2026-11-30T10:00:00+01:00', now)).toBe(now - 3_600_000);
    expect(parseTime('1764496800', now)).toBe(1_764_496_800_000);
    expect(parseTime('1764496800.5', now)).toBe(1_764_496_800_500);
    expect(parseTime(1_764_496_800, now)).toBe(1_764_496_800_000);
  });

  it('says what it accepts when it cannot read a time', () => {
    for (const text of ['yesterday', '-5', '2026-13-45T99:00:00Z', 'now+5m']) expect(() => parseTime(text, now), text).toThrow(/is not a time/);
    expect(() => parseTime(Number.NaN, now)).toThrow(/is not a time/);
  });
});

describe('formatDuration', () => {
  it('reads well at every scale', () => {
    expect(formatDuration(0.85)).toBe('850µs');
    expect(formatDuration(3.21)).toBe('3.2ms');
    expect(formatDuration(12.4)).toBe('12ms');
    expect(formatDuration(1_250)).toBe('1.25s');
    expect(formatDuration(125_000)).toBe('2m5s');
    expect(formatDuration(3_720_000)).toBe('1h2m');
  });
});
