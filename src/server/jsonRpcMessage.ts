import { ErrorCode, InitializeRequestSchema, JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { clip, plural } from '../util/text.js';

export type RequestId = string | number;

/** Where a message came from, for the answer's words: a stdin line or an HTTP request body. */
export type MessageUnit = 'line' | 'request body';

/** What to do with one message's text: hand it to the server, answer the client at once, or nothing (blank). */
export type MessageOutcome = { message: JSONRPCMessage } | { reply?: JSONRPCMessage; warning: string } | undefined;

/** A JSON-RPC id the client can match an answer to: a string, or an integer JSON can carry exactly. */
export function usableId(id: unknown): RequestId | undefined {
  return typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)) ? id : undefined;
}

export function errorReply(id: RequestId | undefined, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id: id ?? null, error: { code, message } } as unknown as JSONRPCMessage;
}

/**
 * Turns one message's text (a stdin line, an HTTP body) into a message for the server, or into an
 * answer saying why it is not one (JSON-RPC's parse error and invalid request, `id: null` when
 * the id is unusable). Both transports read messages here, so a client hears the same words on
 * either. Responses from the client that do not parse get no answer: answering them could start a loop.
 */
export function readMessage(text: string, unit: MessageUnit): MessageOutcome {
  if (!text.trim()) return undefined;
  const source = unit === 'line' ? 'stdin' : 'http';
  const oneEach = unit === 'line' ? 'one JSON-RPC message per line' : 'one JSON-RPC message per request';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      reply: errorReply(undefined, ErrorCode.ParseError, `Parse error: the ${unit} is not JSON (${clip(why, 100)}). Send ${oneEach}.`),
      warning: `${source}: a ${unit} that is not JSON (${plural(text.length, 'character')}: ${JSON.stringify(clip(text, 60))})`,
    };
  }
  const parsed = JSONRPCMessageSchema.safeParse(data);
  // The message as parsed, not zod's copy: a copy made by assignment turns an argument named
  // "__proto__" into a prototype, where the tool's strict schema can no longer see (and refuse) it.
  if (parsed.success) return initializeProblem(data as JSONRPCMessage, source) ?? { message: data as JSONRPCMessage };
  if (Array.isArray(data)) {
    return { reply: errorReply(undefined, ErrorCode.InvalidRequest, `Invalid request: batches (JSON arrays) are not supported; send ${oneEach}.`), warning: `${source}: a batch (JSON array)` };
  }
  if (!data || typeof data !== 'object') {
    return { reply: errorReply(undefined, ErrorCode.InvalidRequest, `Invalid request: a message is a JSON object, not ${data === null ? 'null' : typeof data}.`), warning: `${source}: a ${unit} that is not a JSON object` };
  }
  const record = data as Record<string, unknown>;
  const looksLikeResponse = !('method' in record) && ('result' in record || 'error' in record);
  if (looksLikeResponse) return { warning: `${source}: a response that does not parse (id ${clip(JSON.stringify(record.id) ?? 'none', 40)}); ignored` };
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
  return { reply: errorReply(id, ErrorCode.InvalidRequest, `Invalid request: ${why}.`), warning: `${source}: an invalid request (${why})` };
}

/**
 * An initialize request whose params are not what MCP asks for, answered here with what is wrong
 * and what to send: the SDK would answer with zod's issues as a JSON dump under "internal error".
 */
function initializeProblem(message: JSONRPCMessage, source: string): MessageOutcome {
  if (!('method' in message) || message.method !== 'initialize' || !('id' in message)) return undefined;
  const parsed = InitializeRequestSchema.safeParse(message);
  if (parsed.success) return undefined;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || 'params'}: ${clip(issue.message.replace(/^Invalid input: /, ''), 80)}`);
  const why = `${issues.join('; ')}${parsed.error.issues.length > 3 ? ` (and ${plural(parsed.error.issues.length - 3, 'more problem')})` : ''}`;
  return {
    reply: errorReply(
      usableId(message.id),
      ErrorCode.InvalidParams,
      `Invalid params: ${why}. An initialize request's params are {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "…", "version": "…"}}.`,
    ),
    warning: `${source}: an initialize with invalid params (${why})`,
  };
}
