import { mkdir } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PageState } from '../actions/pageState.js';
import type { AppSupervisor } from '../apps/supervisor.js';
import type { TelemetryHub } from '../telemetry/hub.js';
import type { LogStore } from '../telemetry/logs/store.js';
import type { Config } from '../config/config.js';
import { BrowserSession, type WaitingTab } from '../cdp/browserSession.js';
import type { SharedBrowser } from '../cdp/sharedBrowser.js';
import { JourneyLog } from '../journey/log.js';
import { SessionSecrets } from '../journey/secrets.js';
import { JourneyStore } from '../journey/store.js';
import { finishRecording, type FinishedRecording } from '../recording/finish.js';
import { RunRegistry } from '../report/runs.js';
import { RecordingStore } from '../recording/store.js';
import type { ToolContext } from '../tools/context.js';
import { errorMessage, LegibleError, UsageError } from '../util/errors.js';
import { fileSystemHint } from '../util/disk.js';
import { writesInside } from '../util/paths.js';
import { quoteValue } from '../util/text.js';
import { Workspace, type WorkspaceMember } from './workspace.js';

/** The longest file name (one path component) the usual file systems take, in bytes. */
const MAX_NAME_BYTES = 255;

/**
 * One client's state behind the ToolContext view: the browser session (over stdio and in the
 * daemon, the server's browser; over HTTP, the session's own browser context) and each page's
 * state. The apps, their logs and telemetry are the process's Workspace, shared by its clients.
 */
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
  private readonly sessionSecrets = new SessionSecrets();
  readonly workspace: Workspace;
  /** Whether this context made its Workspace (and so stops the apps when it closes). */
  private readonly ownsWorkspace: boolean;
  private readonly member: WorkspaceMember;

  /**
   * With `shared`, tabs open in an own, isolated context of that browser (an HTTP session's).
   * With `workspace`, the apps are the process's (shared by its clients; closed by its owner);
   * without, this context has a Workspace of its own and stops its apps when it closes.
   */
  constructor(
    readonly config: Config,
    shared?: SharedBrowser,
    workspace?: Workspace,
  ) {
    this.ownsWorkspace = !workspace;
    this.workspace = workspace ?? new Workspace(config);
    this.member = this.workspace.join();
    const observer = this.workspace.observer;
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

  waitingTabs(): Promise<WaitingTab[]> {
    return this.session.waitingTabs();
  }

  closeWaitingTab(id: string): Promise<boolean> {
    return this.session.closeWaiting(id);
  }

  selectedPageId(): string | undefined {
    return this.session.selectedPageId();
  }

  async selectPage(id: string): Promise<PageState> {
    return this.stateOf((await this.session.select(id)).id);
  }

  showTab(state: PageState): Promise<void> {
    return this.session.toFront(state.page);
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
        throw new UsageError(
          `The path ${quoteValue(requested)} leads outside the output folder (${this.outputDir}).`,
          'Give a file name or a relative path inside the output folder, such as "shots/cart.png".',
        );
      }
      if (!extname(path) && extension) path += `.${extension}`;
      // Checked before any work: the file system refuses a longer name only when the file is written.
      const long = path.split(sep).find((part) => Buffer.byteLength(part) > MAX_NAME_BYTES);
      if (long) {
        throw new UsageError(
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
      throw new UsageError(
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
    return this.workspace.supervisor;
  }

  logs(): LogStore {
    return this.workspace.logStore;
  }

  /** Notices about the apps (exits, leftovers stopped) this client has not been told yet. */
  appNotices(): string[] {
    return this.member.takeNotices();
  }

  telemetry(): TelemetryHub {
    return this.workspace.hub;
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
    this.member.leave();
    // The apps and telemetry (when they are this context's own) and the browser stop side by side: both have bounded waits.
    await Promise.allSettled([this.ownsWorkspace ? this.workspace.close() : undefined, this.session.close()]);
  }
}
