/**
 * A real VictoriaMetrics (Debian's `victoria-metrics` package, single-node) for tests: started on
 * a free 127.0.0.1 port with a fresh data folder, filled through its Prometheus text import with
 * explicit millisecond timestamps (exact data), stopped by its own pid. Without the binary, tests
 * skip loudly — except under CI=true, where they fail (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeriesSample } from '../../src/telemetry/model.js';
import { startOnFreePort, type ServerProcess } from './serverProcess.mjs';

export function findVictoriaMetrics(): string | undefined {
  const override = process.env.VICTORIA_METRICS_PATH;
  if (override) return existsSync(override) ? override : undefined;
  const found = spawnSync('sh', ['-c', 'command -v victoria-metrics'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export function victoriaMetricsOrSkip(what: string): string | undefined {
  const found = findVictoriaMetrics();
  if (found) return found;
  const reason = `${what}: SKIPPED — no victoria-metrics on the PATH (apt-get install -y victoria-metrics, or set VICTORIA_METRICS_PATH).`;
  if (process.env.CI === 'true') throw new Error(`${reason} CI=true requires it: .ci/run installs it.`);
  console.warn(`\n*** ${reason} ***\n`);
  return undefined;
}

/** Samples as Prometheus text lines with millisecond timestamps (VictoriaMetrics' /api/v1/import/prometheus). */
export function expositionLines(samples: SeriesSample[]): string {
  const lines: string[] = [];
  for (const { labels, timeMs, value } of samples) {
    const { __name__: name, ...rest } = labels;
    const pairs = Object.entries(rest).map(([key, text]) => `${key}=${JSON.stringify(text)}`);
    const number = Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);
    lines.push(`${name}{${pairs.join(',')}} ${number} ${timeMs}`);
  }
  return `${lines.join('\n')}\n`;
}

export class RunningVictoriaMetrics {
  readonly url: string;

  private constructor(
    private readonly server: ServerProcess,
    private readonly root: string,
  ) {
    this.url = server.url;
  }

  /** Starts it with a retention long enough for old test data, no response cache, no latency offset. */
  static async start(binary: string, extraArgs: string[] = []): Promise<RunningVictoriaMetrics> {
    const root = await mkdtemp(join(tmpdir(), 'legible-vm-'));
    try {
      const server = await startOnFreePort({
        name: 'VictoriaMetrics',
        binary,
        args: (port, attempt) => [
          `-storageDataPath=${join(root, `data-${attempt}`)}`,
          `-httpListenAddr=127.0.0.1:${port}`,
          '-retentionPeriod=100y',
          '-search.disableCache',
          '-search.latencyOffset=0s',
          '-loggerLevel=ERROR',
          ...extraArgs,
        ],
        readyPath: '/health',
        timeoutMs: 30_000,
      });
      return new RunningVictoriaMetrics(server, root);
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      throw error;
    }
  }

  /** Imports samples (Prometheus text, ms timestamps) and flushes them so queries see them at once. */
  async importSamples(samples: SeriesSample[]): Promise<void> {
    const text = expositionLines(samples);
    const chunk = 2_000_000;
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + chunk);
      if (end < text.length) end = text.lastIndexOf('\n', end) + 1;
      const response = await fetch(`${this.url}/api/v1/import/prometheus`, { method: 'POST', body: text.slice(at, end) });
      if (!response.ok) throw new Error(`import failed: ${response.status} ${await response.text()}`);
      at = end;
    }
    const flushed = await fetch(`${this.url}/internal/force_flush`);
    if (!flushed.ok) throw new Error(`force_flush failed: ${flushed.status}`);
  }

  /** Every sample it holds, per series (its export API), for checking the import. */
  async exportCount(): Promise<number> {
    const response = await fetch(`${this.url}/api/v1/export?match[]=${encodeURIComponent('{__name__=~".+"}')}`);
    const text = await response.text();
    let count = 0;
    // Its JSON lines write infinities as bare +Inf, which JSON.parse refuses: count the timestamps.
    for (const match of text.matchAll(/"timestamps":\[([^\]]*)\]/g)) count += match[1]!.split(',').length;
    return count;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await rm(this.root, { recursive: true, force: true });
  }
}
