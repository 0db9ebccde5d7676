import { afterEach, describe, expect, it, vi } from 'vitest';
import { NetworkLog } from '../../src/capture/networkLog.js';
import type { PageDriver } from '../../src/cdp/pageDriver.js';

/**
 * Chrome's network stack sends the raw headers (Cookie, Set-Cookie) in "extra info" events whose
 * order against the renderer's events is not fixed: over 120 loads of a fetch from a local
 * server, 3 in 40 got the request's extra info before requestWillBeSent, and 2 in 40 and 7 in 80
 * got the extra info after loadingFinished (up to 4 ms late). These tests replay each order into
 * a NetworkLog through a stand-in for the CDP session.
 */
class FakeCdp {
  private readonly handlers = new Map<string, (params: never) => void>();
  readonly driver = {
    onCdp: (event: string, handler: (params: never) => void) => {
      this.handlers.set(event, handler);
      return () => this.handlers.delete(event);
    },
    send: async () => ({}),
    interceptor: { onIntercepted: () => () => undefined },
  } as unknown as PageDriver;

  emit(event: string, params: unknown): void {
    this.handlers.get(`Network.${event}`)?.(params as never);
  }
}

const REQUEST = { requestId: 'R1', type: 'Fetch', request: { url: 'http://127.0.0.1/api/data', method: 'GET', headers: { accept: '*/*' } } };
const RESPONSE = { requestId: 'R1', hasExtraInfo: true, response: { status: 200, statusText: 'OK', mimeType: 'application/json', headers: { 'content-type': 'application/json' } } };
const REQUEST_EXTRA = { requestId: 'R1', headers: { cookie: 'token=1' } };
const RESPONSE_EXTRA = { requestId: 'R1', headers: { 'set-cookie': 'session=2', 'content-type': 'application/json' } };
const FINISHED = { requestId: 'R1', encodedDataLength: 60 };

async function logOf(cdp: FakeCdp): Promise<NetworkLog> {
  return NetworkLog.attach(cdp.driver);
}

describe('NetworkLog extra info', () => {
  it('keeps raw headers that arrive before the request itself', async () => {
    const cdp = new FakeCdp();
    const log = await logOf(cdp);
    cdp.emit('requestWillBeSentExtraInfo', REQUEST_EXTRA);
    cdp.emit('responseReceivedExtraInfo', RESPONSE_EXTRA);
    cdp.emit('requestWillBeSent', REQUEST);
    cdp.emit('responseReceived', RESPONSE);
    cdp.emit('loadingFinished', FINISHED);
    const [entry] = log.all();
    expect(entry!.requestHeaders.cookie).toBe('token=1');
    expect(entry!.responseHeaders['set-cookie']).toBe('session=2');
    expect(entry!.extraInfo).toBe('received');
  });

  it('waits for raw headers announced by the response that come after loadingFinished', async () => {
    const cdp = new FakeCdp();
    const log = await logOf(cdp);
    cdp.emit('requestWillBeSent', REQUEST);
    cdp.emit('responseReceived', RESPONSE);
    cdp.emit('loadingFinished', FINISHED);
    const [entry] = log.all();
    expect(entry!.extraInfo).toBe('expected');
    setTimeout(() => {
      cdp.emit('requestWillBeSentExtraInfo', REQUEST_EXTRA);
      cdp.emit('responseReceivedExtraInfo', RESPONSE_EXTRA);
    }, 30);
    // Returns when the headers come (it would hang past the test's timeout if it waited it out).
    await log.completeHeaders(entry!, 60_000);
    expect(entry!.responseHeaders['set-cookie']).toBe('session=2');
    expect(entry!.requestHeaders.cookie).toBe('token=1');
  });

  it('does not wait when Chrome said no extra info would come, and gives up on one that never does', async () => {
    const cdp = new FakeCdp();
    const log = await logOf(cdp);
    cdp.emit('requestWillBeSent', REQUEST);
    cdp.emit('responseReceived', { ...RESPONSE, hasExtraInfo: false });
    const [entry] = log.all();
    // Would hang past the test's timeout if it waited for extra info that was never announced.
    await log.completeHeaders(entry!, 60_000);
    expect(entry!.extraInfo).toBe('none');

    cdp.emit('requestWillBeSent', { ...REQUEST, requestId: 'R2' });
    cdp.emit('responseReceived', { ...RESPONSE, requestId: 'R2' });
    const second = log.all()[1]!;
    await log.completeHeaders(second, 40);
    expect(second.extraInfo).toBe('expected');
    expect(second.status).toBe(200);
  });
});

describe('NetworkLog in-flight requests', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const inflight = (log: NetworkLog) => log.inflightSince(0, 0).map((entry) => entry.url);

  /** A log whose clock reads 1,000,000 ms when REQUEST starts. */
  async function requestAtOneMillion(): Promise<{ cdp: FakeCdp; log: NetworkLog }> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const cdp = new FakeCdp();
    const log = await logOf(cdp);
    cdp.emit('requestWillBeSent', REQUEST);
    return { cdp, log };
  }

  it('stops waiting for a body that came in full but never finished loading (an unread error response)', async () => {
    const { cdp, log } = await requestAtOneMillion();
    expect(inflight(log)).toEqual([REQUEST.request.url]);
    cdp.emit('responseReceived', RESPONSE);
    cdp.emit('dataReceived', { requestId: 'R1', dataLength: 16, encodedDataLength: 27 });
    vi.setSystemTime(1_000_090);
    expect(inflight(log)).toHaveLength(1);
    vi.setSystemTime(1_000_101);
    expect(inflight(log)).toEqual([]);
  });

  it('keeps waiting while a body is still streaming in, past the unread limit, up to a second', async () => {
    const { cdp, log } = await requestAtOneMillion();
    cdp.emit('responseReceived', RESPONSE);
    for (let t = 40; t <= 960; t += 40) {
      vi.setSystemTime(1_000_000 + t);
      cdp.emit('dataReceived', { requestId: 'R1', dataLength: 1000, encodedDataLength: 1000 });
      expect(inflight(log)).toHaveLength(1);
    }
    // A stream that never ends holds an action back for at most a second after its headers.
    vi.setSystemTime(1_001_001);
    cdp.emit('dataReceived', { requestId: 'R1', dataLength: 1000, encodedDataLength: 1000 });
    expect(inflight(log)).toEqual([]);
    cdp.emit('loadingFinished', FINISHED);
    expect(inflight(log)).toEqual([]);
  });

  it('gives a response whose body never starts 300 ms after its headers', async () => {
    const { cdp, log } = await requestAtOneMillion();
    cdp.emit('responseReceived', RESPONSE);
    vi.setSystemTime(1_000_250);
    expect(inflight(log)).toHaveLength(1);
    vi.setSystemTime(1_000_301);
    expect(inflight(log)).toEqual([]);
  });
});

describe('NetworkLog redirects', () => {
  it("gives a redirect's late raw headers to the redirect, not to the next hop", async () => {
    const cdp = new FakeCdp();
    const log = await logOf(cdp);
    cdp.emit('requestWillBeSent', { ...REQUEST, request: { ...REQUEST.request, url: 'http://127.0.0.1/login', method: 'POST' } });
    cdp.emit('requestWillBeSent', {
      ...REQUEST,
      request: { ...REQUEST.request, url: 'http://127.0.0.1/home' },
      redirectHasExtraInfo: true,
      redirectResponse: { status: 302, statusText: 'Found', headers: { location: '/home' } },
    });
    // The 302's Set-Cookie comes only now, after the next hop started; then the next hop's own.
    cdp.emit('responseReceivedExtraInfo', { requestId: 'R1', headers: { 'set-cookie': 'sid=new', location: '/home' } });
    cdp.emit('responseReceived', RESPONSE);
    const [login, home] = log.all();
    expect(login!.status).toBe(302);
    expect(login!.responseHeaders['set-cookie']).toBe('sid=new');
    expect(home!.extraInfo).toBe('expected');
    expect(home!.responseHeaders['set-cookie']).toBeUndefined();
    cdp.emit('responseReceivedExtraInfo', RESPONSE_EXTRA);
    expect(home!.responseHeaders['set-cookie']).toBe('session=2');
    expect(home!.extraInfo).toBe('received');
  });
});
