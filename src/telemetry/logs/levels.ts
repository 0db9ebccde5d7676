/**
 * Log levels: one small code per entry in the store, one canonical name per code (the names pino,
 * bunyan and winston use), and the mapping from what loggers write (pino's numbers, "ERROR",
 * "warning", "err") and from unstructured lines ("npm ERR!", "Error: …", "[WARN]").
 */

export const LEVELS = ['unknown', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LevelName = (typeof LEVELS)[number];
/** Index into LEVELS. */
export type LevelCode = number;

export const LEVEL = { unknown: 0, trace: 1, debug: 2, info: 3, warn: 4, error: 5, fatal: 6 } as const;

const ALIASES: Record<string, LevelCode> = {
  trace: 1, verbose: 1, silly: 1, finest: 1,
  debug: 2, dbug: 2, fine: 2,
  info: 3, information: 3, informational: 3, notice: 3, http: 3, log: 3,
  warn: 4, warning: 4, wrn: 4,
  error: 5, err: 5, eror: 5, severe: 5,
  fatal: 6, critical: 6, crit: 6, panic: 6, emerg: 6, emergency: 6, alert: 6,
};

/** pino's and bunyan's numeric levels (10 trace … 60 fatal). */
export function pinoLevel(value: number): LevelCode {
  if (value >= 60) return LEVEL.fatal;
  if (value >= 50) return LEVEL.error;
  if (value >= 40) return LEVEL.warn;
  if (value >= 30) return LEVEL.info;
  if (value >= 20) return LEVEL.debug;
  return value >= 10 ? LEVEL.trace : LEVEL.unknown;
}

/** A level as a logger wrote it (a name in any case, or pino's number), as a code. */
export function levelOf(value: unknown): LevelCode {
  if (typeof value === 'number') return pinoLevel(value);
  if (typeof value !== 'string') return LEVEL.unknown;
  const known = ALIASES[value.toLowerCase()];
  if (known !== undefined) return known;
  return /^\d+$/.test(value) ? pinoLevel(Number(value)) : LEVEL.unknown;
}

export function levelName(code: LevelCode): LevelName {
  return LEVELS[code] ?? 'unknown';
}

/** Warnings and worse: what an action's Server section shows. */
export function isProblemLevel(code: LevelCode): boolean {
  return code >= LEVEL.warn;
}

// Unstructured lines, in this order: an exception header ("TypeError: …", "Traceback (most
// recent call last):"); a level word in capitals ("ERROR", "[WARN]", npm's "ERR!"); a level in
// any case followed by a colon or in brackets ("error:", "[warning]", Node's "(node:1) Warning:").
// Lower-case words inside a sentence ("0 errors", "no error found") do not count.
const EXCEPTION = /^\s*(?:Uncaught\s+)?(?:[A-Z]\w*)?(?:Error|Exception)\b(?::|\s*\[|$)|^Traceback \(most recent call last\)/;
const CAPITALS = /\b(FATAL|PANIC|CRIT(?:ICAL)?|ERROR|ERR|WARN(?:ING)?|INFO|DEBUG|TRACE)\b/;
const MARKED = /(?:^|[\s[(<|])(fatal|panic|critical|error|err|warning|warn|info|debug|trace)(?:[\]):>|]|:(?:\s|$))/i;

/** The level an unstructured line states, or unknown. Looks at the first 160 characters. */
export function detectLevel(line: string): LevelCode {
  const head = line.length > 160 ? line.slice(0, 160) : line;
  if (EXCEPTION.test(head)) return LEVEL.error;
  const match = CAPITALS.exec(head) ?? MARKED.exec(head);
  return match ? levelOf(match[1]!) : LEVEL.unknown;
}
