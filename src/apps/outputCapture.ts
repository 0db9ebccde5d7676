import type { Readable } from 'node:stream';
import { packInfo, type LogStore } from '../telemetry/logs/store.js';
import { LEVEL } from '../telemetry/logs/levels.js';
import { inspectLine, traceContextOf } from '../telemetry/logs/structured.js';
import { EntryAssembler } from './entryAssembler.js';
import { LineSplitter } from './lineSplitter.js';

/** How long the last line may wait for a continuation (a stack frame) before it is stored. */
const HOLD_MS = 15;

export type StreamName = 'stdout' | 'stderr';

/**
 * One app's stdout and stderr → entries in the log store, labelled `app` and `stream`: split into
 * lines (long ones cut), grouped into entries (stack traces stay whole), inspected once (JSON or
 * logfmt, level) and appended. Everything happens as the data arrives, so a flooding app costs
 * time in proportion to its output and memory only up to the store's caps.
 */
export class OutputCapture {
  private readonly assemblers: EntryAssembler[] = [];
  private readonly splitters: LineSplitter[] = [];
  private readonly listeners = new Set<(entry: string, stream: StreamName) => void>();
  private readonly lineListeners = new Set<(line: string) => void>();
  private holdTimer: NodeJS.Timeout | undefined;
  /** When the first output arrived, epoch ms. */
  firstOutputAt: number | undefined;
  lastOutputAt: number | undefined;
  entries = 0;
  /** Stream ids of this app's stdout and stderr in the store. */
  readonly streamIds: number[];

  constructor(
    private readonly store: LogStore,
    readonly app: string,
  ) {
    this.streamIds = [store.streamId({ app, stream: 'stdout' }), store.streamId({ app, stream: 'stderr' })];
  }

  /** Reads one of the process's output streams until it ends. */
  attach(stream: Readable, name: StreamName): void {
    const streamId = this.streamIds[name === 'stdout' ? 0 : 1]!;
    const assembler = new EntryAssembler((entry, timeMs) => this.store_(streamId, name, entry, timeMs));
    const splitter = new LineSplitter((line) => {
      for (const listener of this.lineListeners) listener(line);
      assembler.line(line, this.lastOutputAt!);
    });
    this.assemblers.push(assembler);
    this.splitters.push(splitter);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const now = Date.now();
      this.firstOutputAt ??= now;
      this.lastOutputAt = now;
      splitter.push(chunk);
      if (assembler.pending()) this.hold();
    });
    stream.on('end', () => {
      splitter.end();
      assembler.flush();
    });
    stream.on('error', () => undefined);
  }

  /** Calls `listener` for every entry stored from now on; returns a function that stops it. */
  onEntry(listener: (entry: string, stream: StreamName) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` for every line as it arrives (before it is grouped into an entry and stored). */
  onLine(listener: (line: string) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** Stores the entries still waiting for a continuation line. */
  flush(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    for (const assembler of this.assemblers) assembler.flush();
  }

  /** Everything read so far, including an unfinished last line, is stored. */
  end(): void {
    for (const splitter of this.splitters) splitter.end();
    this.flush();
  }

  private hold(): void {
    if (this.holdTimer) this.holdTimer.refresh();
    else {
      this.holdTimer = setTimeout(() => {
        this.holdTimer = undefined;
        for (const assembler of this.assemblers) assembler.flush();
      }, HOLD_MS);
      this.holdTimer.unref();
    }
  }

  private store_(streamId: number, stream: StreamName, entry: string, timeMs: number): void {
    const shape = inspectLine(entry);
    // A multi-line entry with stack frames is an error even when its first line names no level.
    const level = shape.level === LEVEL.unknown && entry.includes('\n') && /\n\s+at\s/.test(entry) ? LEVEL.error : shape.level;
    const context = traceContextOf(entry, shape.format);
    this.store.appendTo(streamId, timeMs, entry, packInfo(level, shape.format, shape.fieldLevel), context?.traceId, context?.spanId);
    this.entries++;
    for (const listener of this.listeners) listener(entry, stream);
  }
}
