/**
 * A stand-in for a backend the machine cannot run (Loki, Tempo, Jaeger), or a misbehaving one:
 * a real HTTP server on 127.0.0.1 (port 0) that answers each request with what `handle` returns
 * (JSON or text, a status, a delay, a body that trickles) and records what it was asked.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureAnswer {
  status?: number;
  /** An object is sent as JSON; a string as text/plain unless `contentType` says otherwise. */
  body?: unknown;
  contentType?: string;
  /** Wait this long before the headers. */
  delayMs?: number;
  /** Send the headers at once, then the body one byte every this many ms. */
  trickleMs?: number;
}

export interface Asked {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export class FixtureBackend {
  readonly asked: Asked[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private handle: (asked: Asked) => FixtureAnswer | Promise<FixtureAnswer>) {}

  /** Replaces how it answers (one fixture, several behaviours). */
  answer(handle: (asked: Asked) => FixtureAnswer | Promise<FixtureAnswer>): this {
    this.handle = handle;
    return this;
  }

  async start(): Promise<this> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const url = new URL(request.url ?? '/', 'http://fixture');
        const params = new URLSearchParams(url.search);
        const type = request.headers['content-type'] ?? '';
        if (type.startsWith('application/x-www-form-urlencoded')) for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString())) params.append(key, value);
        const asked: Asked = { method: request.method ?? 'GET', path: decodeURIComponent(url.pathname), params, headers: request.headers };
        this.asked.push(asked);
        const answer = await this.handle(asked);
        if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
        if (response.destroyed) return;
        const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body);
        const contentType = answer.contentType ?? (typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json');
        if (answer.trickleMs) {
          response.writeHead(answer.status ?? 200, { 'content-type': contentType });
          for (const char of text) {
            if (response.destroyed) return;
            response.write(char);
            await new Promise((resolve) => setTimeout(resolve, answer.trickleMs));
          }
          return void response.end();
        }
        response.writeHead(answer.status ?? 200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
        response.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** The requests to one path. */
  to(path: string): Asked[] {
    return this.asked.filter((asked) => asked.path === path);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
