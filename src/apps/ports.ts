import { createServer } from 'node:net';

/**
 * Ports for the apps. A listener on the unspecified address (IPv6 with IPv4 mapped, where there
 * is IPv6) collides with one on any local address, so one try shows whether a port is taken on
 * 127.0.0.1, ::1 or 0.0.0.0 alike.
 */

function listen(port: number): Promise<number | NodeJS.ErrnoException> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ port, exclusive: true }, () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}

/** A port nothing listens on now (the system picks it; each Legible server gets its own). */
export async function freePort(): Promise<number> {
  const result = await listen(0);
  if (typeof result !== 'number') throw result;
  return result;
}

/** Whether something already listens on `port` (or it may not be used). */
export async function portInUse(port: number): Promise<boolean> {
  const result = await listen(port);
  return typeof result !== 'number';
}
