// LogQL on 1,000,000 stored lines: Legible's own log store and engine (the build in dist/), in
// this process, filled with pino-style lines of two apps. Times are medians of 3 runs of each
// query over the whole store; the first run of each query is the third measured (after two
// warm-up runs of all queries), as an agent's session would have run a few queries before.
import { LogStore } from '../dist/telemetry/logs/store.js';
import { loadLogql } from '../dist/telemetry/logs/logql/parse.js';
import { runLogql } from '../dist/telemetry/logs/logql/query.js';
import { median } from './report.mjs';

export const LOGQL_QUERIES = {
  lineFilter: '{app="api"} |= "timeout"',
  jsonLevel: '{app="api"} | json | level="error"',
  sumByLevel: 'sum by (level) (count_over_time({app="api"} | json [1m]))',
  // Regular expressions (RE2, linear time: telemetry/regex.ts): a line filter, a label filter, a regexp stage.
  lineRegex: '{app="api"} |~ "upstream (slow|timeout)"',
  labelRegex: '{app="api"} | json | level=~"error|warn"',
  regexpStage: 'sum by (msg) (count_over_time({app="api"} | regexp `"msg":"(?P<msg>[^"]+)"` [1m]))',
};

const MESSAGES = ['request completed', 'user logged in', 'cache miss for key', 'upstream slow', 'db query slow'];

/** A store holding `lines` entries: 90 % app "api" (pino JSON, 2 % errors, 0.1 % "timeout"), 10 % "web". */
export function filledStore(lines = 1_000_000) {
  const store = new LogStore({ maxEntries: lines, maxBytes: 2 ** 31 });
  const start = Date.now() - lines;
  for (let i = 0; i < lines; i++) {
    const level = i % 50 === 0 ? 50 : i % 10 === 0 ? 40 : 30;
    const msg = i % 1000 === 7 ? 'upstream timeout' : MESSAGES[i % 5];
    const line = `{"level":${level},"time":${start + i},"pid":1234,"hostname":"box","reqId":"req-${i}","msg":"${msg}","responseTime":${i % 997}}`;
    store.append({ timeMs: start + i, labels: i % 10 === 9 ? { app: 'web', stream: 'stdout' } : { app: 'api', stream: 'stdout' }, line });
  }
  return { store, start, end: start + lines };
}

export async function measureLogql(lines = 1_000_000) {
  await loadLogql();
  const built = performance.now();
  const { store, start, end } = filledStore(lines);
  const result = { lines, fillS: (performance.now() - built) / 1000, queries: {} };
  const options = { startMs: start - 1, endMs: end + 1, limit: 100 };
  const times = Object.fromEntries(Object.keys(LOGQL_QUERIES).map((key) => [key, []]));
  for (let round = 0; round < 5; round++) {
    for (const [key, query] of Object.entries(LOGQL_QUERIES)) {
      const began = performance.now();
      const answer = runLogql(store, query, options);
      const ms = performance.now() - began;
      if (round >= 2) times[key].push(ms);
      result.queries[key] = { query, matched: answer.stats.matched, series: answer.data.resultType === 'streams' ? undefined : answer.data.result.length, partial: answer.stats.partial };
    }
  }
  for (const key of Object.keys(times)) result.queries[key].ms = median(times[key]);
  return result;
}
