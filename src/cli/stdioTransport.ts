import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { errorReply, readMessage, usableId, type MessageOutcome, type RequestId } from '../server/jsonRpcMessage.js';
import { MAX_MESSAGE_BYTES, tooLargeMessage } from '../server/messageLimit.js';
import { logWarn } from '../util/log.js';
import { LineReader, type LineEvent } from './lineReader.js';

/** What to do with one line: hand a message to the server, answer the client at once, or nothing (a blank line). */
export type LineOutcome = MessageOutcome;

/** One line from stdin, read as every transport reads a message (src/server/jsonRpcMessage.ts). */
export function readLine(text: string): LineOutcome {
  return readMessage(text, 'line');
}

const ID_VALUE = String.raw`(-?\d{1,16}|"(?:[^"\\]|\\.){0,200}")`;
/** The id as the first member (`{"jsonrpc":"2.0","id":…` or `{"id":…`). */
const ID_AT_HEAD = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID_VALUE}\s*[,}]`);
/** The id as the last member, perhaps followed by "jsonrpc" (the MCP SDK puts it last). */
const ID_AT_TAIL = new RegExp(String.raw`[,{]\s*"id"\s*:\s*${ID_VALUE}\s*(?:,\s*"jsonrpc"\s*:\s*"2\.0"\s*)?\}\s*$`);

/** The id of a message too long to parse, when its first or last bytes show it unambiguously. */
export function idOfOversized(head: string, tail: string): RequestId | undefined {
  const found = ID_AT_HEAD.exec(head)?.[1] ?? ID_AT_TAIL.exec(tail)?.[1];
  if (found === undefined) return undefined;
  try {
    return usableId(JSON.parse(found));
  } catch {
    return undefined;
  }
}

export function oversizedOutcome(event: Extract<LineEvent, { kind: 'oversized' }>, limit: number): LineOutcome {
  const id = idOfOversized(event.head, event.tail);
  return { reply: errorReply(id, ErrorCode.InvalidRequest, tooLargeMessage(event.bytes, limit)), warning: `stdin: skipped a message of ${event.bytes} bytes (limit ${limit}); answered id ${id ?? 'null'}` };
}

/**
 * The MCP stdio transport (newline-delimited JSON-RPC on stdin/stdout), hardened: a line over
 * the limit, a line that is not JSON, or a message with an unusable id gets an error answer
 * (and a line on stderr) and the server goes on serving. The SDK's own transport closes on an
 * oversized line and stays silent on the others.
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly reader: LineReader;
  private started = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly limit = MAX_MESSAGE_BYTES,
  ) {
    this.reader = new LineReader(limit);
  }

  private readonly onData = (chunk: Buffer | string) => {
    for (const event of this.reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) {
      const outcome = event.kind === 'line' ? readLine(event.text) : oversizedOutcome(event, this.limit);
      if (!outcome) continue;
      if ('message' in outcome) {
        this.onmessage?.(outcome.message);
        continue;
      }
      logWarn(outcome.warning);
      if (outcome.reply) void this.send(outcome.reply).catch(() => undefined);
    }
  };

  private readonly onError = (error: Error) => this.onerror?.(error);

  async start(): Promise<void> {
    if (this.started) throw new Error('StdioTransport already started');
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onError);
    this.stdout.on('error', this.onError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      // A client that went away (EPIPE) fails the send, not the process.
      const flushed = this.stdout.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : undefined));
      if (flushed) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onError);
    this.stdout.off('error', this.onError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.onclose?.();
  }
}
