import type { ServerActivity } from '../telemetry/activity.js';
import type { LoggedLine } from '../telemetry/logs/recent.js';
import { plural } from '../util/text.js';
import { formatLogText } from './logLine.js';

/** `api error: …`, `api stderr: …` (a stderr line that names no level). */
export function formatProblemLine(line: LoggedLine, max = 240): string {
  const kind = line.level === 'unknown' ? (line.labels.stream ?? 'output') : line.level;
  const source = line.labels.app ?? line.labels.service_name ?? 'app';
  return `${source} ${kind}: ${formatLogText(line.line, { max, extraLines: 2 })}`;
}

/** Folds repeats (same app, level and text) into one line with ×N, keeping first-seen order. */
export function foldLines(lines: LoggedLine[], render: (line: LoggedLine) => string): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const text = render(line);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, count]) => (count > 1 ? `${text} ×${count}` : text));
}

/**
 * An action's Server section: the warnings and errors the apps printed while it ran, folded and
 * bounded like the console section. Empty when there were none.
 */
export function formatServerSection(activity: ServerActivity | undefined, logsTool: string): string {
  if (!activity?.logs.length) return '';
  const total = activity.logs.length + activity.more;
  const shown = foldLines(activity.logs, (line) => formatProblemLine(line)).map((text) => `  ${text.replace(/\n/g, '\n  ')}`);
  if (activity.more) shown.push(`  … ${activity.more} more: see ${logsTool} {"query":"{app=~\\".+\\"} | detected_level=~\\"warn|error|fatal\\"","since":"5m"}`);
  return `Server: ${plural(total, 'warning or error', 'warnings and errors')} printed by the apps\n${shown.join('\n')}`;
}
