import { randomBytes } from 'node:crypto';
import { dependenciesOf } from '../config/appsConfig.js';
import { entriesSince, isProblemLine } from '../telemetry/logs/recent.js';
import type { LogStore } from '../telemetry/logs/store.js';
import { LegibleError } from '../util/errors.js';
import { logDebug } from '../util/log.js';
import { Mutex } from '../util/mutex.js';
import { AppStartError } from './appErrors.js';
import { originsOf } from './appOrigins.js';
import type { AppHooks, AppRun, AppStarted, AppStartup, AppStatus, LastExit, StartReport, UnexpectedExit } from './appModel.js';
import type { ExitInfo } from './appProcess.js';
import { loadApps, type AppSource } from './appSource.js';
import { waitForIdle } from './idleWait.js';
import { reapLeftovers, RunRecord } from './leftovers.js';
import { launchApp } from './launch.js';

export type { AppHooks, AppRun, AppStarted, AppStartup, AppStatus, LastExit, StartReport, UnexpectedExit } from './appModel.js';

interface AppRecord {
  name: string;
  state: AppStatus['state'];
  restarts: number;
  /** The port it had, kept across restarts so open pages keep working. */
  port?: number;
  run?: AppRun;
  lastExit?: LastExit;
  failure?: string;
  streamIds?: number[];
  /** Its most recent start that became ready: spawn → ready, when it was ready, the URL it served. */
  lastStart?: AppStartup;
}

/**
 * The apps under test of one Legible server: started from the workspace's config, in dependency
 * order, each in its own process group; watched until they exit; stopped (the whole group) on
 * request and when the server exits. One operation at a time.
 */
export class AppSupervisor {
  private readonly mutex = new Mutex();
  private readonly records = new Map<string, AppRecord>();
  private readonly exits: { record: AppRecord; run: AppRun; exit: ExitInfo }[] = [];
  private readonly notices: string[] = [];
  private readonly runRecord: RunRecord;
  private source: AppSource | undefined;
  private readonly instance = `${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly reaped: Promise<void>;

  constructor(
    readonly root: string,
    readonly store: LogStore,
    private readonly hooks?: AppHooks,
  ) {
    this.runRecord = new RunRecord(root);
    this.reaped = reapLeftovers(root).then(
      (notice) => {
        if (notice) this.notices.push(`Legible ${notice}`);
      },
      () => undefined,
    );
  }

  /** Starts one app (and what it depends on) or all of them, and waits until each is ready. */
  start(name?: string): Promise<StartReport> {
    return this.mutex.run(async () => {
      await this.reaped;
      const source = await this.load();
      return this.startInOrder(source, this.withDependencies(source, name));
    });
  }

  /** Stops one app or all of them (the whole process group of each). */
  stop(name?: string): Promise<{ name: string; wasRunning: boolean; exit?: ExitInfo }[]> {
    return this.mutex.run(async () => {
      if (name) this.requireKnown(name, this.source ?? (await this.load()));
      const targets = name ? [name] : [...this.records.keys()].reverse();
      const out: { name: string; wasRunning: boolean; exit?: ExitInfo }[] = [];
      for (const target of targets) {
        const record = this.records.get(target);
        if (!record?.run) {
          out.push({ name: target, wasRunning: false });
          continue;
        }
        out.push({ name: target, wasRunning: true, exit: await this.stopRun(record, 'stopped') });
      }
      return out;
    });
  }

  /**
   * Stops and starts again one app, or every app that runs (or had crashed), reading the config
   * afresh. Ports stay the same where they are still free. With no name and nothing running or
   * crashed, nothing is started: the report lists no apps.
   */
  restart(name?: string): Promise<StartReport> {
    return this.mutex.run(async () => {
      await this.reaped;
      const source = await this.load();
      if (name) this.requireKnown(name, source);
      const targets = name
        ? [name]
        : [...this.records.values()].filter((record) => (record.run || record.state === 'crashed') && source.apps.has(record.name)).map((record) => record.name);
      if (!targets.length) return { source: source.kind, file: source.file, apps: [] };
      const crashed = new Map<string, LastExit>();
      for (const target of [...targets].reverse()) {
        const record = this.records.get(target);
        if (record?.state === 'crashed' && record.lastExit) crashed.set(target, record.lastExit);
        if (record?.run) {
          await this.stopRun(record, 'stopped');
          record.restarts++;
        } else if (record?.state === 'crashed') record.restarts++;
      }
      // Dependencies that are not running start too; running ones are left as they are.
      const order = this.withDependencies(source, undefined).filter((app) => targets.includes(app) || this.needs(source, targets, app));
      const report = await this.startInOrder(source, order);
      for (const app of report.apps) {
        const exit = crashed.get(app.name);
        if (exit && app.status === 'started') app.crashed = exit;
      }
      return report;
    });
  }

  /** Starts `names` in order; a failure says which of them this call had started (they keep running). */
  private async startInOrder(source: AppSource, names: string[]): Promise<StartReport> {
    const apps: AppStarted[] = [];
    for (const app of names) {
      try {
        apps.push(await this.startOne(app, source));
      } catch (error) {
        if (error instanceof AppStartError) error.started = apps.filter((started) => started.status === 'started').map(({ name, url, port }) => ({ name, ...(url ? { url } : {}), ...(port !== undefined ? { port } : {}) }));
        throw error;
      }
    }
    return { source: source.kind, file: source.file, ...(source.note ? { note: source.note } : {}), apps };
  }

  /**
   * Each configured (or started) app's state, with the config read afresh; `problem` is why it
   * cannot be read (the error app_start would give). Not queued behind a start that is still
   * waiting for readiness: it shows that app as starting.
   */
  async status(): Promise<{ source?: AppSource; apps: AppStatus[]; problem?: LegibleError }> {
    await this.reaped;
    let source: AppSource | undefined;
    let problem: LegibleError | undefined;
    try {
      source = await loadApps(this.root);
    } catch (error) {
      if (!(error instanceof LegibleError)) throw error;
      problem = error;
    }
    const names = new Set([...(source?.apps.keys() ?? []), ...this.records.keys()]);
    const apps = [...names].map((name) => this.statusOf(name));
    return { ...(source ? { source } : {}), apps, ...(problem ? { problem } : {}) };
  }

  private statusOf(name: string): AppStatus {
    const record = this.records.get(name);
    if (!record) return { name, state: 'not started', restarts: 0, droppedEntries: 0 };
    const run = record.run;
    const streams = record.streamIds ?? [];
    return {
      name,
      state: record.state,
      ...(run?.process.pid !== undefined ? { pid: run.process.pid } : {}),
      ...(run?.port !== undefined ? { port: run.port } : record.port !== undefined ? { port: record.port } : {}),
      ...(run?.url ? { url: run.url } : {}),
      ...(run?.readyAt ? { uptimeMs: Date.now() - run.process.startedAt } : {}),
      restarts: record.restarts,
      ...(record.lastExit ? { lastExit: record.lastExit } : {}),
      ...(record.state === 'failed' && record.failure ? { failure: record.failure } : {}),
      droppedEntries: this.store.dropped((id) => streams.includes(id)),
    };
  }

  /** Apps that exited on their own since the last call, with their last lines (for notices). */
  takeExits(): UnexpectedExit[] {
    const out = this.exits.splice(0).map(({ record, run, exit }) => {
      run.capture.end();
      const { lines } = entriesSince(this.store, run.markSeq, (labels) => labels.app === record.name, 8);
      return { name: record.name, exit, afterMs: exit.at - run.process.startedAt, lastLines: lines };
    });
    return out;
  }

  takeNotices(): string[] {
    return this.notices.splice(0);
  }

  /** Whether an app is running or starting (its output may land in an action's window). */
  isActive(): boolean {
    for (const record of this.records.values()) if (record.run) return true;
    return false;
  }

  /** The names of the apps running or starting now. */
  activeApps(): string[] {
    return [...this.records.values()].filter((record) => record.run).map((record) => record.name);
  }

  /** The origins the running apps serve (with `stopped`, also the last one a stopped app served), each with its app's name (appOrigins.ts). */
  origins(options: { stopped?: boolean } = {}): Map<string, string> {
    // Running apps first: a stopped app's old origin never hides the one that serves it now.
    const records = [...this.records.values()].sort((a, b) => Number(!a.run) - Number(!b.run));
    return originsOf(records.map((record) => [record.name, record.run?.url ?? (options.stopped ? record.lastStart?.url : undefined)]));
  }

  /** An app's most recent start that became ready in this session. */
  startupOf(name: string): AppStartup | undefined {
    return this.records.get(name)?.lastStart;
  }

  /** The URL a running app serves now. */
  urlOf(name: string): string | undefined {
    return this.records.get(name)?.run?.url;
  }

  /** The names of the configured apps (reading the config if no call has yet; none without one). */
  async names(): Promise<string[]> {
    const source = this.source ?? (await loadApps(this.root).catch(() => undefined));
    return [...(source?.apps.keys() ?? [])];
  }

  /** Stores output still waiting for a continuation line, of every app. */
  flushOutput(): void {
    for (const record of this.records.values()) record.run?.capture.flush();
  }

  /** Waits (at most `maxMs`) until no running app's process has a thread with work left: a line it logged is in its output (idleWait.ts). */
  async waitForIdle(maxMs: number): Promise<void> {
    const began = Date.now();
    const idle = await waitForIdle([...this.records.values()].flatMap((record) => record.run?.process.pid ?? []), maxMs);
    logDebug(`apps: ${idle ? 'no work left' : 'still busy'} after ${Date.now() - began} ms`);
  }

  /** Stops every app (the server is exiting). */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.records.values()].filter((record) => record.run).map((record) => this.stopRun(record, 'stopped')));
    this.runRecord.remove();
  }

  /** SIGKILL to every app's group, synchronously: the last resort when the process exits. */
  killAllNow(): void {
    for (const record of this.records.values()) record.run?.process.killNow();
    this.runRecord.remove();
  }

  private async load(): Promise<AppSource> {
    this.source = await loadApps(this.root);
    return this.source;
  }

  private requireKnown(name: string, source: AppSource): void {
    if (source.apps.has(name) || this.records.has(name)) return;
    const known = [...source.apps.keys()];
    throw new LegibleError(`No app is named ${JSON.stringify(name.slice(0, 100))} in ${source.file}.`, `The apps are: ${known.join(', ')}. Leave the name out to mean all of them.`, {
      kind: 'usage',
    });
  }

  /** `name` and everything it depends on (or all apps), dependencies first. */
  private withDependencies(source: AppSource, name: string | undefined): string[] {
    if (name) this.requireKnown(name, source);
    const order: string[] = [];
    const visit = (app: string) => {
      if (order.includes(app)) return;
      for (const dependency of dependenciesOf(source.apps.get(app)!)) visit(dependency);
      order.push(app);
    };
    for (const app of name ? [name] : source.apps.keys()) visit(app);
    return order;
  }

  /** Whether one of `targets` depends on `app`, directly or not. */
  private needs(source: AppSource, targets: string[], app: string): boolean {
    return targets.some((target) => this.withDependencies(source, target).includes(app));
  }

  private async startOne(name: string, source: AppSource): Promise<AppStarted> {
    let record = this.records.get(name);
    if (!record) {
      record = { name, state: 'not started', restarts: 0 };
      this.records.set(name, record);
    }
    const current = record.run;
    if (current && !current.stopping) {
      return {
        name,
        status: 'already running',
        ...(current.url ? { url: current.url } : {}),
        ...(current.port !== undefined ? { port: current.port } : {}),
        pid: current.process.pid!,
        readyMs: Date.now() - current.process.startedAt,
        readiness: 'already running',
        checked: true,
        problems: [],
        problemsMore: 0,
      };
    }
    const running = (app: string) => this.records.get(app)?.run;
    const telemetryEnv = (await this.hooks?.environment(name)) ?? {};
    const launched = await launchApp({
      name,
      spec: source.apps.get(name)!,
      source,
      store: this.store,
      previousPort: record.port,
      marker: `${this.instance}/${name}`,
      telemetryEnv,
      dependency: (app) => ({ url: running(app)?.url, port: running(app)?.port }),
      onSpawn: (run) => {
        record.run = run;
        record.state = 'starting';
        record.streamIds = run.capture.streamIds;
        if (run.port !== undefined) record.port = run.port;
        void run.process.exited.then((exit) => this.onExit(record, run, exit));
        this.writeRecord();
      },
      onFailure: (exit, message) => {
        record.run = undefined;
        record.state = 'failed';
        record.failure = message;
        if (exit) {
          record.lastExit = { code: exit.code, signal: exit.signal, at: exit.at, reason: 'failed to start', ...(exit.spawnError ? { error: exit.spawnError.code ?? exit.spawnError.message } : {}) };
        }
        this.writeRecord();
      },
    });
    record.state = 'running';
    record.failure = undefined;
    const { run, readyMs, readiness, checked } = launched;
    record.lastStart = { readyMs, at: run.readyAt ?? Date.now(), ...(run.url ? { url: run.url } : {}) };
    this.hooks?.ready(name, run);
    const { lines, more } = entriesSince(this.store, run.markSeq, (labels, level) => labels.app === name && isProblemLine(labels, level), 8);
    return {
      name,
      status: 'started',
      ...(run.url ? { url: run.url } : {}),
      ...(run.port !== undefined ? { port: run.port } : {}),
      pid: run.process.pid!,
      readyMs,
      ...(run.capture.firstOutputAt ? { firstOutputMs: run.capture.firstOutputAt - run.process.startedAt } : {}),
      readiness,
      checked,
      problems: lines,
      problemsMore: more,
    };
  }

  private async stopRun(record: AppRecord, reason: LastExit['reason']): Promise<ExitInfo> {
    const run = record.run!;
    run.stopping = true;
    this.hooks?.stopped(record.name);
    const exit = await run.process.stop();
    run.capture.end();
    if (record.run === run) {
      record.run = undefined;
      record.state = 'stopped';
      record.lastExit = { code: exit.code, signal: exit.signal, at: exit.at, reason };
    }
    this.writeRecord();
    return exit;
  }

  private onExit(record: AppRecord, run: AppRun, exit: ExitInfo): void {
    if (record.run !== run || run.stopping || record.state === 'starting') return;
    // It exited on its own: stop what it left in its group, and tell the agent on the next call.
    void run.process.stop(500);
    this.hooks?.stopped(record.name);
    record.run = undefined;
    record.state = 'crashed';
    record.lastExit = { code: exit.code, signal: exit.signal, at: exit.at, reason: 'crashed' };
    this.exits.push({ record, run, exit });
    if (this.exits.length > 20) this.exits.shift();
    this.writeRecord();
  }

  private writeRecord(): void {
    const apps = [...this.records.values()].flatMap((record) => (record.run?.process.pid !== undefined ? [{ name: record.name, pid: record.run.process.pid, marker: record.run.marker }] : []));
    this.runRecord.update(apps);
  }
}

