/**
 * The largest MCP message Legible reads, on every transport (a stdin line, an HTTP request body),
 * and the one answer for a message over it.
 */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** What the client is told about a message over `limit` bytes: its size, the limit, and what to do instead. */
export function tooLargeMessage(bytes: number, limit = MAX_MESSAGE_BYTES): string {
  // Just over the limit, megabytes would read "10.0 MB, over the 10.0 MB limit": then bytes.
  const [size, max] = megabytes(bytes) === megabytes(limit) ? [`${bytes} bytes`, `${limit}-byte`] : [megabytes(bytes), megabytes(limit)];
  return `Message too large: ${size}, over the ${max} limit for one message, so it was not read. Send large content as a file path instead (for example a journey file), or in smaller calls.`;
}
