import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The ref of the outline line `role "name" [ref=…]` (also inside diff lines such as `~ - …`). */
export function refOf(text: string, role: string, name: string): string {
  const quoted = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`- ${role} ${quoted} \\[ref=((?:f\\d+)?e\\d+)\\]`).exec(text);
  if (!match) throw new Error(`No ${role} ${JSON.stringify(name)} in:\n${text}`);
  return match[1]!;
}

/** The ref of the first line with this role (for unnamed elements such as a table). */
export function refOfRole(text: string, role: string): string {
  const match = new RegExp(`- ${role}(?: "[^"]*")? \\[ref=((?:f\\d+)?e\\d+)\\]`).exec(text);
  if (!match) throw new Error(`No ${role} in:\n${text}`);
  return match[1]!;
}

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `legible-${prefix}-`));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until an OS process has exited; for crash tests, not for page effects. */
export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
