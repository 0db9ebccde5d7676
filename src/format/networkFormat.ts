import { isFailed, isFinished, type NetworkEntry } from '../capture/networkLog.js';
import { redactUrl } from '../util/redact.js';
import { shortUrl } from '../util/text.js';

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function outcome(entry: NetworkEntry): string {
  if (entry.failure) return entry.failure;
  if (entry.status !== undefined) return `${entry.status}${entry.statusText ? ` ${entry.statusText}` : ''}`;
  if (isFinished(entry)) return 'done';
  return entry.leftBehind ? 'pending when its page was left' : 'pending';
}

/** `✗ r7 POST /api/cart → 500 Internal Server Error (fetch, 12 ms, 45 B)`; failures start with ✗; secret query values redacted. */
export function formatRequest(entry: NetworkEntry, base?: string): string {
  const mark = isFailed(entry) ? '✗' : ' ';
  const details = [entry.resourceType.toLowerCase()];
  if (entry.endedAt !== undefined) details.push(`${entry.endedAt - entry.startedAt} ms`);
  const size = formatBytes(entry.size);
  if (size) details.push(size);
  if (entry.mockedBy) details.push(`mock ${entry.mockedBy}`);
  return `${mark} ${entry.id} ${entry.method} ${shortUrl(redactUrl(entry.url), base)} → ${outcome(entry)} (${details.join(', ')})`;
}
