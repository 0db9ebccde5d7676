import type { IncomingMessage } from 'node:http';

/** The body, or that it passed the limit. */
export type BodyRead = { text: string } | { tooLarge: true };

/**
 * A request's body as text, read up to `limit` bytes. One that grows past the limit while it
 * arrives is refused as soon as it does, and the rest is read away unkept, so the client gets the
 * answer rather than a reset connection. (A body declared longer than the limit never gets here:
 * serveHttp refuses it before any of it is read.)
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
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
      resolve({ tooLarge: true });
    };
    req.on('data', onData);
    req.once('end', () => {
      if (bytes <= limit) resolve({ text: Buffer.concat(chunks, bytes).toString('utf8') });
    });
    req.once('error', reject);
  });
}
