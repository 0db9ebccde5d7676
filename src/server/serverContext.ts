import { mkdir } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PageState } from '../actions/pageState.js';
import { AppSupervisor } from '../apps/supervisor.js';
import { watchActivity } from '../telemetry/activity.js';
import { TelemetryHub } from '../telemetry/hub.js';
import { DEFAULT_LOG_LIMITS, LogStore } from '../telemetry/logs/store.js';
import type { Config } from '../config/config.js';
import { BrowserSession } from '../cdp/browserSession.js';
import type { SharedBrowser } from '../cdp/sharedBrowser.js';
import { JourneyLog } from '../journey/log.js';
import { SessionSecrets } from '../journey/secrets.js';
import { JourneyStore } from '../journey/store.js';
import { finishRecording, type FinishedRecording } from '../recording/finish.js';
import { RunRegistry } from '../report/runs.js';
import { RecordingStore } from '../recording/store.js';
import type { ToolContext } from '../tools/context.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { fileSystemHint } from '../util/disk.js';
import { writesInside } from '../util/paths.js';
import { quoteValue } from '../util/text.js';

/** The longest file name (one path component) the usual file systems take, in bytes. */
const MAX_NAME_BYTES = 255;

/** The server's state behind the ToolContext view: the browser session and each page's state. */
export class ServerContext implements ToolContext {
  readonly session: BrowserSession;
  private readonly states = new Map<string, PageState>();
  private readonly outputDir: string;
  private readonly store: RecordingStore;
  /** Background work (recordings finished because their page closed), until it settles. */
  private readonly pendingWork = new Set<Promise<void>>();
  /** Recordings finished because their page closed, kept for record_stop (bounded). */
  private readonly interrupted: FinishedRecording[] = [];
  private readonly journeyLogs = new Map<string, JourneyLog>();
  private readonly journeyStore: JourneyStore;
  private readonly runRegistry: RunRegistry;
  private readonly logStore: LogStore;
  private readonly supervisor: AppSupervisor;
  private readonly hub: TelemetryHub;
  private readonly sessionSecrets = new SessionSecrets();

  /** With `shared`, tabs open in an own, isolated context of that browser (an HTTP session's). */
  constructor(
    readonly config: Config,
    shared?: SharedBrowser,
  ) {
    this.logStore = new LogStore({ ...DEFAULT_LOG_LIMITS, maxEntries: config.logEntries });
    const hub = new TelemetryHub(this.logStore, {
      otlpPort: config.otlpPort,
      maxSpans: config.maxSpans,
      maxSamples: config.maxSamples,
      backends: { ...config, root: resolve(config.root) },
    });
    this.hub = hub;
    this.supervisor = new AppSupervisor(resolve(config.root), this.logStore, {
      environment: (app) => hub.appEnvironment(app),
      ready: (app, run) => {
        if (run.scrape) void hub.scrapeApp(app, run.scrape.url, run.scrape.intervalMs);
      },
      stopped: (app) => void hub.unscrapeApp(app),
    });
    // A fixed port is taken at once, so an app started elsewhere can be pointed at it.
    if (config.otlpPort) {
      void hub.start().catch((error: unknown) => this.session.addNotice(`${errorMessage(error)}${error instanceof LegibleError && error.hint ? ` ${error.hint}` : ''}`));
    }
    const supervisor = this.supervisor;
    const observer = watchActivity(
      this.logStore,
      { active: () => supervisor.isActive(), flush: () => supervisor.flushOutput(), origins: () => supervisor.origins() },
      { traces: () => hub.localTraces(), logs: hub.localLogs, heardFrom: (app) => hub.heardFrom(app), record: (request) => hub.recordSpans(request) },
    );
    this.outputDir = resolve(config.outputDir);
    this.store = new RecordingStore(this.outputDir);
    // Journey files are read from the output folder, the working folder (the workspace) and --journey-dir folders.
    this.journeyStore = new JourneyStore(this.outputDir, [process.cwd(), ...config.journeyDirs.map((dir) => resolve(dir))]);
    this.runRegistry = new RunRegistry(join(this.outputDir, 'runs'));
    this.session = new BrowserSession(config, {
      pageOpened: async (page) => {
        const state = await PageState.attach(page, { callTimeout: config.pageTimeout, timerWaitMs: config.timerWait });
        state.observer = observer;
        this.states.set(page.id, state);
      },
      pageClosed: (page) => {
        const state = this.states.get(page.id);
        this.states.delete(page.id);
        this.journeyLogs.delete(page.id);
        if (state?.recorder) this.finishOrphan(state);
      },
    }, shared);
  }

  private stateOf(id: string): PageState {
    const state = this.states.get(id);
    if (!state) throw new LegibleError(`Page ${id} is not ready.`, 'Try again, or list pages with the pages tool.');
    return state;
  }

  async page(id?: string): Promise<PageState> {
    return this.stateOf((await this.session.page(id)).id);
  }

  async pages(): Promise<PageState[]> {
    return (await this.session.pages()).map((page) => this.stateOf(page.id));
  }

  selectedPageId(): string | undefined {
    return this.session.selectedPageId();
  }

  async selectPage(id: string): Promise<PageState> {
    return this.stateOf((await this.session.select(id)).id);
  }

  async newPage(): Promise<PageState> {
    return this.stateOf((await this.session.newPage()).id);
  }

  async outputPath(stem: string, extension: string, requested?: string): Promise<string> {
    let path: string;
    if (requested) {
      path = resolve(this.outputDir, requested);
      const inside = relative(this.outputDir, path);
      if (!inside || inside.startsWith('..') || isAbsolute(inside)) {
        throw new LegibleError(
          `The path ${quoteValue(requested)} leads outside the output folder (${this.outputDir}).`,
          'Give a file name or a relative path inside the output folder, such as "shots/cart.png".',
        );
      }
      if (!extname(path) && extension) path += `.${extension}`;
      // Checked before any work: the file system refuses a longer name only when the file is written.
      const long = path.split(sep).find((part) => Buffer.byteLength(part) > MAX_NAME_BYTES);
      if (long) {
        throw new LegibleError(
          `The file name ${quoteValue(long, 60)} is ${Buffer.byteLength(long)} bytes long; file names are at most ${MAX_NAME_BYTES} bytes.`,
          'Give a shorter name, such as "shots/cart.png".',
        );
      }
    } else {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      path = resolve(this.outputDir, `${stem}-${stamp}.${extension}`);
    }
    try {
      await mkdir(this.outputDir, { recursive: true });
    } catch (error) {
      throw new LegibleError(`Could not create the output folder ${this.outputDir}: ${errorMessage(error)}`, 'Check that the output folder (--output-dir) is writable.');
    }
    // By name the path is inside; a symbolic link on the way (or at its end) may still lead out.
    if (!(await writesInside(this.outputDir, path))) {
      throw new LegibleError(
        `The path ${quoteValue(requested ?? path)} leads outside the output folder (${this.outputDir}) through a symbolic link.`,
        'Give a path inside the output folder that is not a link, such as "shots/cart.png".',
      );
    }
    try {
      await mkdir(resolve(path, '..'), { recursive: true });
    } catch (error) {
      throw new LegibleError(`Could not create the output folder for ${path}: ${errorMessage(error)}`, fileSystemHint(error) ?? 'Check that the output folder (--output-dir) is writable.');
    }
    return path;
  }

  /** A page closed (or its browser died) while recording: keep what was recorded and say so. */
  private finishOrphan(state: PageState): void {
    const recorder = state.recorder!;
    state.recorder = undefined;
    recorder.interrupt(`page ${state.page.id} closed during the recording`);
    const work = finishRecording(recorder, state.actions, recorder.startUrl, this.store).then(
      (finished) => {
        if (this.interrupted.push(finished) > 5) this.interrupted.shift();
        this.session.addNotice(`Recording ${JSON.stringify(finished.info.label)} stopped because its page closed; the partial video is at ${finished.info.video}.`);
      },
      (error: unknown) => this.session.addNotice(`Recording ${JSON.stringify(recorder.label())} was lost when its page closed: ${errorMessage(error)}`),
    );
    this.pendingWork.add(work);
    void work.finally(() => this.pendingWork.delete(work));
  }

  /** Waits for background work (recordings finished because their page closed) so its notices are ready. */
  async drainPending(): Promise<void> {
    await Promise.allSettled([...this.pendingWork]);
  }

  async takeInterruptedRecording(): Promise<FinishedRecording | undefined> {
    await this.drainPending();
    return this.interrupted.shift();
  }

  forgetInterruptedRecordings(): void {
    this.interrupted.length = 0;
  }

  recordings(): RecordingStore {
    return this.store;
  }

  journey(state: PageState): JourneyLog {
    let log = this.journeyLogs.get(state.page.id);
    if (!log) {
      log = new JourneyLog(state.page.viewport() ?? this.config.viewport);
      this.journeyLogs.set(state.page.id, log);
    }
    return log;
  }

  journeys(): JourneyStore {
    return this.journeyStore;
  }

  runs(): RunRegistry {
    return this.runRegistry;
  }

  apps(): AppSupervisor {
    return this.supervisor;
  }

  logs(): LogStore {
    return this.logStore;
  }

  telemetry(): TelemetryHub {
    return this.hub;
  }

  secrets(): SessionSecrets {
    return this.sessionSecrets;
  }

  /** The tabs open now, without launching a browser (the daemon's status). */
  openPages(): { id: string; url: string }[] {
    return [...this.states.values()].map((state) => ({ id: state.page.id, url: state.page.url() }));
  }

  async close(): Promise<void> {
    // Recordings still running when the client goes away are finished, not thrown away.
    for (const state of this.states.values()) if (state.recorder) this.finishOrphan(state);
    await Promise.allSettled([...this.pendingWork]);
    // The apps and the browser stop side by side: both have bounded waits.
    await Promise.allSettled([this.supervisor.stopAll(), this.session.close()]);
    await this.hub.close();
  }
}
