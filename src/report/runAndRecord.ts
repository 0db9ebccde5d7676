import type { PageState } from '../actions/pageState.js';
import type { AppSupervisor } from '../apps/supervisor.js';
import type { WaitingTab } from '../cdp/browserSession.js';
import { refusePageScript } from '../journey/pageScript.js';
import type { Expectation } from '../journey/schema.js';
import { runJourney } from '../journey/run.js';
import type { SessionSecrets } from '../journey/secrets.js';
import type { JourneyStore } from '../journey/store.js';
import { finishRecording, type FinishedRecording } from '../recording/finish.js';
import { DEFAULT_FPS, Recorder } from '../recording/recorder.js';
import type { RecordingStore } from '../recording/store.js';
import type { TelemetryHub } from '../telemetry/hub.js';
import { CancelledError, LegibleError } from '../util/errors.js';
import { withFailedBodies } from './failedBodies.js';
import { prepareRunApps, type AppsWanted } from './runApps.js';
import type { RunRecord, RunRegistry } from './runs.js';

const seconds = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`);

/** What running a journey needs from the server (ServerContext provides it; so does the CLI). */
export interface RunContext {
  readonly config: { navigationTimeout: number; runTimeout: number; viewport: { width: number; height: number }; evaluate: boolean };
  newPage(): Promise<PageState>;
  /** Every open tab (a journey's steps may run in a popup it opened). */
  pages(): Promise<PageState[]>;
  /** Tabs still waiting for their first page (a popup whose server never answered), and closing one. */
  waitingTabs(): Promise<WaitingTab[]>;
  closeWaitingTab(id: string): Promise<boolean>;
  selectPage(id: string): Promise<PageState>;
  selectedPageId(): string | undefined;
  /** Brings a tab to the front unless it is known to be there (ToolContext.showTab). */
  showTab(state: PageState): Promise<void>;
  outputPath(stem: string, extension: string, requested?: string): Promise<string>;
  recordings(): RecordingStore;
  journeys(): JourneyStore;
  runs(): RunRegistry;
  /** Secrets typed in this session, for journeys that refer to them (see journey/secrets.ts). */
  secrets(): SessionSecrets;
  /** The apps under test, started for a run that needs them (runApps.ts). */
  apps(): AppSupervisor;
  /** Their telemetry, for the server expectations and what each step keeps of the server side. */
  telemetry(): TelemetryHub;
}

const RECORDING_PACE_MS = 700;

export interface RunRequest {
  journey: string;
  /** Record a video under this label. */
  record?: string;
  /** The run's label, when it is not recorded ("before", "after"); a recording's label otherwise. */
  label?: string;
  expect?: Expectation[];
  /** Apps to start for the run besides those it uses (the CLI's --app, --apps). */
  apps?: AppsWanted;
  unsupported: 'skip' | 'fail';
  /** The caller's cancellation (the client cancelled journey_run): the run stops and nothing is kept. */
  signal?: AbortSignal;
}

/** Closes the tabs the journey's tab opened (popups), and the ones those opened, so a run leaves no tab behind. */
async function closeOpenedBy(context: RunContext, state: PageState): Promise<void> {
  const openers = [state];
  const open = await context.pages().catch(() => [] as PageState[]);
  for (let i = 0; i < openers.length; i++) {
    for (const tab of open) {
      if (!openers.includes(tab) && tab.page.openedBy(openers[i]!.page)) openers.push(tab);
    }
  }
  // And those still waiting for their first page (their server never answered): no tool sees them otherwise.
  const ids = new Set(openers.map((tab) => tab.page.id));
  const waiting = (await context.waitingTabs().catch(() => [])).filter((tab) => tab.openedBy && ids.has(tab.openedBy));
  await Promise.all([
    ...openers.slice(1).map((tab) => tab.page.close().catch(() => undefined)),
    ...waiting.map((tab) => context.closeWaitingTab(tab.id).catch(() => undefined)),
  ]);
}

/**
 * Loads a journey, replays it on a fresh tab (recording it when asked), registers the run, and
 * closes the tab, going back to the tab that was selected before.
 */
export async function runAndRecord(context: RunContext, request: RunRequest): Promise<{ record: RunRecord; recording?: FinishedRecording; writeError?: string }> {
  const loaded = await context.journeys().load(request.journey);
  const { path } = loaded;
  if (!context.config.evaluate) refusePageScript(loaded.journey, request.expect);
  // The apps it uses run (started now if they were not), and its URLs point where they run.
  const apps = await prepareRunApps(context.apps(), context.telemetry(), loaded.journey, request.expect ?? [], request.apps);
  const journey = apps.journey;
  const previous = context.selectedPageId();
  const state = await context.newPage();
  let recording: FinishedRecording | undefined;
  // The run's own bound (the steps' timeouts are clamped too): later steps are reported as not run.
  const stop = new AbortController();
  const limit = context.config.runTimeout;
  const timer = setTimeout(() => stop.abort(new LegibleError(`the run reached its time limit of ${seconds(limit)} (--run-timeout)`)), limit);
  const onCancel = () => stop.abort(new CancelledError('The journey run'));
  if (request.signal?.aborted) onCancel();
  request.signal?.addEventListener('abort', onCancel, { once: true });
  state.signal = stop.signal;
  try {
    if (request.record) {
      const viewport = state.page.viewport() ?? context.config.viewport;
      const video = await context.outputPath(request.record, 'mp4');
      // The fresh tab shows about:blank until the journey's first page paints: the video starts there.
      state.recorder = await Recorder.start(state.page, { label: request.record, path: video, fps: DEFAULT_FPS, format: 'mp4', width: viewport.width, height: viewport.height, captions: true, skipBlankStart: true });
    }
    const result = await runJourney(state, journey, path, {
      expect: request.expect,
      onUnsupported: request.unsupported,
      navigationTimeout: context.config.navigationTimeout,
      evaluate: context.config.evaluate,
      secret: (variable) => context.secrets().lookup(variable),
      remember: (variable, value) => context.secrets().remember(variable, value),
      // A recorded run is for people: hold each state a moment so the video can be followed.
      paceMs: request.record ? RECORDING_PACE_MS : 0,
      tabs: () => context.pages(),
      showTab: (tab) => context.showTab(tab),
      appUrl: (app) => context.apps().urlOf(app),
      signal: stop.signal,
      ...(apps.server ? { server: apps.server } : {}),
    });
    if (result.server) {
      result.server.apps = apps.apps;
      if (apps.moved.length) result.server.moved = apps.moved;
    }
    if (request.signal?.aborted) throw new CancelledError('The journey run');
    if (state.recorder) {
      const recorder = state.recorder;
      state.recorder = undefined;
      recording = await finishRecording(recorder, state.actions, result.url, context.recordings());
    }
    // Before the run's tabs close: Chrome keeps a response's body only as long as its tab.
    const tabs = await context.pages().catch(() => [state]);
    result.network = await withFailedBodies(result.network, tabs.map((tab) => tab.network));
    const { record, writeError } = await context.runs().add(result, { journeyPath: path, recording: recording?.info.id, label: request.record ?? request.label });
    return { record, recording, ...(writeError ? { writeError } : {}) };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onCancel);
    state.signal = undefined;
    if (state.recorder) {
      await state.recorder.abort().catch(() => undefined);
      state.recorder = undefined;
    }
    await closeOpenedBy(context, state);
    await state.page.close().catch(() => undefined);
    if (previous) await context.selectPage(previous).catch(() => undefined);
  }
}
