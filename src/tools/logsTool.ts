import { z } from 'zod';
import { formatLogsAnswer, labelText } from '../format/logsFormat.js';
import { loadLogql, parseLogql } from '../telemetry/logs/logql/parse.js';
import { runLogql } from '../telemetry/logs/logql/query.js';
import type { LogStore } from '../telemetry/logs/store.js';
import { parseTime, requireDuration } from '../telemetry/time.js';
import { UsageError } from '../util/errors.js';
import { appStartTool } from './appTools.js';
import { defineTool } from './tool.js';

const BUDGET = 6_000;
const DEFAULT_QUERY = '{app=~".+"}';
const MAX_LIMIT = 5_000;

export const logsTool = defineTool({
  name: 'logs',
  title: 'Logs',
  description:
    "The apps' output in LogQL, e.g. {app=\"api\"} | json | level=\"error\", or count_over_time({app=\"api\"}[5m]). Newest first.",
  input: {
    query: z.string().min(1).optional().describe('Default: all apps.'),
    since: z.string().optional().describe('Default 1h. Or start/end: RFC 3339, -30m.'),
    start: z.string().optional(),
    end: z.string().optional(),
    limit: z.number().int().min(1).max(MAX_LIMIT).optional().describe('Default 100.'),
  },
  kind: 'read',
  scope: 'browser',
  async handle({ params, context, response }) {
    if (params.since !== undefined && params.start !== undefined) {
      throw new UsageError('Give "since" or "start", not both.', 'For example {"since":"15m"}, or {"start":"-1h","end":"-30m"}.');
    }
    // The grammar loads on the first query: read the clock after it, or an app printing meanwhile
    // would have its newest lines (those a small store still holds) after the range's end.
    await loadLogql();
    const now = Date.now();
    const endMs = params.end !== undefined ? parseTime(params.end, now) : now;
    const startMs = params.start !== undefined ? parseTime(params.start, now) : endMs - requireDuration(params.since ?? '1h', '"since"');
    if (startMs >= endMs) throw new UsageError('The time range is empty: "start" must be before "end".', 'For example {"start":"-1h","end":"-30m"}.');
    const text = params.query ?? DEFAULT_QUERY;
    const query = parseLogql(text);
    const store = context.logs();
    const answer = runLogql(store, query, { startMs, endMs, limit: params.limit ?? 100 });
    const empty = answer.data.result.length === 0;
    if (empty) {
      response.text(nothingFound(store, text, query.kind === 'log'));
      return;
    }
    const raw = /\|\s*line_format\b/.test(text);
    response.text(formatLogsAnswer(answer.data, answer.stats, { budget: BUDGET, query: text, raw, tool: logsTool.name }));
  },
});

/** An empty answer says what there is to query. */
function nothingFound(store: LogStore, query: string, logQuery: boolean): string {
  const streams = Array.from({ length: store.streamCount() }, (_, id) => ({ labels: store.streamLabels(id), entries: store.streamEntries(id) })).filter((stream) => stream.entries > 0);
  if (!streams.length) {
    return `Nothing matches: no app output has been captured yet. Legible captures the output of the apps it starts: call ${appStartTool.name} first.`;
  }
  const labels = [...store.labelValues(8)].map(([name, values]) => `${name}: ${values.join(', ')}`).join('; ');
  const { oldestMs, newestMs } = store.stats();
  const span = oldestMs !== undefined && newestMs !== undefined ? ` from ${new Date(oldestMs).toISOString()} to ${new Date(newestMs).toISOString()}` : '';
  const listed = streams.slice(0, 12).map((stream) => `${labelText(stream.labels)} ${stream.entries}`);
  return [
    `Nothing matches ${query} in that time range.`,
    `Streams held (entries${span}): ${listed.join(', ')}${streams.length > 12 ? `, … ${streams.length - 12} more` : ''}.`,
    `Labels: ${labels}. After | json or | logfmt, the fields of each line are labels too; detected_level holds the level Legible read from each line.`,
    logQuery ? 'Loosen the query (drop a filter), or look further back with "since".' : 'A metric query needs entries inside its [range]; widen the range or "since".',
  ].join('\n');
}
