import { z } from 'zod';
import { AppStartError } from '../apps/appErrors.js';
import { NoAppsError } from '../apps/appSource.js';
import type { StartReport } from '../apps/supervisor.js';
import { formatStartFailure, formatStartReport, formatStatus, formatStopReport } from '../format/appsFormat.js';
import { formatTelemetryStatus } from '../format/telemetryFormat.js';
import { LegibleError } from '../util/errors.js';
import { logsTool } from './logsTool.js';
import { callText, defineFamily } from './family.js';
import { defineTool } from './tool.js';

const nameParam = z.string().min(1).optional().describe('Default: all.');

/** App start-up waits for readiness (30 s per app by default, more when configured). */
const START_TIMEOUT_MS = 600_000;

/** A failed start as an error whose hint names the tools to call next. */
async function starting(work: () => Promise<StartReport>): Promise<StartReport> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AppStartError)) throw error;
    const output = error.failure === 'exited' || error.failure === 'timeout' || error.failure === 'wrong-port' ? ` All its output: ${callText(logsTool, { query: `{app="${error.app}"}` })}.` : '';
    throw new LegibleError(formatStartFailure(error), `${error.hint}${error.failure === 'exited' ? ` (${callText(appStartTool, { name: error.app })})` : ''}${output}`);
  }
}

export const appStartTool = defineTool({
  name: 'app_start',
  title: 'Start app',
  description:
    'Start the apps of legible.config.json (else package.json dev/start), dependencies first, on free ports; waits until ready. Returns URL, pid, time to ready, errors printed.',
  input: { name: nameParam },
  kind: 'action',
  scope: 'browser',
  timeoutMs: START_TIMEOUT_MS,
  async handle({ params, context, response }) {
    const report = await starting(() => context.apps().start(params.name));
    response.text(formatStartReport(report, 'Started'));
  },
});

export const appStopTool = defineTool({
  name: 'app_stop',
  title: 'Stop app',
  description: 'Stop an app, or all, with everything it started.',
  input: { name: nameParam },
  kind: 'action',
  scope: 'browser',
  async handle({ params, context, response }) {
    response.text(formatStopReport(await context.apps().stop(params.name)));
  },
});

export const appRestartTool = defineTool({
  name: 'app_restart',
  title: 'Restart app',
  description: 'After a fix: restart an app (default: all running or crashed) on its port. Returns time to ready, new errors.',
  input: { name: nameParam },
  kind: 'action',
  scope: 'browser',
  timeoutMs: START_TIMEOUT_MS,
  async handle({ params, context, response }) {
    const report = await starting(() => context.apps().restart(params.name));
    if (!report.apps.length) {
      throw new LegibleError(
        'No app is running (or crashed), so there was nothing to restart; nothing was started.',
        `Start them with ${callText(appStartTool)}, or one by name: ${callText(appStartTool, { name: '…' })}; ${callText(appStatusTool)} shows each app's state.`,
      );
    }
    response.text(formatStartReport(report, 'Restarted'));
  },
});

export const appStatusTool = defineTool({
  name: 'app_status',
  title: 'App status',
  description: "Each app's state, pid, URL, uptime, restarts and last exit; the OTLP endpoint and what arrived.",
  input: {},
  kind: 'read',
  scope: 'browser',
  async handle({ context, response }) {
    const { source, apps, problem } = await context.apps().status();
    // A config that cannot be read: the error app start would give, with what to do. No apps
    // defined at all is no error here: the OTLP endpoint below still serves apps started elsewhere.
    if (problem && !apps.length && !(problem instanceof NoAppsError)) throw problem;
    if (problem instanceof NoAppsError && !apps.length) {
      response.text(`No apps to start: ${problem.message}\nTo define them: ${problem.hint ?? ''}`);
    } else {
      response.text(formatStatus(apps, source?.file));
      if (problem) response.text(`The config cannot be read now (${callText(appStartTool)} would fail): ${problem.message}\nTo fix it: ${problem.hint ?? 'see the message.'}`);
      if (source?.note && apps.every((app) => app.state === 'not started')) response.text(`Note: ${source.note}`);
    }
    // The receiver starts here if nothing started it yet, so an app started elsewhere can be pointed at it.
    const telemetry = context.telemetry();
    await telemetry.start().catch(() => undefined);
    response.text(formatTelemetryStatus(telemetry.status()));
  },
});

export const appFamily = defineFamily({
  name: 'app',
  description: 'The apps of legible.config.json (else package.json dev/start): start (free ports, waits until ready), stop, restart after a fix, status (and OTLP).',
  actions: { start: appStartTool, stop: appStopTool, restart: appRestartTool, status: appStatusTool },
});
