import { isFailed, type NetworkEntry, type NetworkLog } from '../capture/networkLog.js';
import { redactBody } from '../util/redact.js';

/** Characters of each body kept (after redaction); the HAR says when a body was cut. */
export const MAX_BODY_CHARS = 16_000;
/** Failed requests whose bodies are kept, the first ones of the run. */
const MAX_BODIES = 20;
/** Bodies past this are cut before redaction (redaction reads the whole text). */
const MAX_READ_CHARS = 1_000_000;
/** Response types whose bodies are text: the error message a failing API sends. */
const TEXT_TYPE = /^text\/|json|xml|javascript|x-www-form-urlencoded|graphql/i;

/**
 * The run's requests, with the text bodies of the failed ones (a 500's error message is often
 * the bug), read from the browser while the run's tabs are still open: Chrome forgets them when a
 * tab closes. Bounded (MAX_BODIES, MAX_BODY_CHARS) and redacted like everything Legible writes.
 */
export async function withFailedBodies(entries: NetworkEntry[], logs: NetworkLog[]): Promise<NetworkEntry[]> {
  const failed = new Set(entries.filter(isFailed).filter((entry) => !entry.mimeType || TEXT_TYPE.test(entry.mimeType)).slice(0, MAX_BODIES));
  return Promise.all(
    entries.map(async (entry) => {
      if (!failed.has(entry)) return entry;
      let got: { body: Buffer; base64: boolean } | undefined;
      for (const log of logs) if ((got = await log.responseBody(entry))) break;
      if (!got || (got.base64 && !TEXT_TYPE.test(entry.mimeType ?? ''))) return entry;
      const whole = got.body.toString('utf8');
      const text = redactBody(whole.slice(0, MAX_READ_CHARS), entry.mimeType);
      return { ...entry, responseBody: { text: text.slice(0, MAX_BODY_CHARS), bytes: got.body.length, truncated: whole.length > MAX_READ_CHARS || text.length > MAX_BODY_CHARS } };
    }),
  );
}
