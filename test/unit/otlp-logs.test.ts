/** OTLP log records → the log store's LogInput: labels, level, line, times, trace context. */
import { describe, expect, it } from 'vitest';
import { levelOf, logInputs, nanosToMs } from '../../src/telemetry/otlp/logInputs.js';

describe('logInputs', () => {
  it('labels from resource attributes, level from severity, body then attributes in logfmt, trace ids kept', () => {
    const inputs = logInputs(
      {
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: 'shop' } },
                { key: 'service.instance.id', value: { stringValue: 'i-1' } },
                { key: 'host.name', value: { stringValue: 'box' } },
              ],
            },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: '1764496800123456789',
                    severityNumber: 17,
                    body: { stringValue: 'checkout failed' },
                    attributes: [
                      { key: 'user', value: { stringValue: 'ann lee' } },
                      { key: 'items', value: { intValue: '3' } },
                      { key: 'exception.stacktrace', value: { stringValue: 'Error: x\n    at f (a.js:1:1)' } },
                    ],
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId: 'b7ad6b7169203331',
                  },
                  { observedTimeUnixNano: '1764496801000000000', severityText: 'WARNING', body: { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] } } },
                  { body: { stringValue: 'no time' } },
                ],
              },
            ],
          },
          { scopeLogs: [{ logRecords: [{ severityNumber: 9, body: { stringValue: 'anonymous' } }] }] },
        ],
      },
      42,
    );
    expect(inputs).toEqual([
      {
        timeMs: 1764496800123.4568,
        labels: { service_name: 'shop', service_instance_id: 'i-1' },
        line: 'checkout failed user="ann lee" items=3\nError: x\n    at f (a.js:1:1)',
        level: 'error',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
      },
      { timeMs: 1764496801000, labels: { service_name: 'shop', service_instance_id: 'i-1' }, line: '{"a":1}', level: 'warn' },
      { timeMs: 42, labels: { service_name: 'shop', service_instance_id: 'i-1' }, line: 'no time' },
      { timeMs: 42, labels: { service_name: 'unknown_service' }, line: 'anonymous', level: 'info' },
    ]);
  });

  it('maps the six severity bands and common texts', () => {
    expect([1, 4, 5, 9, 13, 17, 21, 24].map((n) => levelOf(n, undefined))).toEqual(['trace', 'trace', 'debug', 'info', 'warn', 'error', 'fatal', 'fatal']);
    expect(levelOf(0, 'Critical')).toBe('fatal');
    expect(levelOf(undefined, 'notice')).toBeUndefined();
    expect(nanosToMs('1500000')).toBe(1.5);
    expect(nanosToMs('0')).toBeUndefined();
  });
});
