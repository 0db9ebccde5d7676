import { isFailed, type NetworkEntry } from '../capture/networkLog.js';
import { requestContentType } from '../capture/redactEntries.js';
import { REDACTED, isSecretName, redactBody, redactText, redactUrl } from '../util/redact.js';

/** HAR headers, one per line of a folded value (Set-Cookie), each through util/redact. */
function headers(record: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(record).flatMap(([name, value]) =>
    String(value)
      .split('\n')
      .map((line) => ({ name, value: isSecretName(name) ? REDACTED : redactText(line) })),
  );
}

function query(url: string): { name: string; value: string }[] {
  try {
    return [...new URL(url).searchParams.entries()].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

/**
 * A HAR 1.2 log of a run's requests, loadable in Chrome DevTools' Network panel. Reports get
 * shared, so credentials are redacted (util/redact): secret-looking headers, query values and
 * body fields. Request bodies are kept (they often are the bug), and so are the text bodies of
 * failed responses that a journey run kept (report/failedBodies.ts; a comment says when one was cut).
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
        const url = redactUrl(entry.url);
        const bodyType = requestContentType(entry) ?? 'application/octet-stream';
        return {
          pageref: page.id,
          startedDateTime: new Date(entry.startedAt).toISOString(),
          time,
          request: {
            method: entry.method,
            url,
            httpVersion: 'HTTP/1.1',
            headers: headers(entry.requestHeaders),
            queryString: query(url),
            cookies: [],
            headersSize: -1,
            bodySize: entry.postData ? Buffer.byteLength(entry.postData) : 0,
            ...(entry.postData ? { postData: { mimeType: bodyType, text: redactBody(entry.postData, bodyType) } } : {}),
          },
          response: {
            status: entry.status ?? 0,
            statusText: entry.failure ?? entry.statusText ?? '',
            httpVersion: 'HTTP/1.1',
            headers: headers(entry.responseHeaders),
            cookies: [],
            content: {
              size: entry.responseBody?.bytes ?? entry.size ?? 0,
              mimeType,
              ...(entry.responseBody
                ? { text: redactBody(entry.responseBody.text, mimeType), ...(entry.responseBody.truncated ? { comment: `cut by Legible: the first ${entry.responseBody.text.length} characters of ${entry.responseBody.bytes} bytes` } : {}) }
                : {}),
            },
            redirectURL: redactUrl(entry.responseHeaders.location ?? entry.responseHeaders.Location ?? ''),
            headersSize: -1,
            bodySize: entry.size ?? -1,
            ...(entry.failure ? { _error: redactText(entry.failure) } : {}),
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
