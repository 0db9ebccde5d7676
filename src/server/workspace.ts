import { resolve } from 'node:path';
import type { ActionObserver } from '../actions/observer.js';
import { AppSupervisor } from '../apps/supervisor.js';
import type { Config } from '../config/config.js';
import { formatExitNotice } from '../format/appsFormat.js';
import { watchActivity } from '../telemetry/activity.js';
import { TelemetryHub } from '../telemetry/hub.js';
import { DEFAULT_LOG_LIMITS, LogStore } from '../telemetry/logs/store.js';
import { appRestartTool } from '../tools/appTools.js';
import { logsTool } from '../tools/logsTool.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { callText } from '../tools/family.js';

/** One client's view of the workspace: its own queue of notices about the apps. */
export interface WorkspaceMember {
  /** Notices for this client's next tool result (apps that exited, leftovers stopped); each member gets every one. */
  takeNotices(): string[];
  leave(): void;
}

/**
 * What belongs to the Legible process rather than to one client: the apps under test of the
 * worktree (one AppSupervisor, so one copy of each app and one leftovers record,
 * `.legible/apps-<pid>.json`), the log store their output goes to, their telemetry (TelemetryHub:
 * the OTLP receiver, span and metric stores, scrapers), and the observer behind every action's
 * Server section. Over stdio there is one client; the daemon's connections and the HTTP
 * server's sessions all share the one Workspace of their process, while each keeps its own
 * browser context (ServerContext). Whoever made the Workspace closes it when the process stops.
 */
export class Workspace {
  readonly logStore: LogStore;
  readonly hub: TelemetryHub;
  readonly supervisor: AppSupervisor;
  readonly observer: ActionObserver;
  private readonly members = new Set<string[]>();
  /** Notices for every client (the receiver could not start), kept for the first one when none is there yet. */
  private readonly unheard: string[] = [];
  private closing: Promise<void> | undefined;

  constructor(config: Config) {
    this.logStore = new LogStore({ ...DEFAULT_LOG_LIMITS, maxEntries: config.logEntries });
    const hub = new TelemetryHub(this.logStore, {
      otlpPort: config.otlpPort,
      maxSpans: config.maxSpans,
      maxSamples: config.maxSamples,
      backends: { ...config, root: resolve(config.root) },
    });
    this.hub = hub;
    const supervisor = new AppSupervisor(resolve(config.root), this.logStore, {
      environment: (app) => hub.appEnvironment(app),
      ready: (app, run) => {
        if (run.scrape) void hub.scrapeApp(app, run.scrape.url, run.scrape.intervalMs);
      },
      stopped: (app) => void hub.unscrapeApp(app),
    });
    this.supervisor = supervisor;
    // A fixed port is taken at once, so an app started elsewhere can be pointed at it.
    if (config.otlpPort) {
      void hub.start().catch((error: unknown) => this.tellAll(`${errorMessage(error)}${error instanceof LegibleError && error.hint ? ` ${error.hint}` : ''}`));
    }
    this.observer = watchActivity(
      this.logStore,
      { active: () => supervisor.isActive(), flush: () => supervisor.flushOutput(), idle: (maxMs) => supervisor.waitForIdle(maxMs), origins: () => supervisor.origins() },
      { traces: () => hub.localTraces(), logs: hub.localLogs, remote: () => hub.teamBackends(), heardFrom: (app) => hub.heardFrom(app), record: (request) => hub.recordSpans(request) },
    );
  }

  private tellAll(notice: string): void {
    if (!this.members.size) this.unheard.push(notice);
    for (const inbox of this.members) inbox.push(notice);
  }

  /** A client joins: it hears of every app exit and leftover from now on. */
  join(): WorkspaceMember {
    const inbox: string[] = this.unheard.splice(0);
    this.members.add(inbox);
    return {
      takeNotices: () => {
        this.collect();
        return inbox.splice(0);
      },
      leave: () => {
        this.members.delete(inbox);
      },
    };
  }

  /** Moves the supervisor's notices into every member's inbox. */
  private collect(): void {
    const notices = [
      ...this.supervisor.takeNotices(),
      ...this.supervisor.takeExits().map((exit) => formatExitNotice(exit, callText(appRestartTool, { name: exit.name }), callText(logsTool, { query: `{app="${exit.name}"}` }))),
    ];
    for (const notice of notices) this.tellAll(notice);
  }

  /** The apps it started that are running or starting now. */
  runningApps(): string[] {
    return this.supervisor.activeApps();
  }

  /** Stops every app (bounded: SIGKILL after a grace period), then the telemetry (receiver, scrapers). */
  close(): Promise<void> {
    this.closing ??= this.supervisor.stopAll().finally(() => this.hub.close());
    return this.closing;
  }

  /** SIGKILL to every app's process group, synchronously: the last resort when the process exits. */
  killAllNow(): void {
    this.supervisor.killAllNow();
  }
}
