import { describe, expect, it } from 'vitest';
import { RequestInterceptor, type InterceptRule } from '../../src/cdp/interceptor.js';

/**
 * The interceptor's own decisions, replayed through a stand-in for the CDP session (the e2e tests
 * drive it on a real page: environment.test.ts). What it sends for each paused request, and when
 * it turns the Fetch domain on and off.
 */
function setUp() {
  const sent: { method: string; params?: Record<string, unknown> }[] = [];
  let paused: ((event: never) => void) | undefined;
  const interceptor = new RequestInterceptor(
    async <T>(method: string, params?: Record<string, unknown>) => {
      sent.push({ method, params });
      return {} as T;
    },
    (_event, handler) => {
      paused = handler as (event: never) => void;
    },
  );
  const pause = async (url: string, id = 'F1') => {
    paused!({ requestId: id, networkId: `N${id}`, request: { url, method: 'GET', headers: { accept: '*/*' } } } as never);
    await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { interceptor, sent, pause };
}

const rule = (id: string, match: string, outcome: InterceptRule['outcome'], extra: Partial<InterceptRule> = {}): InterceptRule => ({
  id,
  label: id,
  test: (url) => url.includes(match),
  fetchPattern: `*${match}*`,
  outcome,
  ...extra,
});

describe('RequestInterceptor', () => {
  it('enables Fetch with the rules\' patterns only while it has rules', async () => {
    const { interceptor, sent } = setUp();
    expect(sent).toEqual([]);
    await interceptor.add(rule('m1', '/api/a', { kind: 'fail', reason: 'refused' }));
    await interceptor.add(rule('m2', '/api/b', { kind: 'fail', reason: 'timeout' }));
    expect(sent.at(-1)).toEqual({ method: 'Fetch.enable', params: { patterns: [{ urlPattern: '*/api/a*', requestStage: 'Request' }, { urlPattern: '*/api/b*', requestStage: 'Request' }] } });
    await interceptor.remove(['m1']);
    expect(sent.at(-1)!.method).toBe('Fetch.enable');
    await interceptor.remove();
    expect(sent.at(-1)).toEqual({ method: 'Fetch.disable', params: undefined });
  });

  it('adds every matching rule\'s headers, and lets the first rule that decides decide', async () => {
    const { interceptor, sent, pause } = setUp();
    const seen: unknown[] = [];
    interceptor.onIntercepted((event) => seen.push(event));
    await interceptor.add(rule('trace', 'app.test', { kind: 'continue' }, { headers: { traceparent: '00-abc-def-01' } }));
    await interceptor.add(rule('m1', '/api/cart', { kind: 'fulfil', status: 500, headers: { 'content-type': 'text/plain' }, body: 'down' }), { first: true });
    sent.length = 0;
    await pause('http://app.test/api/cart');
    expect(sent).toEqual([{ method: 'Fetch.fulfillRequest', params: { requestId: 'F1', responseCode: 500, responseHeaders: [{ name: 'content-type', value: 'text/plain' }], body: Buffer.from('down').toString('base64') } }]);
    sent.length = 0;
    await pause('http://app.test/page', 'F2');
    expect(sent).toEqual([{ method: 'Fetch.continueRequest', params: { requestId: 'F2', headers: [{ name: 'accept', value: '*/*' }, { name: 'traceparent', value: '00-abc-def-01' }] } }]);
    sent.length = 0;
    await pause('http://elsewhere.test/', 'F3');
    expect(sent).toEqual([{ method: 'Fetch.continueRequest', params: { requestId: 'F3' } }]);
    // The rule that only added a header did not mock NF2: the network log must not say it did.
    expect(seen).toEqual([{ networkId: 'NF1', ruleId: 'm1', outcome: 'fulfil' }]);
  });

  it('reads a rule\'s headers once per request, and does not report a rule that only adds headers', async () => {
    const { interceptor, sent, pause } = setUp();
    const seen: unknown[] = [];
    interceptor.onIntercepted((event) => seen.push(event));
    let reads = 0;
    await interceptor.add({
      ...rule('trace', 'app.test', { kind: 'continue' }),
      // Like the traceparent rule: a new value per request, none between actions.
      get headers(): Record<string, string> {
        reads++;
        return reads === 1 ? { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` } : {};
      },
    });
    sent.length = 0;
    await pause('http://app.test/a');
    await pause('http://app.test/b', 'F2');
    expect(reads).toBe(2);
    expect(sent).toEqual([
      { method: 'Fetch.continueRequest', params: { requestId: 'F1', headers: [{ name: 'accept', value: '*/*' }, { name: 'traceparent', value: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` }] } },
      { method: 'Fetch.continueRequest', params: { requestId: 'F2' } },
    ]);
    expect(seen).toEqual([]);
  });

  it('holds a request for a delay rule, then fails it as the network would', async () => {
    const { interceptor, sent, pause } = setUp();
    await interceptor.add(rule('m1', '/slow', { kind: 'fail', reason: 'timeout' }, { delayMs: 60 }));
    sent.length = 0;
    const started = Date.now();
    await pause('http://app.test/slow');
    expect(sent).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent).toEqual([{ method: 'Fetch.failRequest', params: { requestId: 'F1', errorReason: 'TimedOut' } }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });
});
