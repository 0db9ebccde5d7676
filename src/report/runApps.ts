import type { AppSupervisor } from '../apps/supervisor.js';
import { journeyApps, rebaseJourney, type MovedApp } from '../journey/appUrls.js';
import { EXPECT_STEP, expectationSchema, type Expectation, type Journey } from '../journey/schema.js';
import type { ServerSide } from '../journey/serverChecks.js';
import type { RunApp } from '../journey/serverRecord.js';
import type { TelemetryHub } from '../telemetry/hub.js';
import { sleep } from '../util/time.js';

/**
 * The apps a journey run uses: the ones its `legible.apps` step names (those the config still
 * has), the ones its server expectations name (`startup:api`, `noServerErrors:api`), and the ones
 * asked for (`--app`, `--apps`). Those not running are started first (with what they depend on);
 * running ones are used as they are. The journey comes back with every URL of a recorded app
 * moved to where that app runs now (appUrls.ts).
 */
export interface RunApps {
  journey: Journey;
  apps: RunApp[];
  moved: MovedApp[];
  /** The server side for runJourney, when an app runs (else the server expectations are not checked). */
  server?: ServerSide;
}

/** `all`: every app of the config (the CLI's --apps); a list: these (--app, repeatable). */
export type AppsWanted = 'all' | string[] | undefined;

function namedBy(expectations: Expectation[]): string[] {
  const out: string[] = [];
  for (const expectation of expectations) {
    if (expectation.type === 'startup') out.push(expectation.app);
    if (expectation.type === 'noServerErrors' && expectation.app) out.push(expectation.app);
  }
  return out;
}

/** Waits for what the apps export at the run's end: spans and logs within their 50 ms export delay, metrics within their 1 s interval. */
const SETTLE_MS = 250;
const SETTLE_METRICS_MS = 1_300;

function serverSide(supervisor: AppSupervisor, hub: TelemetryHub): ServerSide {
  return {
    logs: () => hub.logsBackend(),
    traces: () => hub.traces(),
    metrics: () => hub.metrics(),
    startup: (app) => supervisor.startupOf(app),
    async settle({ metrics }) {
      supervisor.flushOutput();
      await sleep(metrics ? SETTLE_METRICS_MS : SETTLE_MS);
      supervisor.flushOutput();
    },
  };
}

/** The expectations a journey carries as `legible.expect` steps. */
function expectationsOf(journey: Journey): Expectation[] {
  const out: Expectation[] = [];
  for (const step of journey.steps) {
    if (!('unsupported' in step) && step.type === 'customStep' && step.name === EXPECT_STEP) {
      const parsed = expectationSchema.safeParse(step.parameters);
      if (parsed.success) out.push(parsed.data);
    }
  }
  return out;
}

export async function prepareRunApps(supervisor: AppSupervisor, hub: TelemetryHub, journey: Journey, extra: Expectation[], wanted: AppsWanted): Promise<RunApps> {
  const expectations = [...expectationsOf(journey), ...extra];
  const configured = await supervisor.names();
  const recorded = Object.keys(journeyApps(journey)).filter((app) => configured.includes(app));
  const asked = wanted === 'all' ? configured : (wanted ?? []);
  const needed = [...new Set([...asked, ...recorded, ...namedBy(expectations).filter((app) => configured.includes(app) || asked.includes(app))])];
  const started = new Set<string>();
  for (const app of needed) {
    if (supervisor.urlOf(app) || supervisor.activeApps().includes(app)) continue;
    // Unknown names are the supervisor's usage error (with the configured names).
    const report = await supervisor.start(app);
    for (const one of report.apps) if (one.status === 'started') started.add(one.name);
  }
  const running = supervisor.activeApps();
  const current = new Map<string, string>();
  for (const app of running) {
    const url = supervisor.urlOf(app);
    if (url) current.set(app, url);
  }
  const { journey: rebased, moved } = rebaseJourney(journey, current);
  const apps: RunApp[] = [...new Set([...needed, ...running])].map((name) => {
    const start = supervisor.startupOf(name);
    const url = supervisor.urlOf(name);
    return { name, ...(url ? { url } : {}), ...(start ? { readyMs: start.readyMs, startedAt: start.at } : {}), ...(started.has(name) ? { startedByRun: true } : {}) };
  });
  return { journey: rebased, apps, moved, ...(running.length ? { server: serverSide(supervisor, hub) } : {}) };
}
