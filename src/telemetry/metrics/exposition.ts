import type { Labels } from '../model.js';

/**
 * The Prometheus text exposition format (version 0.0.4: what client libraries serve on /metrics)
 * and the parts of OpenMetrics 1.0 a scrape needs (timestamps in seconds, `# EOF`, exemplars
 * and `# UNIT` ignored). Samples keep the names the endpoint gives them. A malformed line fails
 * the whole parse with its line number, as a Prometheus scrape fails.
 */

export interface ExposedSample {
  labels: Labels;
  value: number;
  /** Only when the line carries one (epoch ms). */
  timeMs?: number;
}

export interface Exposition {
  samples: ExposedSample[];
  /** Metric family → counter | gauge | histogram | summary | untyped (| info, stateset, … for OpenMetrics). */
  types: Map<string, string>;
  help: Map<string, string>;
}

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function isOpenMetrics(contentType: string | undefined | null): boolean {
  return !!contentType && /application\/openmetrics-text/i.test(contentType);
}

export function parseExposition(text: string, openMetrics = false): Exposition {
  const samples: ExposedSample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  let sawEof = false;
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index]!.replace(/\r$/, '');
    if (sawEof) {
      if (line.trim()) throw new ExpositionError(lineNumber, 'data after # EOF');
      continue;
    }
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (trimmed.startsWith('#')) {
      const comment = /^#\s*(HELP|TYPE|UNIT|EOF)\b\s*(.*)$/.exec(trimmed);
      if (!comment) continue;
      const [, keyword, rest = ''] = comment;
      if (keyword === 'EOF') {
        sawEof = true;
        continue;
      }
      const name = METRIC_NAME.exec(rest)?.[0];
      if (!name) throw new ExpositionError(lineNumber, `# ${keyword} without a metric name`);
      const value = rest.slice(name.length).trim();
      if (keyword === 'TYPE') {
        if (!/^(counter|gauge|histogram|summary|untyped|unknown|info|stateset|gaugehistogram)$/.test(value)) throw new ExpositionError(lineNumber, `unknown metric type "${value.slice(0, 40)}"`);
        types.set(name, value);
      } else if (keyword === 'HELP') {
        help.set(name, value.replace(/\\(\\|n)/g, (_m, ch: string) => (ch === 'n' ? '\n' : '\\')));
      }
      continue;
    }
    samples.push(parseSampleLine(line, lineNumber, openMetrics));
  }
  return { samples, types, help };
}

function parseSampleLine(line: string, lineNumber: number, openMetrics: boolean): ExposedSample {
  let at = 0;
  const skipBlanks = () => {
    while (line[at] === ' ' || line[at] === '\t') at++;
  };
  skipBlanks();
  const name = METRIC_NAME.exec(line.slice(at))?.[0];
  if (!name) throw new ExpositionError(lineNumber, `expected a metric name, got ${JSON.stringify(line.slice(at, at + 40))}`);
  at += name.length;
  const labels: Labels = { __name__: name };
  skipBlanks();
  if (line[at] === '{') {
    at++;
    for (;;) {
      skipBlanks();
      if (line[at] === '}') {
        at++;
        break;
      }
      const label = LABEL_NAME.exec(line.slice(at))?.[0];
      if (!label) throw new ExpositionError(lineNumber, `expected a label name, got ${JSON.stringify(line.slice(at, at + 40))}`);
      at += label.length;
      skipBlanks();
      if (line[at] !== '=') throw new ExpositionError(lineNumber, `expected "=" after label ${label}`);
      at++;
      skipBlanks();
      if (line[at] !== '"') throw new ExpositionError(lineNumber, `the value of label ${label} must be a quoted string`);
      at++;
      let value = '';
      for (;;) {
        const ch = line[at];
        if (ch === undefined) throw new ExpositionError(lineNumber, `unterminated value of label ${label}`);
        at++;
        if (ch === '"') break;
        if (ch === '\\') {
          const next = line[at++];
          value += next === 'n' ? '\n' : next === '\\' ? '\\' : next === '"' ? '"' : `\\${next ?? ''}`;
        } else {
          value += ch;
        }
      }
      if (label in labels) throw new ExpositionError(lineNumber, `label ${label} appears twice`);
      labels[label] = value;
      skipBlanks();
      if (line[at] === ',') {
        at++;
        continue;
      }
      if (line[at] === '}') {
        at++;
        break;
      }
      throw new ExpositionError(lineNumber, `expected "," or "}" after the value of label ${label}`);
    }
  }
  // OpenMetrics exemplars follow " # ": not kept.
  const rest = line.slice(at).replace(/\s#\s.*$/, '').trim();
  const [valueText, timeText, extra] = rest.split(/[ \t]+/);
  if (!valueText) throw new ExpositionError(lineNumber, `no value for ${name}`);
  if (extra !== undefined) throw new ExpositionError(lineNumber, `unexpected ${JSON.stringify(extra.slice(0, 40))} after the timestamp`);
  const value = parseGoFloat(valueText);
  if (value === undefined) throw new ExpositionError(lineNumber, `${JSON.stringify(valueText.slice(0, 40))} is not a number`);
  const sample: ExposedSample = { labels, value };
  if (timeText !== undefined) {
    const time = openMetrics ? parseGoFloat(timeText) : /^-?\d+$/.test(timeText) ? Number(timeText) : undefined;
    if (time === undefined || !Number.isFinite(time)) throw new ExpositionError(lineNumber, `${JSON.stringify(timeText.slice(0, 40))} is not a timestamp`);
    sample.timeMs = openMetrics ? Math.round(time * 1000) : time;
  }
  return sample;
}

/** A float as Go's strconv.ParseFloat reads one (as Prometheus does): NaN, ±Inf, exponents, hex. */
export function parseGoFloat(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  if (/^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(e[+-]?\d+)?$/.test(lower)) return Number(lower.replaceAll('_', ''));
  if (/^[+-]?0x[0-9a-f]+$/.test(lower)) return (lower.startsWith('-') ? -1 : 1) * parseInt(lower.replace(/^[+-]?0x/, ''), 16);
  return undefined;
}
