import type { Protocol } from 'devtools-protocol';
import type { PageDriver } from '../cdp/pageDriver.js';
import { isFavicon } from './networkLog.js';
import { formatConsoleArgs, formatStack, topFrame, type SourceLocation } from './remoteObject.js';

export type ConsoleLevel = 'error' | 'warning' | 'info' | 'log' | 'debug';

export interface ConsoleEntry {
  level: ConsoleLevel;
  /** 'console' for console.* calls, 'exception' for uncaught errors and rejections, else the browser's source (network, security, …). */
  source: string;
  text: string;
  location?: SourceLocation;
  stack: string[];
  count: number;
  firstAt: number;
  lastAt: number;
  /** Sequence number of the latest occurrence: "since" filters use it. */
  seq: number;
}

/**
 * Whether an entry says something about the app: not the browser's "Failed to load resource" echo
 * of a failed request (reports list the request itself), nor about a favicon it asked for on its own.
 */
export function isAppMessage(entry: ConsoleEntry): boolean {
  return entry.source !== 'network' && !isFavicon(entry.location?.url);
}

const LEVELS: Record<string, ConsoleLevel> = {
  error: 'error',
  assert: 'error',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  log: 'log',
  debug: 'debug',
  verbose: 'debug',
  trace: 'log',
  dir: 'log',
  dirxml: 'log',
  table: 'log',
  count: 'log',
  timeEnd: 'log',
};

/**
 * Console messages, uncaught exceptions and unhandled rejections of one page, from Legible's own
 * CDP session. Identical messages fold into one entry with a count; the buffer is bounded and
 * says how many entries it dropped.
 */
export class ConsoleLog {
  private readonly entries = new Map<string, ConsoleEntry>();
  private seq = 0;
  private dropped = 0;
  private readCursor = 0;

  constructor(private readonly capacity = 1000) {}

  static async attach(page: PageDriver, capacity?: number): Promise<ConsoleLog> {
    const log = new ConsoleLog(capacity);
    page.onCdp('Runtime.consoleAPICalled', (event: Protocol.Runtime.ConsoleAPICalledEvent) => {
      if (event.type === 'endGroup' || event.type === 'clear') return;
      log.add({
        level: LEVELS[event.type] ?? 'log',
        source: 'console',
        text: formatConsoleArgs(event.args) || event.type,
        location: topFrame(event.stackTrace),
        stack: event.type === 'error' || event.type === 'assert' || event.type === 'trace' ? formatStack(event.stackTrace) : [],
      });
    });
    page.onCdp('Runtime.exceptionThrown', (event: Protocol.Runtime.ExceptionThrownEvent) => {
      const details = event.exceptionDetails;
      const description = details.exception?.description ?? details.exception?.value ?? '';
      const firstLine = String(description).split('\n')[0] ?? '';
      const text = details.text === 'Uncaught' || details.text === 'Uncaught (in promise)' ? `${details.text} ${firstLine}`.trim() : `${details.text} ${firstLine}`.trim();
      log.add({
        level: 'error',
        source: 'exception',
        text,
        location: details.url ? { url: details.url, line: details.lineNumber + 1, column: details.columnNumber + 1 } : topFrame(details.stackTrace),
        stack: formatStack(details.stackTrace),
      });
    });
    page.onCdp('Log.entryAdded', ({ entry }: Protocol.Log.EntryAddedEvent) => {
      log.add({
        level: LEVELS[entry.level] ?? 'log',
        source: entry.source,
        text: entry.text,
        location: entry.url ? { url: entry.url, line: (entry.lineNumber ?? 0) + 1, column: 1 } : undefined,
        stack: formatStack(entry.stackTrace),
      });
    });
    await Promise.all([page.send('Runtime.enable'), page.send('Log.enable')]);
    return log;
  }

  add(message: Omit<ConsoleEntry, 'count' | 'firstAt' | 'lastAt' | 'seq'>): void {
    const now = Date.now();
    const key = `${message.level}\u0000${message.source}\u0000${message.text}\u0000${message.location?.url}:${message.location?.line}:${message.location?.column}`;
    const seq = ++this.seq;
    const existing = this.entries.get(key);
    if (existing) {
      existing.count++;
      existing.lastAt = now;
      existing.seq = seq;
      this.entries.delete(key);
      this.entries.set(key, existing);
      return;
    }
    this.entries.set(key, { ...message, count: 1, firstAt: now, lastAt: now, seq });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.dropped++;
    }
  }

  /** The current sequence number: pass it to `since` later to get what came after. */
  mark(): number {
    return this.seq;
  }

  /** Entries whose latest occurrence came after `seq`, oldest first. */
  since(seq: number): ConsoleEntry[] {
    return [...this.entries.values()].filter((entry) => entry.seq > seq).sort((a, b) => a.firstAt - b.firstAt || a.seq - b.seq);
  }

  /** For the console tool: "since the last call" reads advance a cursor. */
  readNew(): ConsoleEntry[] {
    const entries = this.since(this.readCursor);
    this.readCursor = this.seq;
    return entries;
  }

  all(): ConsoleEntry[] {
    this.readCursor = this.seq;
    return this.since(0);
  }

  droppedCount(): number {
    return this.dropped;
  }
}
