/**
 * OpenTelemetry metric and attribute names as Prometheus names them when it receives OTLP (the
 * OpenTelemetry → Prometheus translation, with metric suffixes on): characters outside
 * [a-zA-Z0-9] split the name into words joined by "_"; the unit becomes a suffix (`s` →
 * `_seconds`, `By` → `_bytes`, `m/s` → `_meters_per_second`; `{…}` annotations and the
 * dimensionless `1` add nothing); monotonic sums end in `_total`; gauges in unit `1` end in
 * `_ratio`. So `http.server.request.duration` in `s` is `http_server_request_duration_seconds`.
 */

const UNITS: Record<string, string> = {
  // Time
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  // Bytes
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  // SI
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  // Misc
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

const PER_UNITS: Record<string, string> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

export type OtlpMetricKind = 'gauge' | 'counter' | 'updown' | 'histogram' | 'summary';

/** A unit word as Prometheus writes it: the known ones spelled out, others cleaned of odd characters. */
function unitWord(unit: string, table: Record<string, string>): string {
  const trimmed = unit.trim();
  if (!trimmed || /[{}]/.test(trimmed)) return '';
  const known = table[trimmed];
  if (known !== undefined) return known;
  return trimmed.replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** The Prometheus name of an OTLP metric (histograms and summaries then add `_bucket`, `_sum`, `_count`). */
export function prometheusMetricName(name: string, unit: string | undefined, kind: OtlpMetricKind): string {
  let tokens = name.split(/[^a-zA-Z0-9]+/).filter(Boolean);
  const [main = '', per] = (unit ?? '').split('/', 2);
  const mainWord = unitWord(main, UNITS);
  if (mainWord && !tokens.includes(mainWord)) tokens.push(...mainWord.split('_'));
  if (per !== undefined) {
    const perWord = unitWord(per, PER_UNITS);
    if (perWord && !tokens.includes(perWord)) tokens.push('per', ...perWord.split('_'));
  }
  if (kind === 'counter') tokens = [...tokens.filter((token) => token !== 'total'), 'total'];
  if (unit === '1' && kind === 'gauge') tokens = [...tokens.filter((token) => token !== 'ratio'), 'ratio'];
  let joined = tokens.join('_');
  if (/^\d/.test(joined)) joined = `_${joined}`;
  return joined || '_';
}

/** An attribute key as a Prometheus label name: odd characters to "_", a leading digit or lone "_" prefixed with "key". */
export function prometheusLabelName(key: string): string {
  if (!key) return key;
  let label = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^\d/.test(label)) label = `key_${label}`;
  else if (label.startsWith('_') && !label.startsWith('__')) label = `key${label}`;
  return label;
}
