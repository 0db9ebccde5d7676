import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MAX_MESSAGE_BYTES, tooLargeMessage } from '../server/messageLimit.js';
import { logWarn } from '../util/log.js';
import { clip } from '../util/text.js';
import { LineReader, type LineEvent } from './lineReader.js';

type RequestId = string | number;

/** What to do with one line: hand a message to the server, answer the client at once, or nothing (a blank line). */
export type LineOutcome = { message: JSONRPCMessage } | { reply?: JSONRPCMessage; warning: string } | undefined;

/** A JSON-RPC id the client can match an answer to: a string, or an integer JSON can carry exactly. */
function usableId(id: unknown): RequestId | undefined {
  return typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)) ? id : undefined;
}

function errorReply(id: RequestId | undefined, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id: id ?? null, error: { code, message } } as unknown as JSONRPCMessage;
}

/**
 * Turns one line from stdin into a message for the server, or into an answer saying why it is
 * not one (JSON-RPC's parse error and invalid request, `id: null` when the id is unusable).
 * Responses from the client that do not parse get no answer: answering them could start a loop.
 */
export function readLine(text: string): LineOutcome {
  if (!text.trim()) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      reply: errorReply(undefined, ErrorCode.ParseError, `Parse error: the line is not JSON (${clip(why, 100)}). Send one JSON-RPC message per line.`),
      warning: `stdin: a line that is not JSON (${text.length} characters: ${JSON.stringify(clip(text, 60))})`,
    };
  }
  const parsed = JSONRPCMessageSchema.safeParse(data);
  // The message as parsed, not zod's copy: a copy made by assignment turns an argument named
  // "__proto__" into a prototype, where the tool's strict schema can no longer see (and refuse) it.
  if (parsed.success) return { message: data as JSONRPCMessage };
  if (Array.isArray(data)) {
    return { reply: errorReply(undefined, ErrorCode.InvalidRequest, 'Invalid request: batches (JSON arrays) are not supported; send one message per line.'), warning: 'stdin: a batch (JSON array)' };
  }
  if (!data || typeof data !== 'object') {
    return { reply: errorReply(undefined, ErrorCode.InvalidRequest, `Invalid request: a message is a JSON object, not ${data === null ? 'null' : typeof data}.`), warning: 'stdin: a line that is not a JSON object' };
  }
  const record = data as Record<string, unknown>;
  const looksLikeResponse = !('method' in record) && ('result' in record || 'error' in record);
  if (looksLikeResponse) return { warning: `stdin: a response that does not parse (id ${clip(JSON.stringify(record.id) ?? 'none', 40)}); ignored` };
  const id = usableId(record.id);
  let why: string;
  if ('id' in record && id === undefined) {
    why = `the id ${clip(JSON.stringify(record.id) ?? String(record.id), 40)} is not usable: a JSON-RPC id is a string or an integer (at most 2^53)`;
  } else if (record.jsonrpc !== '2.0') {
    why = 'it needs "jsonrpc": "2.0"';
  } else if (typeof record.method !== 'string') {
    why = 'it needs a "method" string';
  } else {
    const issue = parsed.error.issues[0];
    why = `${issue?.path.join('.') || 'message'}: ${clip(issue?.message ?? 'does not match JSON-RPC 2.0', 100)}`;
  }
  return { reply: errorReply(id, ErrorCode.InvalidRequest, `Invalid request: ${why}.`), warning: `stdin: an invalid request (${why})` };
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
