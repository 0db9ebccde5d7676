/**
 * The same logs answers from the embedded log store and from Loki, through the LogsBackend
 * interface and the logs formatter. Loki cannot be installed here: a fixture answers as the Loki
 * HTTP API documents (Loki 3.x: query_range and query, Unix-ns times, categorized labels with
 * structured metadata and parsed labels per entry, the listings), from the entries the embedded
 * store holds. Tested by contract, not live (docs/team-stack.md says so).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLogsAnswer } from '../../src/format/logsFormat.js';
import type { LogQueryOptions, LogsBackend } from '../../src/telemetry/backends.js';
import { EmbeddedLogs } from '../../src/telemetry/logs/backend.js';
import { loadLogql } from '../../src/telemetry/logs/logql/parse.js';
import { LogStore } from '../../src/telemetry/logs/store.js';
import { LokiClient } from '../../src/telemetry/remote/loki.js';
import { FixtureBackend } from '../helpers/fixtureBackend.js';
import { lokiAnswers } from '../helpers/lokiFixture.js';

const NOW = Date.now();
const store = new LogStore();
const embedded = new EmbeddedLogs(store);
/**
 * The last hour as of the query: answers name a window that ends within 2 s of now "the last 1h",
 * so a window fixed at load time read as "from … to …" on a machine slow enough to take 2 s to
 * get to the query (the grammar and the fixture server load first).
 */
const lastHour = () => ({ startMs: Date.now() - 3_600_000, endMs: Date.now() });

/** api: pino JSON (some with trace ids), web: plain text on stdout and stderr, checkout: OTLP-like records. */
beforeAll(async () => {
  await loadLogql();
  const add = (secondsAgo: number, labels: Record<string, string>, line: string, extra: { traceId?: string; level?: string } = {}) =>
    store.append({ timeMs: NOW - secondsAgo * 1_000, labels, line, ...extra });
  for (let i = 0; i < 40; i++) {
    const api = { app: 'api', stream: 'stdout' };
    add(3_000 - i * 60, api, JSON.stringify({ level: i % 7 === 3 ? 50 : 30, msg: i % 7 === 3 ? 'upstream timeout' : 'request completed', status: i % 7 === 3 ? 502 : 200, took: `${i * 3}ms` }), i % 5 === 0 ? { traceId: `${i}`.padStart(32, 'a') } : {});
    if (i % 4 === 0) add(2_990 - i * 60, { app: 'web', stream: i % 8 === 0 ? 'stderr' : 'stdout' }, i % 8 === 0 ? 'Error: proxy timeout\n    at Proxy.handle (proxy.js:1:1)' : `GET /cart ${i}`);
    if (i % 10 === 0) add(2_980 - i * 60, { service_name: 'checkout' }, `charge failed amount=${i}`, { level: 'error', traceId: `${i}`.padStart(32, 'c') });
  }
});

const lokiFixture = lokiAnswers(store);

async function rendered(backend: LogsBackend, query: string, options: LogQueryOptions = { ...lastHour(), limit: 500 }): Promise<string> {
  const answer = await backend.query(query, options);
  return formatLogsAnswer(answer.data, answer.stats, { budget: 6_000, query, raw: /\|\s*line_format\b/.test(query), tool: 'logs' });
}

describe('Loki (fixture answering as the Loki 3.x HTTP API documents)', () => {
  const loki = new FixtureBackend(lokiFixture);
  let client: LokiClient;
  beforeAll(async () => {
    await loki.start();
    client = new LokiClient({ baseUrl: loki.url });
  });
  afterAll(() => loki.stop());

  const QUERIES = [
    '{app="api"}',
    '{app=~"api|web"} |= "timeout"',
    '{app="api"} | json | level="error"',
    '{app="api"} | json | status >= 500 | line_format "{{.msg}} ({{.took}})"',
    '{service_name="checkout"}',
    'sum by (app) (count_over_time({app=~".+"}[5m]))',
    'count_over_time({app="api"}[1h])',
    'sum by (detected_level) (count_over_time({app="api"}[10m]))',
    'topk(1, sum by (stream) (bytes_over_time({app="web"}[1h])))',
  ];

  it('renders the same answers as the embedded store: log lines (levels, trace ids), metric series at the same steps, instant vectors', async () => {
    for (const query of QUERIES) {
      const options = { ...lastHour(), limit: 500 }; // one window for both, as their answers name it
      expect(await rendered(client, query, options), query).toBe(await rendered(embedded, query, options));
    }
    // They did answer something: the comparison is not of empty answers.
    expect(await rendered(embedded, '{app="api"} | json | level="error"')).toMatch(/^6 entries in the last 1h/);
    expect(await rendered(embedded, '{service_name="checkout"}')).toContain('trace=');
  });

  it('says that more may match when Loki stops at the limit (the embedded store counts them all)', async () => {
    const options = { ...lastHour(), limit: 5 };
    expect((await rendered(embedded, '{app="api"}', options)).split('\n')[0]).toMatch(/^40 entries in the last 1h, newest first \(showing 5\)/);
    const text = await rendered(client, '{app="api"}', options);
    expect(text.split('\n')[0]).toMatch(/^5 entries or more in the last 1h, newest first/);
    expect(text).toContain('Note: Loki answered its limit of 5 entries; more may match.');
  });

  it('lists what exists, for an empty answer, from Loki\'s own listings', async () => {
    const catalog = await client.catalog(lastHour());
    expect(catalog.labels).toEqual({ app: ['api', 'web'], service_name: ['checkout'], stream: ['stderr', 'stdout'] });
    expect(catalog.streams.map((stream) => stream.labels)).toEqual([{ service_name: 'checkout' }]);
    const mine = await embedded.catalog();
    expect(mine.labels).toEqual(catalog.labels);
    expect(mine.streams).toContainEqual({ labels: { service_name: 'checkout' }, entries: 4 });
    expect(await embedded.series(['{app="web"}'])).toEqual([{ app: 'web', stream: 'stderr' }, { app: 'web', stream: 'stdout' }]);
  });
});
