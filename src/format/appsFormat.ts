import { describeExit, type AppStartError } from '../apps/appErrors.js';
import type { ExitInfo } from '../apps/appProcess.js';
import type { AppStatus, StartReport, UnexpectedExit } from '../apps/supervisor.js';
import type { LoggedLine } from '../telemetry/logs/recent.js';
import { formatDuration } from '../telemetry/time.js';
import { plural } from '../util/text.js';
import { compactStructured, formatLogText } from './logLine.js';
import { foldLines, formatProblemLine } from './serverFormat.js';

/** Answers of app_start, app_stop, app_restart and app_status, and the notice of an app that exited. */

export function formatStartReport(report: StartReport, verb: 'Started' | 'Restarted'): string {
  const out: string[] = [];
  if (report.note) out.push(`Note: ${report.note}`);
  for (const app of report.apps) {
    const where = app.url ? ` at ${app.url}` : app.port !== undefined ? ` on port ${app.port}` : '';
    if (app.status === 'already running') {
      out.push(`${app.name} is already running${where} (pid ${app.pid}, up ${formatDuration(app.readyMs)}).`);
      continue;
    }
    const firstOutput = app.firstOutputMs !== undefined ? `; first output after ${formatDuration(app.firstOutputMs)}` : '';
    const crashed = app.crashed ? ` It had crashed (${describeExit(app.crashed)}, ${formatDuration(Date.now() - app.crashed.at)} before).` : '';
    if (!app.checked) {
      out.push(`${verb} ${app.name}${where}: pid ${app.pid}; not waited for: it has no port or "ready" check${firstOutput ? `, first output after ${formatDuration(app.firstOutputMs!)}` : ''}.${crashed}`);
    } else out.push(`${verb} ${app.name}${where}: pid ${app.pid}, ready in ${formatDuration(app.readyMs)} (${app.readiness}${firstOutput}).${crashed}`);
    if (app.problems.length) {
      const lines = foldLines(app.problems, (line) => formatProblemLine(line)).map((text) => `  ${text.replace(/\n/g, '\n  ')}`);
      if (app.problemsMore) lines.push(`  … ${app.problemsMore} more`);
      out.push(`  While starting it printed ${plural(app.problems.length + app.problemsMore, 'warning or error', 'warnings and errors')}:\n${lines.join('\n')}`);
    }
  }
  return out.join('\n');
}

/** The last lines of an app's output, indented, for failures and exit notices; repeats in a row folded. */
export function formatLastLines(lines: LoggedLine[]): string {
  if (!lines.length) return '  (it printed nothing)';
  const out: { text: string; count: number }[] = [];
  for (const line of lines) {
    // Read as everywhere else (a JSON line as its message and fields), with the level it named.
    const level = line.level !== 'unknown' && compactStructured(line.line.split('\n')[0]!) !== undefined ? `${line.level}: ` : '';
    const text = `  ${line.labels.stream === 'stderr' ? 'stderr| ' : ''}${level}${formatLogText(line.line, { max: 300, extraLines: 8 }).replace(/\n/g, '\n  ')}`;
    const last = out.at(-1);
    if (last?.text === text) last.count++;
    else out.push({ text, count: 1 });
  }
  return out.map(({ text, count }) => (count > 1 ? `${text} ×${count}` : text)).join('\n');
}

export function formatStartFailure(error: AppStartError): string {
  const names = error.started.map((app) => `${app.name}${app.url ? ` at ${app.url}` : app.port !== undefined ? ` on port ${app.port}` : ''}`);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
  const started = names.length ? `\n(${list} ${names.length === 1 ? 'was' : 'were'} started by this call before ${error.app} failed, and ${names.length === 1 ? 'keeps' : 'keep'} running.)` : '';
  const output = error.failure === 'port-in-use' || error.failure === 'cwd' ? '' : `\nLast output of ${error.app}:\n${formatLastLines(error.lastLines)}`;
  return `${error.message}${output}${started}`;
}

export function formatStopReport(results: { name: string; wasRunning: boolean; exit?: ExitInfo }[]): string {
  if (!results.length) return 'No app was running.';
  return results
    .map((result) => (result.wasRunning ? `Stopped ${result.name} (${result.exit ? describeExit(result.exit) : 'gone'}).` : `${result.name} was not running.`))
    .join('\n');
}

export function formatStatus(apps: AppStatus[], source: string | undefined): string {
  if (!apps.length) return `No apps${source ? ` in ${source}` : ''}.`;
  const lines = apps.map((app) => {
    const parts: string[] = [`${app.name}: ${app.state}`];
    if (app.pid !== undefined) parts.push(`pid ${app.pid}`);
    if (app.url) parts.push(app.url);
    else if (app.port !== undefined) parts.push(`port ${app.port}`);
    if (app.uptimeMs !== undefined) parts.push(`up ${formatDuration(app.uptimeMs)}`);
    if (app.restarts) parts.push(`${plural(app.restarts, 'restart')}`);
    if (app.lastExit) parts.push(`last exit: ${describeExit(app.lastExit)} (${app.lastExit.reason}, ${formatDuration(Date.now() - app.lastExit.at)} ago)`);
    if (app.failure) parts.push(`why: ${app.failure}`);
    if (app.droppedEntries) parts.push(`${plural(app.droppedEntries, 'old log entry', 'old log entries')} dropped`);
    return parts.join(', ');
  });
  return `${source ? `Apps of ${source}:\n` : ''}${lines.join('\n')}`;
}

/** The notice that an app exited on its own. */
/** `restart` and `output` are the calls that restart the app and show its output, as the agent makes them. */
export function formatExitNotice(exit: UnexpectedExit, restart: string, output: string): string {
  return (
    `app ${exit.name} exited unexpectedly (${describeExit(exit.exit)}) after running ${formatDuration(exit.afterMs)}. ` +
    `Restart it with ${restart}; its full output: ${output}. Its last lines:\n${formatLastLines(exit.lastLines)}`
  );
}
