import type { Socket } from 'node:net';
import { deserializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { errorMessage } from '../util/errors.js';
import { jsonLine, LineSplitter } from './jsonLines.js';

/** Requests to the daemon are small (a tool's arguments); anything past this is refused. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/**
 * MCP over one accepted connection of the daemon's Unix socket: newline-delimited JSON-RPC, as
 * on stdio. A line that is not JSON-RPC, or too long, gets a JSON-RPC error and the connection
 * stays usable.
 */
export class SocketTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private closed = false;
  private notified = false;

  constructor(private readonly socket: Socket) {}

  async start(): Promise<void> {
    const lines = new LineSplitter(
      (line) => this.receive(line),
      MAX_REQUEST_BYTES,
      () => this.refuse(null, -32600, `Message too long: requests to the Legible daemon are at most ${MAX_REQUEST_BYTES} bytes.`),
    );
    this.socket.on('data', (chunk: Buffer) => lines.push(chunk));
    this.socket.on('error', (error) => this.onerror?.(error));
    this.socket.on('close', () => {
      this.closed = true;
      this.notifyClosed();
    });
  }

  private receive(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (error) {
      let id: string | number | null = null;
      try {
        const raw = JSON.parse(line) as { id?: unknown };
        if (typeof raw.id === 'string' || typeof raw.id === 'number') id = raw.id;
      } catch {
        // not JSON at all: no id to answer to
      }
      this.refuse(id, -32700, `Not a JSON-RPC message: ${errorMessage(error).slice(0, 200)}`);
      return;
    }
    this.onmessage?.(message);
  }

  private refuse(id: string | number | null, code: number, message: string): void {
    if (!this.closed) this.socket.write(jsonLine({ jsonrpc: '2.0', id, error: { code, message } }));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.socket.write(jsonLine(message), () => resolve());
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    this.notifyClosed();
  }

  private notifyClosed(): void {
    if (this.notified) return;
    this.notified = true;
    this.onclose?.();
  }
}
