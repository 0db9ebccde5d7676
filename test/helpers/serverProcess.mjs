// A server binary for tests and the benchmark (Prometheus, VictoriaMetrics): started on a free
// 127.0.0.1 port, ready once an HTTP path answers 2xx, started again on a new port when it was not
// (another process may take the port between freePort and the server's bind), stopped by its own
// pid. Plain JavaScript so that bench/ (plain .mjs) and the tests share it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const ATTEMPTS = 3;

/** @returns {Promise<number>} */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class ServerProcess {
  constructor(name, url, child) {
    this.name = name;
    this.url = url;
    this.child = child;
    this.output = '';
    child.stdout.on('data', (chunk) => (this.output += chunk.toString()));
    child.stderr.on('data', (chunk) => (this.output += chunk.toString()));
  }

  /** Everything it printed so far. */
  log() {
    return this.output;
  }

  /** Polls `path` until it answers 2xx; throws with the output when it exits or `timeoutMs` runs out. */
  async waitReady(path, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited (${this.child.exitCode}): ${this.output.slice(-2000)}`);
      try {
        if ((await fetch(`${this.url}${path}`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms: ${this.output.slice(-2000)}`);
  }

  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Starts `binary` with `args(port, attempt)` on a free port until `readyPath` answers, at most
 * three times; the last failure is thrown.
 * @returns {Promise<ServerProcess>}
 */
export async function startOnFreePort({ name, binary, args, readyPath, timeoutMs }) {
  let lastError;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = await freePort();
    const server = new ServerProcess(name, `http://127.0.0.1:${port}`, spawn(binary, args(port, attempt), { stdio: ['ignore', 'pipe', 'pipe'] }));
    try {
      await server.waitReady(readyPath, timeoutMs);
      return server;
    } catch (error) {
      lastError = error;
      await server.stop();
    }
  }
  throw lastError ?? new Error(`${name} did not start`);
}
