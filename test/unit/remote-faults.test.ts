/**
 * Every remote client, against a backend that misbehaves: refuses the connection, answers 500,
 * answers slowly past the limit (before the headers, or trickling the body), answers garbage
 * (not JSON, or JSON of the wrong shape) or too much. Each is a clear LegibleError, naming the
 * backend and what to do, within the client's time limit — never a hang, never a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JaegerClient } from '../../src/telemetry/remote/jaeger.js';
import { LokiClient } from '../../src/telemetry/remote/loki.js';
import { RemoteError } from '../../src/telemetry/remote/http.js';
import { PrometheusClient } from '../../src/telemetry/remote/prometheus.js';
import { TempoClient } from '../../src/telemetry/remote/tempo.js';
import { FixtureBackend, type FixtureAnswer } from '../helpers/fixtureBackend.js';
import { freePort } from '../helpers/prometheus.js';

const NOW = Date.now();
const WINDOW = { startMs: NOW - 3_600_000, endMs: NOW };
const TIMEOUT = 400;
/** Slack for a loaded 2-core machine: the bound is the limit plus this, not a speed goal. */
const SLACK = 2_500;

interface Case {
  kind: string;
  flag: string;
  ask: (baseUrl: string, options?: { maxBytes?: number }) => Promise<unknown>;
  /** A 500 answer in the backend's own error format, carrying `message`. */
  failure: (message: string) => FixtureAnswer;
  /** JSON of the wrong shape for the asked path. */
  wrongShape: FixtureAnswer;
  wrongPath: string;
}

const CASES: Case[] = [
  {
    kind: 'Prometheus API',
    flag: '--metrics-url',
    ask: (baseUrl, options) => new PrometheusClient({ baseUrl, timeoutMs: TIMEOUT, ...options }).query('up', NOW),
    failure: (message) => ({ status: 500, body: { status: 'error', errorType: 'internal', error: message } }),
    wrongShape: { body: { status: 'success', data: { resultType: 'vector', result: 'nope' } } },
    wrongPath: 'data.result',
  },
  {
    kind: 'Loki',
    flag: '--logs-url',
    ask: (baseUrl, options) => new LokiClient({ baseUrl, timeoutMs: TIMEOUT, ...options }).query('{app="api"} |= "error"', { ...WINDOW, limit: 100 }),
    failure: (message) => ({ status: 500, body: message }),
    wrongShape: { body: { status: 'success', data: { resultType: 'streams', result: [{ stream: { app: 'api' }, values: [['yesterday', 'line']] }] } } },
    wrongPath: 'data.result.0.values.0.0',
  },
  {
    kind: 'Tempo',
    flag: '--traces-url',
    ask: (baseUrl, options) => new TempoClient({ baseUrl, timeoutMs: TIMEOUT, ...options }).search('{ }', { ...WINDOW, limit: 20 }),
    failure: (message) => ({ status: 500, body: message }),
    wrongShape: { body: { traces: [{ traceID: 'not hex', startTimeUnixNano: '1' }] } },
    wrongPath: 'traces.0.traceID',
  },
  {
    kind: 'Jaeger query API',
    flag: '--traces-url',
    ask: (baseUrl, options) => new JaegerClient({ baseUrl, timeoutMs: TIMEOUT, ...options }).search('{ resource.service.name = "api" }', { ...WINDOW, limit: 20 }),
    failure: (message) => ({ status: 500, body: { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 500, msg: message }] } }),
    wrongShape: { body: { data: [{ traceID: 'abc', spans: [{ traceID: 'abc', spanID: 'def', startTime: 'yesterday' }] }] } },
    wrongPath: 'data.0.spans.0.startTime',
  },
];

async function failure(run: () => Promise<unknown>): Promise<{ error: RemoteError; ms: number }> {
  const began = performance.now();
  try {
    await run();
  } catch (error) {
    return { error: error as RemoteError, ms: performance.now() - began };
  }
  throw new Error('expected the call to fail');
}

describe.each(CASES)('$kind client faults', (testCase) => {
  const backend = new FixtureBackend(() => ({ body: {} }));
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());
  const where = () => `${testCase.kind} at ${backend.url}`;

  it('refused connection: says so at once, and how to fix it', async () => {
    const port = await freePort();
    const { error, ms } = await failure(() => testCase.ask(`http://127.0.0.1:${port}`));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.failure).toBe('unreachable');
    expect(error.message).toBe(`Could not reach the ${testCase.kind} at http://127.0.0.1:${port}: connection refused (nothing listens there).`);
    expect(error.hint).toContain(`is ${testCase.flag} right?`);
    expect(ms).toBeLessThan(TIMEOUT + SLACK);
    // A port Node's fetch refuses outright (as browsers do) is named as such, not as "fetch failed".
    const blocked = await failure(() => testCase.ask('http://127.0.0.1:6000'));
    expect(blocked.error.message).toBe(`Could not reach the ${testCase.kind} at http://127.0.0.1:6000: Node's fetch will not connect to that port (one of the ports browsers block): use another port.`);
  });

  it('500: quotes the backend\'s own message, bounded', async () => {
    backend.answer(() => testCase.failure(`storage unavailable: ${'x'.repeat(5_000)}`));
    const { error } = await failure(() => testCase.ask(backend.url));
    expect(error.failure).toBe('http');
    expect(error.status).toBe(500);
    expect(error.message).toMatch(new RegExp(`^The ${where().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} answered 500 Internal Server Error to the search|query: "`.replace('search|query', '(search|query)')));
    expect(error.message).toContain('storage unavailable: xxx');
    expect(error.message.length).toBeLessThan(400);
    expect(error.hint).toContain('failed on its side');
  });

  it('slow past the limit, before the headers: a timeout within the bound', async () => {
    backend.answer(() => ({ delayMs: 10_000, body: {} }));
    const { error, ms } = await failure(() => testCase.ask(backend.url));
    expect(error.failure).toBe('timeout');
    expect(error.message).toMatch(new RegExp(`did not answer the (search|query) within ${TIMEOUT} ms\\.$`));
    expect(error.hint).toContain('--backend-timeout');
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT - 50);
    expect(ms).toBeLessThan(TIMEOUT + SLACK);
  });

  it('slow past the limit, trickling the body: a timeout within the bound', async () => {
    backend.answer(() => ({ trickleMs: 100, body: { status: 'success', data: [] } }));
    const { error, ms } = await failure(() => testCase.ask(backend.url));
    expect(error.failure).toBe('timeout');
    expect(ms).toBeLessThan(TIMEOUT + SLACK);
  });

  it('garbage: an HTML page, or JSON of another shape, is named as such', async () => {
    backend.answer(() => ({ body: '<html><body>Sign in to continue</body></html>', contentType: 'text/html' }));
    const html = await failure(() => testCase.ask(backend.url));
    expect(html.error.failure).toBe('garbage');
    expect(html.error.message).toContain('with something that is not JSON (text/html; it starts with "<html><body>Sign in to continue</body></html>")');
    expect(html.error.hint).toContain(`Is ${testCase.flag} the base URL of a ${testCase.kind}? A proxy or a login page in between answers like this too.`);
    backend.answer(() => testCase.wrongShape);
    const shape = await failure(() => testCase.ask(backend.url));
    expect(shape.error.failure).toBe('garbage');
    expect(shape.error.message).toContain(`JSON that is not a ${testCase.kind} answer (${testCase.wrongPath}:`);
  });

  it('too large: stops reading and says how to ask for less', async () => {
    backend.answer(() => ({ body: { padding: 'y'.repeat(50_000) } }));
    const { error } = await failure(() => testCase.ask(backend.url, { maxBytes: 10_000 }));
    expect(error.failure).toBe('too-large');
    expect(error.message).toBe(`The answer of the ${where()} is larger than 10000 bytes; Legible stopped reading it.`);
  });
});
