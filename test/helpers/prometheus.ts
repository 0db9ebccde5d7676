/**
 * A real Prometheus for tests: find the binaries (Debian's `prometheus` package, or
 * PROMETHEUS_PATH / PROMTOOL_PATH), backfill a TSDB with promtool, start the server on
 * 127.0.0.1 with a temporary data folder, query its HTTP API, stop it (only the process this
 * helper started). Without the binaries, tests skip loudly — except under CI=true, where they fail.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

function which(name: string, override: string | undefined): string | undefined {
  if (override) return existsSync(override) ? override : undefined;
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export function findPrometheus(): PrometheusBinaries | undefined {
  const prometheus = which('prometheus', process.env.PROMETHEUS_PATH);
  const promtool = which('promtool', process.env.PROMTOOL_PATH);
  return prometheus && promtool ? { prometheus, promtool } : undefined;
}

/**
 * The binaries, or a reason to skip. Under CI=true a missing Prometheus is an error (the CI
 * script installs it); elsewhere the skip is printed so it is never mistaken for a pass.
 */
export function prometheusOrSkip(what: string): PrometheusBinaries | undefined {
  const found = findPrometheus();
  if (found) return found;
  const reason = `${what}: SKIPPED — no prometheus/promtool on the PATH (apt-get install -y prometheus, or set PROMETHEUS_PATH and PROMTOOL_PATH).`;
  if (process.env.CI === 'true') throw new Error(`${reason} CI=true requires it: .ci/run installs it.`);
  console.warn(`\n*** ${reason} ***\n`);
  return undefined;
}

export async function freePort(): Promise<number> {
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

/** Writes OpenMetrics text and turns it into TSDB blocks in `dataDir`. */
export async function backfill(binaries: PrometheusBinaries, openMetrics: string, dataDir: string): Promise<void> {
  const input = join(dataDir, '..', `backfill-${process.pid}-${Date.now()}.om`);
  await writeFile(input, openMetrics);
  const result = spawnSync(binaries.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir], { encoding: 'utf8', timeout: 120_000 });
  await rm(input, { force: true });
  if (result.status !== 0) throw new Error(`promtool failed (${result.status}): ${result.stderr.slice(-2000)}`);
}

export interface PrometheusApiAnswer {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
}

export class RunningPrometheus {
  private constructor(
    readonly url: string,
    readonly dataDir: string,
    private readonly child: ChildProcess,
    private readonly tempRoot: string,
    readonly log: () => string,
  ) {}

  /**
   * Starts Prometheus on a free 127.0.0.1 port with `config` (YAML) and a fresh data folder, after
   * `prepare(dataDir)` (e.g. a backfill). Resolves once /-/ready answers 200.
   */
  static async start(binaries: PrometheusBinaries, config: string, prepare?: (dataDir: string) => Promise<void>, extraArgs: string[] = []): Promise<RunningPrometheus> {
    const tempRoot = await mkdtemp(join(tmpdir(), 'legible-prometheus-'));
    const dataDir = join(tempRoot, 'data');
    const configPath = join(tempRoot, 'prometheus.yml');
    await writeFile(configPath, config);
    if (prepare) await prepare(dataDir);
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      let output = '';
      const child = spawn(
        binaries.prometheus,
        [
          `--config.file=${configPath}`,
          `--storage.tsdb.path=${dataDir}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--storage.tsdb.retention.time=100y',
          '--log.level=warn',
          ...extraArgs,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const running = new RunningPrometheus(`http://127.0.0.1:${port}`, dataDir, child, tempRoot, () => output);
      try {
        await running.waitReady(30_000);
        return running;
      } catch (error) {
        lastError = error as Error;
        await running.stopProcess();
      }
    }
    await rm(tempRoot, { recursive: true, force: true });
    throw lastError ?? new Error('Prometheus did not start');
  }

  private async waitReady(timeoutMs: number): Promise<void> {
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

  async api(path: string, params: Record<string, string | number>): Promise<PrometheusApiAnswer> {
    const body = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]));
    const response = await fetch(`${this.url}${path}`, { method: 'POST', body });
    return (await response.json()) as PrometheusApiAnswer;
  }

  query(query: string, timeMs: number): Promise<PrometheusApiAnswer> {
    return this.api('/api/v1/query', { query, time: timeMs / 1000 });
  }

  queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<PrometheusApiAnswer> {
    return this.api('/api/v1/query_range', { query, start: startMs / 1000, end: endMs / 1000, step: stepMs / 1000 });
  }

  private async stopProcess(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await this.stopProcess();
    await rm(this.tempRoot, { recursive: true, force: true });
  }
}
