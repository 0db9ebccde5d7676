// A real Prometheus for tests and the benchmark: find the binaries (Debian's `prometheus`
// package, or PROMETHEUS_PATH / PROMTOOL_PATH), backfill a TSDB with promtool, start the server on
// 127.0.0.1 with a temporary data folder, query its HTTP API, stop it (only the process started
// here). Plain JavaScript so that bench/ (plain .mjs) and the tests share it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** @typedef {{ prometheus: string, promtool: string }} PrometheusBinaries */
/** @typedef {{ status: 'success' | 'error', data?: unknown, errorType?: string, error?: string }} PrometheusApiAnswer */

function which(name, override) {
  if (override) return existsSync(override) ? override : undefined;
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

/** @returns {PrometheusBinaries | undefined} */
export function findPrometheus() {
  const prometheus = which('prometheus', process.env.PROMETHEUS_PATH);
  const promtool = which('promtool', process.env.PROMTOOL_PATH);
  return prometheus && promtool ? { prometheus, promtool } : undefined;
}

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

/** Writes OpenMetrics text next to `dataDir` and turns it into TSDB blocks in `dataDir`. */
export async function backfill(binaries, openMetrics, dataDir) {
  const input = join(dataDir, '..', `backfill-${process.pid}-${Date.now()}.om`);
  await writeFile(input, openMetrics);
  const result = spawnSync(binaries.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  await rm(input, { force: true });
  if (result.status !== 0) throw new Error(`promtool failed (${result.status}): ${String(result.stderr).slice(-2000)}`);
}

export class RunningPrometheus {
  constructor(url, dataDir, child, tempRoot, log) {
    this.url = url;
    this.dataDir = dataDir;
    this.child = child;
    this.tempRoot = tempRoot;
    this.log = log;
  }

  /**
   * Starts Prometheus on a free 127.0.0.1 port with `config` (YAML) and a fresh data folder, after
   * `prepare(dataDir)` (e.g. a backfill). Resolves once /-/ready answers 200.
   * @returns {Promise<RunningPrometheus>}
   */
  static async start(binaries, config, prepare, extraArgs = []) {
    const tempRoot = await mkdtemp(join(tmpdir(), 'legible-prometheus-'));
    const dataDir = join(tempRoot, 'data');
    const configPath = join(tempRoot, 'prometheus.yml');
    await writeFile(configPath, config);
    if (prepare) await prepare(dataDir);
    let lastError;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      let output = '';
      const child = spawn(
        binaries.prometheus,
        [`--config.file=${configPath}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y', '--log.level=warn', ...extraArgs],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout.on('data', (chunk) => (output += chunk.toString()));
      child.stderr.on('data', (chunk) => (output += chunk.toString()));
      const running = new RunningPrometheus(`http://127.0.0.1:${port}`, dataDir, child, tempRoot, () => output);
      try {
        await running.waitReady(60_000);
        return running;
      } catch (error) {
        lastError = error;
        await running.stopProcess();
      }
    }
    await rm(tempRoot, { recursive: true, force: true });
    throw lastError ?? new Error('Prometheus did not start');
  }

  async waitReady(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`Prometheus exited (${this.child.exitCode}): ${this.log().slice(-2000)}`);
      try {
        const response = await fetch(`${this.url}/-/ready`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Prometheus was not ready within ${timeoutMs} ms: ${this.log().slice(-2000)}`);
  }

  /** POSTs form parameters to an API path; the raw answer text and the time it took. */
  async apiText(path, params) {
    const body = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]));
    const began = performance.now();
    const response = await fetch(`${this.url}${path}`, { method: 'POST', body });
    const text = await response.text();
    return { text, ms: performance.now() - began };
  }

  /** @returns {Promise<PrometheusApiAnswer>} */
  async api(path, params) {
    return JSON.parse((await this.apiText(path, params)).text);
  }

  query(query, timeMs) {
    return this.api('/api/v1/query', { query, time: timeMs / 1000 });
  }

  queryRange(query, startMs, endMs, stepMs) {
    return this.api('/api/v1/query_range', { query, start: startMs / 1000, end: endMs / 1000, step: stepMs / 1000 });
  }

  async stopProcess() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async stop() {
    await this.stopProcess();
    await rm(this.tempRoot, { recursive: true, force: true });
  }
}
