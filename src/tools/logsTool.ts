import { z } from 'zod';
import { formatLogsAnswer, labelText } from '../format/logsFormat.js';
import { loadLogql, parseLogql } from '../telemetry/logs/logql/parse.js';
import type { LogsBackend, TimeWindow } from '../telemetry/backends.js';
import type { LogStore } from '../telemetry/logs/store.js';
import { parseTime, requireDuration } from '../telemetry/time.js';
import { UsageError } from '../util/errors.js';
import { appStartTool } from './appTools.js';
import { callText } from './family.js';
import { defineTool } from './tool.js';

const BUDGET = 6_000;
const DEFAULT_QUERY = '{app=~".+"}';
const MAX_LIMIT = 5_000;

export const logsTool = defineTool({
  name: 'logs',
  title: 'Logs',
  description:
    "The apps' output in LogQL: {app=\"api\"} | json | level=\"error\", count_over_time(…[5m]). Newest first.",
  input: {
    query: z.string().min(1).optional(),
    since: z.string().optional().describe('Default 1h; or start/end (RFC 3339, -30m).'),
    start: z.string().optional(),
    end: z.string().optional(),
    limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
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
    const backend = await context.telemetry().logsBackend();
    const now = Date.now();
    const endMs = params.end !== undefined ? parseTime(params.end, now) : now;
    const startMs = params.start !== undefined ? parseTime(params.start, now) : endMs - requireDuration(params.since ?? '1h', '"since"');
    if (startMs >= endMs) throw new UsageError('The time range is empty: "start" must be before "end".', 'For example {"start":"-1h","end":"-30m"}.');
    const text = params.query ?? DEFAULT_QUERY;
    // Parsed here too: a query Legible cannot read gets its error before any backend is asked.
    const query = parseLogql(text);
    const answer = await backend.query(text, { startMs, endMs, limit: params.limit ?? 100 });
    const empty = answer.data.result.length === 0;
    if (empty) {
      response.text(await nothingFound(backend, context.logs(), text, query.kind === 'log', { startMs, endMs }));
      return;
    }
    const raw = /\|\s*line_format\b/.test(text);
    response.text(formatLogsAnswer(answer.data, answer.stats, { budget: BUDGET, query: text, raw, tool: logsTool.name }));
  },
});

/** An empty answer says what there is to query (the backend's catalog; the embedded store's time span). */
async function nothingFound(backend: LogsBackend, store: LogStore, query: string, logQuery: boolean, window: TimeWindow): Promise<string> {
  const catalog = await backend.catalog(window).catch(() => ({ streams: [], labels: {} }));
  const streams = catalog.streams.filter((stream) => stream.entries === undefined || stream.entries > 0);
  if (!streams.length) {
    return backend.remote
      ? `Nothing matches ${query} in that time range, and ${backend.name} lists no streams in it.`
      : `Nothing matches: no app output has been captured yet. Legible captures the output of the apps it starts: call ${callText(appStartTool)} first.`;
  }
  const labels = Object.entries(catalog.labels)
    .map(([name, values]) => `${name}: ${values.slice(0, 8).join(', ')}${values.length > 8 ? ', …' : ''}`)
    .join('; ');
  const { oldestMs, newestMs } = store.stats();
  const span = !backend.remote && oldestMs !== undefined && newestMs !== undefined ? ` from ${new Date(oldestMs).toISOString()} to ${new Date(newestMs).toISOString()}` : '';
  const listed = streams.slice(0, 12).map((stream) => `${labelText(stream.labels)}${stream.entries !== undefined ? ` ${stream.entries}` : ''}`);
  return [
    `Nothing matches ${query} in that time range${backend.remote ? ` (${backend.name})` : ''}.`,
    `Streams ${backend.remote ? 'in the range' : `held (entries${span})`}: ${listed.join(', ')}${streams.length > 12 ? `, … ${streams.length - 12} more` : ''}.`,
    `Labels: ${labels}. After | json or | logfmt, the fields of each line are labels too; detected_level holds the level Legible read from each line.`,
    logQuery ? 'Loosen the query (drop a filter), or look further back with "since".' : 'A metric query needs entries inside its [range]; widen the range or "since".',
  ].join('\n');
}
