import { isFailed, type NetworkEntry } from '../capture/networkLog.js';

const SECRET = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

function headers(record: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(record).flatMap(([name, value]) =>
    String(value)
      .split('\n')
      .map((line) => ({ name, value: SECRET.has(name.toLowerCase()) ? '[redacted]' : line })),
  );
}

function contentType(entry: NetworkEntry): string {
  return entry.requestHeaders['content-type'] ?? entry.requestHeaders['Content-Type'] ?? 'application/octet-stream';
}

function query(url: string): { name: string; value: string }[] {
  try {
    return [...new URL(url).searchParams.entries()].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

const SECRET_FIELD = /pass(word)?|passwd|secret|token|api[-_]?key|credential/i;

/**
 * A request body with secret-looking fields (password, token, api key…) redacted, for JSON and
 * form-encoded bodies; other bodies are kept as they are.
 */
export function redactBody(body: string, contentType: string): string {
  if (/json/i.test(contentType) || /^\s*[{[]/.test(body)) {
    try {
      return JSON.stringify(JSON.parse(body), (key, value: unknown) => (key && SECRET_FIELD.test(key) ? '[redacted]' : value));
    } catch {
      return body;
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType)) {
    const params = new URLSearchParams(body);
    for (const key of [...params.keys()]) if (SECRET_FIELD.test(key)) params.set(key, '[redacted]');
    return params.toString();
  }
  return body;
}

/**
 * A HAR 1.2 log of a run's requests, loadable in Chrome DevTools' Network panel. Reports get
 * shared, so credentials are redacted: Authorization and cookie headers, and secret-looking
 * fields of request bodies. Request bodies are kept (they often are the bug); response bodies
 * are not included.
 */
export function toHar(entries: NetworkEntry[], page: { id: string; title: string; startedAt: number }, creatorVersion: string): object {
  return {
    log: {
      version: '1.2',
      creator: { name: 'legible', version: creatorVersion },
      pages: [{ startedDateTime: new Date(page.startedAt).toISOString(), id: page.id, title: page.title, pageTimings: {} }],
      entries: entries.map((entry) => {
        const time = entry.endedAt !== undefined ? entry.endedAt - entry.startedAt : 0;
        const mimeType = entry.mimeType ?? 'x-unknown';
        return {
          pageref: page.id,
          startedDateTime: new Date(entry.startedAt).toISOString(),
          time,
          request: {
            method: entry.method,
            url: entry.url,
            httpVersion: 'HTTP/1.1',
            headers: headers(entry.requestHeaders),
            queryString: query(entry.url),
            cookies: [],
            headersSize: -1,
            bodySize: entry.postData ? Buffer.byteLength(entry.postData) : 0,
            ...(entry.postData ? { postData: { mimeType: contentType(entry), text: redactBody(entry.postData, contentType(entry)) } } : {}),
          },
          response: {
            status: entry.status ?? 0,
            statusText: entry.failure ?? entry.statusText ?? '',
            httpVersion: 'HTTP/1.1',
            headers: headers(entry.responseHeaders),
            cookies: [],
            content: { size: entry.size ?? 0, mimeType },
            redirectURL: entry.responseHeaders.location ?? entry.responseHeaders.Location ?? '',
            headersSize: -1,
            bodySize: entry.size ?? -1,
            ...(entry.failure ? { _error: entry.failure } : {}),
          },
          cache: {},
          timings: { send: 0, wait: time, receive: 0 },
          _resourceType: entry.resourceType.toLowerCase(),
          ...(isFailed(entry) ? { _failed: true } : {}),
        };
      }),
    },
  };
}
