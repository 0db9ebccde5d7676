import type { AppSpec } from '../config/appsConfig.js';
import type { LoggedLine } from '../telemetry/logs/recent.js';
import type { AppProcess, ExitInfo } from './appProcess.js';
import type { AppSource } from './appSource.js';
import type { OutputCapture } from './outputCapture.js';

/* What the AppSupervisor answers and holds: its reports, an app's state, a running process. */

/** Why an app last stopped. */
export interface LastExit {
  code: number | null;
  signal: string | null;
  at: number;
  reason: 'stopped' | 'crashed' | 'failed to start';
  /** It could not be started at all (ENOENT, …). */
  error?: string;
}

export interface AppStarted {
  name: string;
  status: 'started' | 'already running';
  url?: string;
  port?: number;
  pid: number;
  /** Spawn → ready, ms (for 'already running': how long it has been up). */
  readyMs: number;
  /** Spawn → first line of output, ms. */
  firstOutputMs?: number;
  /** What showed it was ready. */
  readiness: string;
  /** False when nothing was checked (no port, no "ready"): it counts as ready once spawned. */
  checked: boolean;
  /** A restart of an app that had crashed: how it had exited. */
  crashed?: LastExit;
  /** Warnings and errors it printed while starting (and stderr lines without a level). */
  problems: LoggedLine[];
  problemsMore: number;
}

export interface StartReport {
  source: AppSource['kind'];
  file: string;
  note?: string;
  apps: AppStarted[];
}

export interface AppStatus {
  name: string;
  state: 'starting' | 'running' | 'stopped' | 'crashed' | 'failed' | 'not started';
  pid?: number;
  port?: number;
  url?: string;
  uptimeMs?: number;
  restarts: number;
  lastExit?: LastExit;
  /** Why the last start failed. */
  failure?: string;
  /** Entries of its output evicted from the bounded log store. */
  droppedEntries: number;
}

export interface UnexpectedExit {
  name: string;
  exit: ExitInfo;
  /** How long it had been running, ms. */
  afterMs: number;
  lastLines: LoggedLine[];
}

/** One running (or starting) process of an app. */
export interface AppRun {
  process: AppProcess;
  capture: OutputCapture;
  spec: AppSpec;
  port?: number;
  url?: string;
  marker: string;
  /** The log store's sequence number when it was spawned. */
  markSeq: number;
  /** Its Prometheus endpoint, scraped while it runs. */
  scrape?: { url: string; intervalMs: number };
  readyAt?: number;
  stopping: boolean;
}

/** An app's most recent start (by app_start, app_restart or a journey run). */
export interface AppStartup {
  readyMs: number;
  /** When it became ready, epoch ms. */
  at: number;
  url?: string;
}

/**
 * What watches the apps beside their output (Legible's telemetry): it gives each app the
 * variables that point its OpenTelemetry SDK at Legible, and scrapes its metrics while it runs.
 */
export interface AppHooks {
  /** Variables for an app about to be spawned. */
  environment(app: string): Promise<Record<string, string>>;
  /** The app is ready. */
  ready(app: string, run: AppRun): void;
  /** The app stopped (asked to, or on its own). */
  stopped(app: string): void;
}
