// Types of prometheusServer.mjs, for the TypeScript tests.
import type { ChildProcess } from 'node:child_process';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

export interface PrometheusApiAnswer {
  status: 'success' | 'error';
  data?: unknown;
  errorType?: string;
  error?: string;
}

export function findPrometheus(): PrometheusBinaries | undefined;
export function freePort(): Promise<number>;
export function backfill(binaries: PrometheusBinaries, openMetrics: string, dataDir: string): Promise<void>;

export class RunningPrometheus {
  readonly url: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  readonly log: () => string;
  static start(binaries: PrometheusBinaries, config: string, prepare?: (dataDir: string) => Promise<void>, extraArgs?: string[]): Promise<RunningPrometheus>;
  apiText(path: string, params: Record<string, string | number>): Promise<{ text: string; ms: number }>;
  api(path: string, params: Record<string, string | number>): Promise<PrometheusApiAnswer>;
  query(query: string, timeMs: number): Promise<PrometheusApiAnswer>;
  queryRange(query: string, startMs: number, endMs: number, stepMs: number): Promise<PrometheusApiAnswer>;
  stop(): Promise<void>;
}
