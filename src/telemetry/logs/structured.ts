import type { Labels } from '../model.js';
import { LEVEL, detectLevel, levelName, levelOf, pinoLevel, type LevelCode } from './levels.js';

/**
 * Structured log lines: JSON (pino, bunyan, winston's json format, and most other JSON loggers)
 * and logfmt (Go's slog and logrus text formats, Heroku). `inspectLine` runs once per captured
 * line and keeps only what the store needs (format and level); the fields are parsed again when a
 * query asks for them (`| json`, `| logfmt`), so the store holds lines, not objects.
 */

export const FORMAT = { plain: 0, json: 1, logfmt: 2 } as const;
export type LineFormat = (typeof FORMAT)[keyof typeof FORMAT];

/**
 * What the `level` label reads after `| json` or `| logfmt`, as far as the store knows without
 * parsing again: the canonical name of the stored level, absent, or unknown (parse to find out).
 * It lets `| json | level="error"` and `sum by (level)` skip parsing most lines.
 */
export const FIELD_LEVEL = { unknown: 0, canonical: 1, absent: 2 } as const;
export type FieldLevel = (typeof FIELD_LEVEL)[keyof typeof FIELD_LEVEL];

export interface LineShape {
  format: LineFormat;
  level: LevelCode;
  fieldLevel: FieldLevel;
}

/** Keys other loggers put the level under, after `level`. */
const LEVEL_KEYS = ['severity', 'lvl', 'levelname', 'log.level', '@l', 'loglevel'];
const MESSAGE_KEYS = ['msg', 'message', '@m', '@mt', 'event'];

/** Format and level of one captured line (an entry's first line, for multi-line entries). */
export function inspectLine(line: string): LineShape {
  const first = line.charCodeAt(0);
  if (first === 123 /* { */ || (first <= 32 && line.trimStart().startsWith('{'))) {
    const fast = first === 123 && line.charCodeAt(line.length - 1) === 125 ? topLevelLevel(line) : undefined;
    if (fast) return fast;
    const object = parseJsonObject(line);
    if (object) return shapeOf(object, FORMAT.json);
  } else if (LOGFMT_START.test(line)) {
    const pairs = parseLogfmt(line);
    if (Object.keys(pairs).length >= 2) return shapeOf(pairs, FORMAT.logfmt);
  }
  return { format: FORMAT.plain, level: detectLevel(line), fieldLevel: FIELD_LEVEL.unknown };
}

/**
 * The shape of a JSON line whose top-level "level" is a number or a plain string, read without
 * parsing the line: capture must keep up with an app that prints 100,000 lines a second, and
 * JSON.parse of every line was the largest cost (measured: ARCHITECTURE.md). A line that only
 * looks like JSON is still refused by `| json` later, as Loki would (with __error__).
 */
function topLevelLevel(line: string): LineShape | undefined {
  const at = line.indexOf('"level"');
  if (at < 0 || !atTopLevel(line, at)) return undefined;
  let i = at + 7;
  while (line.charCodeAt(i) === 32) i++;
  if (line.charCodeAt(i) !== 58 /* : */) return undefined;
  i++;
  while (line.charCodeAt(i) === 32) i++;
  const code = line.charCodeAt(i);
  if (code >= 48 && code <= 57) {
    let end = i;
    while (end < line.length && line.charCodeAt(end) >= 48 && line.charCodeAt(end) <= 57) end++;
    const next = line.charCodeAt(end);
    if (next !== 44 && next !== 125 && next !== 32) return undefined; // 1.5, 1e3: let JSON.parse read it
    return shapeOf({ level: Number(line.slice(i, end)) }, FORMAT.json);
  }
  if (code === 34 /* " */) {
    const end = line.indexOf('"', i + 1);
    if (end < 0) return undefined;
    const value = line.slice(i + 1, end);
    if (value.includes('\\')) return undefined;
    return shapeOf({ level: value }, FORMAT.json);
  }
  return undefined;
}

/** Whether position `at` of a JSON object's text is a key of the object itself (not nested, not inside a string). */
function atTopLevel(line: string, at: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 1; i < at; i++) {
    const code = line.charCodeAt(i);
    if (inString) {
      if (code === 92 /* \ */) i++;
      else if (code === 34) inString = false;
    } else if (code === 34) inString = true;
    else if (code === 123 || code === 91) depth++;
    else if (code === 125 || code === 93) depth--;
  }
  return depth === 0 && !inString;
}

function shapeOf(fields: Record<string, unknown>, format: LineFormat): LineShape {
  const raw = fields.level;
  if (raw !== undefined && raw !== null && typeof raw !== 'object') {
    const level = levelOf(raw);
    const label = levelLabel(raw);
    return { format, level, fieldLevel: level !== LEVEL.unknown && label === levelName(level) ? FIELD_LEVEL.canonical : FIELD_LEVEL.unknown };
  }
  let level: LevelCode = LEVEL.unknown;
  for (const key of LEVEL_KEYS) {
    const value = key === 'log.level' ? ((fields.log as Record<string, unknown> | undefined)?.level ?? fields[key]) : fields[key];
    if (value !== undefined) {
      level = levelOf(value);
      if (level !== LEVEL.unknown) break;
    }
  }
  // A stack trace inside a JSON line without a level (winston's errors format) is still an error.
  if (level === LEVEL.unknown && (typeof fields.stack === 'string' || typeof (fields.err as { stack?: unknown } | undefined)?.stack === 'string')) level = LEVEL.error;
  return { format, level, fieldLevel: raw === undefined || raw === null || typeof raw === 'object' ? FIELD_LEVEL.absent : FIELD_LEVEL.unknown };
}

/**
 * The value of the `level` label after `| json` / `| logfmt`: as written, except that pino's and
 * bunyan's numbers read as names (50 → "error"), so one filter works for every logger.
 */
export function levelLabel(raw: unknown): string {
  if (typeof raw === 'number') return raw >= 10 ? levelName(pinoLevel(raw)) : String(raw);
  return String(raw);
}

/** A JSON object, or undefined when the line is not one (numbers, arrays and broken JSON are not). */
export function parseJsonObject(line: string): Record<string, unknown> | undefined {
  const last = line.charCodeAt(line.length - 1);
  if (last !== 125 /* } */ && !/\}\s*$/.test(line)) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The message of a structured line (`msg`, `message`, …), or undefined. */
export function messageOf(fields: Record<string, unknown>): string | undefined {
  for (const key of MESSAGE_KEYS) if (typeof fields[key] === 'string') return fields[key] as string;
  return undefined;
}

/** Label names hold letters, digits and underscores; anything else becomes "_" (as in Loki). */
export function sanitizeLabelName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

/**
 * Flattens a JSON object into labels as Loki's `| json` does: nested keys joined with "_",
 * arrays skipped, numbers and booleans as text, null as empty. `only`, when given, limits the
 * labels made to those names (a query that needs one field does not build fifty).
 */
export function jsonLabels(object: Record<string, unknown>, into: Labels, only?: ReadonlySet<string>, prefix = ''): void {
  for (const key in object) {
    const value = object[key];
    const name = prefix ? `${prefix}_${sanitizeLabelName(key)}` : sanitizeLabelName(key);
    if (value !== null && typeof value === 'object') {
      if (!Array.isArray(value)) jsonLabels(value as Record<string, unknown>, into, only, name);
      continue;
    }
    if (only && !only.has(name)) continue;
    into[name] = value === null ? '' : name === 'level' && !prefix ? levelLabel(value) : String(value);
  }
}

const LOGFMT_START = /^[A-Za-z_][\w.-]*=/;

/** logfmt pairs: `key=value`, `key="quoted \"value\""`, and bare `key` (true). */
export function parseLogfmt(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const length = line.length;
  let at = 0;
  while (at < length) {
    while (at < length && line.charCodeAt(at) <= 32) at++;
    const keyStart = at;
    while (at < length) {
      const code = line.charCodeAt(at);
      if (code === 61 /* = */ || code <= 32) break;
      at++;
    }
    if (at === keyStart) {
      at++;
      continue;
    }
    const key = line.slice(keyStart, at);
    if (line.charCodeAt(at) !== 61) {
      out[key] = 'true';
      continue;
    }
    at++;
    if (line.charCodeAt(at) === 34 /* " */) {
      at++;
      let value = '';
      let chunk = at;
      while (at < length && line.charCodeAt(at) !== 34) {
        if (line.charCodeAt(at) === 92 /* \ */) {
          value += line.slice(chunk, at);
          at++;
          const escaped = line[at] ?? '';
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
          chunk = at + 1;
        }
        at++;
      }
      out[key] = value + line.slice(chunk, at);
      at++;
    } else {
      const valueStart = at;
      while (at < length && line.charCodeAt(at) > 32) at++;
      out[key] = line.slice(valueStart, at);
    }
  }
  return out;
}

/** logfmt pairs as labels (names sanitised; `level` as levelLabel reads it). */
export function logfmtLabels(line: string, into: Labels, only?: ReadonlySet<string>): void {
  const pairs = parseLogfmt(line);
  for (const key in pairs) {
    const name = sanitizeLabelName(key);
    if (only && !only.has(name)) continue;
    into[name] = name === 'level' ? levelLabel(pairs[key]) : pairs[key]!;
  }
}

const JSON_TRACE = /"(?:trace_id|traceId|trace\.id)"\s*:\s*"([0-9a-fA-F]{32})"/;
const JSON_SPAN = /"(?:span_id|spanId|span\.id)"\s*:\s*"([0-9a-fA-F]{16})"/;
const LOGFMT_TRACE = /(?:^|\s)(?:trace_id|traceId|trace\.id)=([0-9a-fA-F]{32})(?=\s|$)/;
const LOGFMT_SPAN = /(?:^|\s)(?:span_id|spanId|span\.id)=([0-9a-fA-F]{16})(?=\s|$)/;

/**
 * The W3C trace context a structured line carries, as the OpenTelemetry instrumentations of pino,
 * winston and bunyan write it (`trace_id`, `span_id`; also `traceId` and ECS' `trace.id`), so the
 * apps' printed lines can be found by trace like exported log records. Lines that do not mention
 * a trace cost one `includes`.
 */
export function traceContextOf(line: string, format: LineFormat): { traceId: string; spanId?: string } | undefined {
  if (format === FORMAT.plain || !line.includes('race')) return undefined;
  const first = line.indexOf('\n');
  const head = first < 0 ? line : line.slice(0, first);
  const trace = (format === FORMAT.json ? JSON_TRACE : LOGFMT_TRACE).exec(head)?.[1];
  if (!trace || /^0+$/.test(trace)) return undefined;
  const span = (format === FORMAT.json ? JSON_SPAN : LOGFMT_SPAN).exec(head)?.[1];
  return { traceId: trace.toLowerCase(), ...(span ? { spanId: span.toLowerCase() } : {}) };
}
