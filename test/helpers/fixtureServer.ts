import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

const PRODUCTS = ['Red shoes', 'Blue shoes', 'Green hat', 'Yellow scarf', 'Black boots'].map((name, i) => ({ name, price: `$${(i + 1) * 10}` }));

/** A table page with `rows` rows, each with a button and a link (used for size and speed checks). */
export function tablePage(rows: number): string {
  const body: string[] = [];
  for (let i = 1; i <= rows; i++) {
    body.push(`<tr><td>${i}</td><td>Item ${i}</td><td><button onclick="this.textContent='Opened ${i}'">Open ${i}</button> <a href="/item/${i}">Details ${i}</a></td></tr>`);
  }
  return `<!doctype html><html><head><title>Table ${rows}</title></head><body><h1>Inventory</h1><table><thead><tr><th>#</th><th>Name</th><th>Actions</th></tr></thead><tbody>${body.join('')}</tbody></table></body></html>`;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Switches the basket bug of cart.html on and off, so one URL can show the "before" and the "after". */
export const basket = { fixed: false };

/** The JSON bodies login.html posted to /api/login, oldest first (the secrets test reads the typed password). */
export const logins: { user?: string; password?: string }[] = [];

/** The /never requests (path and query) whose connection is still open: a tab waiting for its first page holds one until it closes. */
export const unanswered: string[] = [];

/** Requests to /pwned?route=…: page JavaScript ran (the --no-evaluate test asserts there are none). */
export const pwned: string[] = [];

/** Requests to /held?name=…, waiting for /release?name=… (a request a page started and still waits on, as long as a test needs). */
const held = new Map<string, ServerResponse[]>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const ROUTES: Record<string, Route> = {
  '/api/search': (_req, res, url) => {
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    const items = PRODUCTS.filter((p) => p.name.toLowerCase().includes(q));
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(items));
    }, 150);
  },
  '/api/cart': (_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json', 'set-cookie': 'session=abc123' });
    res.end(JSON.stringify({ error: 'cart service down' }));
  },
  '/api/data': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'server-session=set-cookie-secret; Path=/' });
    res.end(JSON.stringify({ items: ['alpha', 'beta', 'gamma'], marker: 'body-marker-42' }));
  },
  '/api/whoami': (req, res) => {
    const session = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ user: session ? `ann (${session.length} chars)` : null }));
  },
  '/api/stock': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ stock: 3 }));
  },
  '/api/basket': (_req, res) => {
    res.writeHead(basket.fixed ? 200 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify(basket.fixed ? { items: 1 } : { error: 'basket service down' }));
  },
  '/api/login': async (req, res) => {
    try {
      logins.push(JSON.parse(await readBody(req)) as { user?: string; password?: string });
    } catch {
      logins.push({});
    }
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'session=setcookieSECRET5d9e; Path=/' });
    res.end(JSON.stringify({ ok: true, token: 'resptokenSECRET8a1c' }));
  },
  '/api/form-login': async (req, res) => {
    await readBody(req);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  },
  '/api/notes': async (req, res) => {
    await readBody(req);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  },
  // Fails with an error body that echoes a credential (planted: secrets.test.ts).
  '/api/audit': async (req, res) => {
    await readBody(req);
    res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'audit service down', session_token: 'failtokenSECRET7b3d' }));
  },
  '/pwned': (_req, res, url) => {
    pwned.push(url.searchParams.get('route') ?? '?');
    res.writeHead(204).end();
  },
  '/table': (_req, res, url) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(tablePage(Number(url.searchParams.get('rows') ?? 100)));
  },
  '/never': (req, res) => {
    // never answers: for load timeouts
    const path = req.url ?? '/never';
    unanswered.push(path);
    res.on('close', () => unanswered.splice(unanswered.indexOf(path), 1));
  },
  '/slow': (_req, res, url) => {
    // a page that takes ?ms to answer: a healthy but slow load
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Slow page</title><h1>Slow but fine</h1>');
    }, Number(url.searchParams.get('ms') ?? 1000));
  },
  '/slow.css': (_req, res, url) => {
    // a render-blocking stylesheet that takes ?ms to come
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/css' });
      res.end('body { font-family: sans-serif; } h1 { font-size: 48px; }');
    }, Number(url.searchParams.get('ms') ?? 300));
  },
  '/answer': (req, res) => {
    // One URL, answered after the x-delay header's ms (default 50): a page's loop and an action can ask the same URL and wait differently long.
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('answer'), Number(req.headers['x-delay'] ?? 50));
  },
  '/held': (_req, res, url) => {
    const name = url.searchParams.get('name') ?? '';
    held.set(name, [...(held.get(name) ?? []), res]);
  },
  '/release': (_req, res, url) => {
    // Answers the held requests of that name, then itself ?ms later (so the releasing request is still in flight a while).
    const name = url.searchParams.get('name') ?? '';
    for (const waiting of held.get(name) ?? []) waiting.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, released: true }));
    held.delete(name);
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('released'), Number(url.searchParams.get('ms') ?? 0));
  },
  '/status/404': (_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Not found</title><h1>404 Not found</h1>');
  },
};

export interface FixtureServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves test/fixtures and a few API routes on 127.0.0.1 at a random port. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = ROUTES[url.pathname];
    if (route) return void route(req, res, url);
    const name = url.pathname === '/' ? 'shop.html' : url.pathname.slice(1);
    if (name.includes('..')) {
      res.writeHead(400).end();
      return;
    }
    readFile(join(FIXTURES, name)).then(
      (data) => {
        const type = name.endsWith('.html') ? 'text/html' : name.endsWith('.js') ? 'text/javascript' : name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
        res.writeHead(200, { 'content-type': type });
        res.end(data);
      },
      () => {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
