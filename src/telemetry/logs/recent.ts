import type { Labels } from '../model.js';
import { isProblemLevel, LEVEL, levelName, type LevelName } from './levels.js';
import { infoLevel, type LogStore } from './store.js';

/** One stored entry as the tools' short reports show it. */
export interface LoggedLine {
  timeMs: number;
  labels: Labels;
  level: LevelName;
  line: string;
  traceId?: string;
}

/**
 * The entries since sequence number `fromSeq` that `keep` accepts (given the stream's labels, the
 * level and the trace id the entry carries), the newest `max` of them, oldest first, and how many more there were.
 */
export function entriesSince(
  store: LogStore,
  fromSeq: number,
  keep: (labels: Labels, level: LevelName, traceId: string | undefined) => boolean,
  max: number,
): { lines: LoggedLine[]; more: number } {
  const lines: LoggedLine[] = [];
  let total = 0;
  store.forEachSince(fromSeq, (segment, index) => {
    const labels = store.streamLabels(segment.streams[index]!);
    const level = levelName(infoLevel(segment.info[index]!));
    const traceId = segment.traceIds?.[index];
    if (!keep(labels, level, traceId)) return;
    total++;
    lines.push({ timeMs: segment.times[index]!, labels, level, line: segment.lines[index]!, ...(traceId ? { traceId } : {}) });
    if (lines.length > max) lines.shift();
  });
  return { lines, more: total - lines.length };
}

/** What an action's Server section and app_start show: warnings and worse, and stderr lines that name no level. */
export function isProblemLine(labels: Labels, level: LevelName): boolean {
  return isProblemLevel(LEVEL[level]) || (level === 'unknown' && labels.stream === 'stderr');
}
