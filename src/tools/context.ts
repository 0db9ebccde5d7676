import type { PageState } from '../actions/pageState.js';
import type { WaitingTab } from '../cdp/browserSession.js';
import type { AppSupervisor } from '../apps/supervisor.js';
import type { LogStore } from '../telemetry/logs/store.js';
import type { TelemetryHub } from '../telemetry/hub.js';
import type { Config } from '../config/config.js';
import type { JourneyLog } from '../journey/log.js';
import type { SessionSecrets } from '../journey/secrets.js';
import type { JourneyStore } from '../journey/store.js';
import type { RunRegistry } from '../report/runs.js';
import type { FinishedRecording } from '../recording/finish.js';
import type { RecordingStore } from '../recording/store.js';

/** What a tool handler may use: a narrow, read-mostly view of the server's state. */
export interface ToolContext {
  readonly config: Config;
  /** The named page, or the selected one (launching the browser and opening a tab if needed). */
  page(id?: string): Promise<PageState>;
  pages(): Promise<PageState[]>;
  /** Tabs still waiting for their first page (no tool can act there yet), with the ids pages lists them by. */
  waitingTabs(): Promise<WaitingTab[]>;
  /** Closes such a tab; false when no waiting tab has that id. */
  closeWaitingTab(id: string): Promise<boolean>;
  selectedPageId(): string | undefined;
  selectPage(id: string): Promise<PageState>;
  /**
   * Brings a tab to the front (a background tab renders no frames) unless it is known to be there
   * still: every tab the browser creates takes the front, and is heard of.
   */
  showTab(state: PageState): Promise<void>;
  newPage(): Promise<PageState>;
  /**
   * A path for an output file inside the output folder. `requested` (from the caller) must stay
   * inside it; without it a unique name is made from `stem` and `extension`.
   */
  outputPath(stem: string, extension: string, requested?: string): Promise<string>;
  /** Finished recordings in the output folder. */
  recordings(): RecordingStore;
  /**
   * The oldest recording that stopped on its own because its page closed or its browser died,
   * and that record_stop has not returned yet (once finished writing); undefined when none.
   */
  takeInterruptedRecording(): Promise<FinishedRecording | undefined>;
  /** A new recording started: older interrupted ones are no longer record_stop's to return. */
  forgetInterruptedRecordings(): void;
  /** The steps taken so far on a page, for journey_save. */
  journey(state: PageState): JourneyLog;
  journeys(): JourneyStore;
  /** Journey runs of this session, for report. */
  runs(): RunRegistry;
  /** The apps under test of the workspace (legible.config.json). */
  apps(): AppSupervisor;
  /** What the apps printed. */
  logs(): LogStore;
  /** Spans, metrics and the OTLP receiver; the backend of each signal the tools query. */
  telemetry(): TelemetryHub;
  /** Secrets typed in this session, which saved journeys refer to by variable (journey/secrets.ts). */
  secrets(): SessionSecrets;
}
