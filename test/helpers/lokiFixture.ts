/**
 * Loki as the "Loki HTTP API" page of Loki 3.x documents it (query_range and query with Unix-ns
 * times, categorized labels: structured metadata and parsed labels per entry, the label and series
 * listings), answering from an embedded LogStore through the embedded LogQL engine: the stand-in
 * for a Loki, which cannot be installed here (docs/team-stack.md: tested by contract).
 */
import { fromNanos } from '../../src/telemetry/logs/logql/answer.js';
import { runLogql } from '../../src/telemetry/logs/logql/query.js';
import type { LogQueryOptions } from '../../src/telemetry/backends.js';
import type { LogStore } from '../../src/telemetry/logs/store.js';
import type { Asked, FixtureAnswer } from './fixtureBackend.js';

/** Loki as its API answers, from the embedded engine's answer over the same store. */
export function lokiAnswers(store: LogStore): (asked: Asked) => FixtureAnswer {
  return (asked) => {
    const { path, params } = asked;
    const ms = (name: string) => fromNanos(params.get(name)!);
    if (path === '/loki/api/v1/query_range' || path === '/loki/api/v1/query') {
      const query = params.get('query')!;
      const instant = path.endsWith('/query');
      const options: LogQueryOptions = instant
        ? { startMs: ms('time') - 1, endMs: ms('time'), limit: Number(params.get('limit')) }
        : { startMs: ms('start'), endMs: ms('end'), limit: Number(params.get('limit')), ...(params.get('step') ? { stepMs: Number(params.get('step')) * 1000 } : {}), ...(params.get('direction') ? { direction: params.get('direction') as 'forward' } : {}) };
      let answer;
      try {
        answer = runLogql(store, query, options);
      } catch (error) {
        return { status: 400, body: `parse error : ${(error as Error).message.split('\n')[0]}` };
      }
      const data = answer.data;
      const stats = { summary: { totalLinesProcessed: answer.stats.scanned, execTime: 0.003 } };
      if (data.resultType !== 'streams') return { body: { status: 'success', data: { ...data, stats } } };
      // categorize-labels: structured metadata and parsed labels per entry, stream labels alone.
      const result = data.result.map((stream) => ({ stream: stream.stream, values: stream.values.map((value) => [value[0], value[1], { structuredMetadata: value[2]?.structuredMetadata ?? {}, parsed: {} }]) }));
      return { body: { status: 'success', data: { resultType: 'streams', result, stats } } };
    }
    if (path === '/loki/api/v1/labels') return { body: { status: 'success', data: [...store.labelValues(0).keys()] } };
    const values = /^\/loki\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
    if (values) return { body: { status: 'success', data: store.labelValues(1_000).get(values[1]!) ?? [] } };
    if (path === '/loki/api/v1/series') {
      const selector = params.getAll('match[]')[0]!;
      const name = /^\{(\w+)=~"\.\+"\}$/.exec(selector)![1]!;
      const streams = Array.from({ length: store.streamCount() }, (_, id) => store.streamLabels(id)).filter((labels) => labels[name] !== undefined);
      return { body: { status: 'success', data: streams } };
    }
    return { status: 404, body: '404 page not found' };
  };
}
