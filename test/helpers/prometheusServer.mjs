// A real Prometheus for tests and the benchmark: find the binaries (Debian's `prometheus`
// package, or PROMETHEUS_PATH / PROMTOOL_PATH), backfill a TSDB with promtool, start the server on
// 127.0.0.1 with a temporary data folder (serverProcess.mjs), query its HTTP API, stop it (only the
// process started here). Plain JavaScript so that bench/ (plain .mjs) and the tests share it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOnFreePort } from './serverProcess.mjs';

export { freePort } from './serverProcess.mjs';

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

/** Writes OpenMetrics text next to `dataDir` and turns it into TSDB blocks in `dataDir`. */
export async function backfill(binaries, openMetrics, dataDir) {
  const input = join(dataDir, '..', `backfill-${process.pid}-${Date.now()}.om`);
  await writeFile(input, openMetrics);
  const result = spawnSync(binaries.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  await rm(input, { force: true });
  if (result.status !== 0) throw new Error(`promtool failed (${result.status}): ${String(result.stderr).slice(-2000)}`);
}

export class RunningPrometheus {
  constructor(server, dataDir, tempRoot) {
    this.server = server;
    this.url = server.url;
    this.dataDir = dataDir;
    this.child = server.child;
    this.tempRoot = tempRoot;
    this.log = () => server.log();
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
    try {
      const server = await startOnFreePort({
        name: 'Prometheus',
        binary: binaries.prometheus,
        args: (port) => [`--config.file=${configPath}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y', '--log.level=warn', ...extraArgs],
        readyPath: '/-/ready',
        timeoutMs: 60_000,
      });
      return new RunningPrometheus(server, dataDir, tempRoot);
    } catch (error) {
      await rm(tempRoot, { recursive: true, force: true });
      throw error;
    }
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

  async stop() {
    await this.server.stop();
    await rm(this.tempRoot, { recursive: true, force: true });
  }
}
