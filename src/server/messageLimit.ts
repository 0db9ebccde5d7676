/**
 * The largest MCP message Legible reads, on every transport (a stdin line, an HTTP request body),
 * and the one answer for a message over it.
 */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * What the client is told about a message over `limit` bytes: its size (or, for one whose length
 * was not declared and was cut off as it arrived, only that it passed the limit), the limit, and
 * what to do instead.
 */
export function tooLargeMessage(bytes: number | 'unknown', limit = MAX_MESSAGE_BYTES): string {
  const advice = 'so it was not read. Send large content as a file path instead (for example a journey file), or in smaller calls.';
  if (bytes === 'unknown') return `Message too large: it passed the ${megabytes(limit)} limit for one message (${limit} bytes), ${advice}`;
  // Just over the limit, megabytes would read "10.0 MB, over the 10.0 MB limit": then bytes.
  const [size, max] = megabytes(bytes) === megabytes(limit) ? [`${bytes} bytes`, `${limit}-byte`] : [megabytes(bytes), megabytes(limit)];
  return `Message too large: ${size}, over the ${max} limit for one message, ${advice}`;
}
