// Runs bench/traces.mjs in its own process (it needs --expose-gc, and its heap figures must not
// include the bench's own) and returns its JSON, or { error } when it failed.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export function runTelemetryBench() {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--expose-gc', join(HERE, 'traces.mjs'), '--json'], { maxBuffer: 16 * 2 ** 20, timeout: 300_000 }, (error, stdout, stderr) => {
      if (error) return resolve({ error: `${error.message.split('\n')[0]} ${stderr.slice(-500)}` });
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      } catch {
        resolve({ error: `no JSON from bench/traces.mjs: ${stdout.slice(-200)}` });
      }
    });
  });
}
