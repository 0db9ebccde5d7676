import type { Labels, LogInput } from '../model.js';
import { plainAttributes, plainValue, valueText } from './attributes.js';
import type { ExportLogsRequest, KeyValue } from './model.js';

/**
 * OTLP log records → the log store's `LogInput`s. Labels come from resource attributes, as Loki
 * names them when it receives OTLP (dots become underscores): always `service_name`
 * (`unknown_service` when the resource has none), and the resource attributes Loki promotes
 * by default when present. The level comes from the severity number (or text); the line is the
 * body, then the record's attributes in logfmt (`key=value`, quoted when needed), so a LogQL
 * `| logfmt` finds them; an `exception.stacktrace` attribute follows on its own lines.
 */

const PROMOTED = [
  'service.name',
  'service.namespace',
  'service.instance.id',
  'deployment.environment',
  'deployment.environment.name',
  'cloud.region',
  'cloud.availability_zone',
  'container.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.deployment.name',
];

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** OTLP SeverityNumber 1–24 in six bands of four; else the severity text, if it names a level. */
export function levelOf(severityNumber: number | undefined, severityText: string | undefined): string | undefined {
  if (severityNumber && severityNumber >= 1 && severityNumber <= 24) return LEVELS[Math.floor((severityNumber - 1) / 4)];
  const text = severityText?.trim().toLowerCase();
  if (!text) return undefined;
  if (text === 'warning') return 'warn';
  if (text === 'critical' || text === 'panic') return 'fatal';
  if (text === 'err') return 'error';
  return (LEVELS as readonly string[]).includes(text) ? text : undefined;
}

const labelName = (key: string) => key.replace(/[^a-zA-Z0-9_]/g, '_');

export function resourceLabels(attributes: KeyValue[] | undefined): Labels {
  const plain = plainAttributes(attributes);
  const labels: Labels = { service_name: 'unknown_service' };
  for (const key of PROMOTED) {
    const value = plain[key];
    if (value !== undefined && value !== null && value !== '') labels[labelName(key)] = valueText(value);
  }
  return labels;
}

function logfmtValue(text: string): string {
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/** Nanoseconds since the epoch (a decimal string) as epoch ms. */
export function nanosToMs(nanos: string | undefined): number | undefined {
  if (!nanos || nanos === '0') return undefined;
  // Split, so the digits past a double's precision do not matter: ms = floor(ns / 1e6) + fraction.
  if (nanos.length > 6) return Number(nanos.slice(0, -6)) + Number(nanos.slice(-6)) / 1e6;
  return Number(nanos) / 1e6;
}

export function logInputs(request: ExportLogsRequest, now: number = Date.now()): LogInput[] {
  const out: LogInput[] = [];
  for (const resourceLogs of request.resourceLogs) {
    const labels = resourceLabels(resourceLogs.resource?.attributes);
    for (const scopeLogs of resourceLogs.scopeLogs) {
      for (const record of scopeLogs.logRecords) {
        const body = plainValue(record.body);
        const parts: string[] = [body === null ? '' : valueText(body)];
        let stack: string | undefined;
        for (const [key, value] of Object.entries(plainAttributes(record.attributes))) {
          if (key === 'exception.stacktrace' && typeof value === 'string') stack = value;
          else parts.push(`${key}=${logfmtValue(valueText(value))}`);
        }
        const line = parts.join(' ').trim() + (stack ? `\n${stack}` : '');
        const input: LogInput = { timeMs: nanosToMs(record.timeUnixNano) ?? nanosToMs(record.observedTimeUnixNano) ?? now, labels, line };
        const level = levelOf(record.severityNumber, record.severityText);
        if (level) input.level = level;
        if (record.traceId) input.traceId = record.traceId;
        if (record.spanId) input.spanId = record.spanId;
        out.push(input);
      }
    }
  }
  return out;
}
