import type { ConsoleEntry } from '../capture/consoleLog.js';
import { redactText, redactUrl } from '../util/redact.js';
import { shortUrl, truncate } from '../util/text.js';

export function formatLocation(entry: ConsoleEntry, base?: string): string {
  const location = entry.location;
  if (!location?.url) return '';
  return ` (${shortUrl(redactUrl(location.url), base)}:${location.line}:${location.column})`;
}

/** One console entry: `error: text (file:line:col) ×3`, with its stack when asked; credentials in it redacted (util/redact). */
export function formatConsoleEntry(entry: ConsoleEntry, options: { base?: string; stack?: boolean; max?: number } = {}): string {
  const kind = entry.source === 'exception' ? 'exception' : entry.level;
  const count = entry.count > 1 ? ` ×${entry.count}` : '';
  const head = `${kind}: ${truncate(redactText(entry.text), options.max ?? 300)}${formatLocation(entry, options.base)}${count}`;
  if (!options.stack || !entry.stack.length) return head;
  return [head, ...entry.stack.map((line) => `    ${redactText(line)}`)].join('\n');
}

/** Errors and warnings are what an action report shows; the console tool shows the rest. */
export function isProblem(entry: ConsoleEntry): boolean {
  return entry.level === 'error' || entry.level === 'warning';
}
