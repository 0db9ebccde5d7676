import type { IncomingMessage } from 'node:http';

/** The body, or how large it was: declared, or 'unknown' when it was cut off as it arrived. */
export type BodyRead = { text: string } | { tooLarge: number | 'unknown' };

/**
 * A request's body as text, read up to `limit` bytes. A body declared longer is refused before any
 * of it is read, one that grows past the limit while it arrives (chunked) as soon as it does; the
 * rest is read away unkept, so the client gets the answer rather than a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.resolve({ tooLarge: declared });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.resume();
      resolve({ tooLarge: 'unknown' });
    };
    req.on('data', onData);
    req.once('end', () => {
      if (bytes <= limit) resolve({ text: Buffer.concat(chunks, bytes).toString('utf8') });
    });
    req.once('error', reject);
  });
}
