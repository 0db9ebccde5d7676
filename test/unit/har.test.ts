import { describe, expect, it } from 'vitest';
import type { NetworkEntry } from '../../src/capture/networkLog.js';
import { toHar } from '../../src/report/har.js';

const entry = (over: Partial<NetworkEntry>): NetworkEntry => ({
  id: 'r1',
  requestId: '1',
  method: 'POST',
  url: 'http://127.0.0.1/api/login?next=%2Fhome',
  resourceType: 'Fetch',
  status: 500,
  statusText: 'Internal Server Error',
  mimeType: 'application/json',
  startedAt: 1_000,
  endedAt: 1_250,
  size: 42,
  requestHeaders: { 'content-type': 'application/json', authorization: 'Bearer abc', cookie: 'sid=1' },
  responseHeaders: { 'set-cookie': 'sid=2', 'content-type': 'application/json' },
  hasPostData: true,
  postData: JSON.stringify({ user: 'ann', password: 'hunter2', nested: { apiKey: 'k' } }),
  extraInfo: 'received',
  seq: 1,
  ...over,
});

describe('HAR export', () => {
  it('writes a HAR 1.2 log with timings, query strings and statuses', () => {
    const har = toHar([entry({})], { id: 'run-1', title: 't', startedAt: 1_000 }, '0.1.0') as {
      log: { version: string; entries: { time: number; request: { queryString: unknown[]; headers: { name: string; value: string }[]; postData: { text: string } }; response: { status: number; headers: { name: string; value: string }[] } }[] };
    };
    expect(har.log.version).toBe('1.2');
    const [first] = har.log.entries;
    expect(first!.time).toBe(250);
    expect(first!.response.status).toBe(500);
    expect(first!.request.queryString).toEqual([{ name: 'next', value: '/home' }]);
    expect(first!.request.headers.find((h) => h.name === 'authorization')!.value).toBe('[redacted]');
    expect(first!.request.headers.find((h) => h.name === 'cookie')!.value).toBe('[redacted]');
    expect(first!.response.headers.find((h) => h.name === 'set-cookie')!.value).toBe('[redacted]');
    expect(JSON.parse(first!.request.postData.text)).toEqual({ user: 'ann', password: '[redacted]', nested: { apiKey: '[redacted]' } });
  });

  it('redacts every secret-looking header, query value and body field, not just Authorization and Cookie', () => {
    type Har = { log: { entries: { request: { url: string; queryString: { name: string; value: string }[]; headers: { name: string; value: string }[]; postData: { text: string } } }[] } };
    const har = toHar(
      [
        entry({
          url: 'http://127.0.0.1/api/login?token=tok1&page=2',
          requestHeaders: { 'Content-Type': 'text/plain', 'X-Api-Key': 'key1', referer: 'http://127.0.0.1/login?token=tok2' },
          postData: 'user=ann\npassword=pw1',
        }),
      ],
      { id: 'run-1', title: 't', startedAt: 1_000 },
      '0.1.0',
    ) as Har;
    const { request } = har.log.entries[0]!;
    const text = JSON.stringify(har);
    for (const secret of ['tok1', 'tok2', 'key1', 'pw1']) expect(text).not.toContain(secret);
    expect(request.url).toBe('http://127.0.0.1/api/login?token=[redacted]&page=2');
    expect(request.queryString).toEqual([{ name: 'token', value: '[redacted]' }, { name: 'page', value: '2' }]);
    expect(request.postData.text).toBe('user=ann\npassword=[redacted]');
  });
});
