// Starts bench/otlpSender.mjs (the OTLP load generator) as a process of its own, for the telemetry
// rows of bench/traces.mjs and bench/telemetryServer.mjs: `ready` once its payloads are built,
// then `go(url)` sends them and resolves with its report.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export async function sender(kind, options) {
  const child = fork(join(import.meta.dirname, 'otlpSender.mjs'), [JSON.stringify({ kind, ...options })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = await once(child, 'message');
  return {
    ready,
    go: async (url) => {
      child.send({ url });
      const [done] = await once(child, 'message');
      child.kill();
      return done;
    },
  };
}
