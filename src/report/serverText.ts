import type { RunServer, StepServer } from '../journey/serverRecord.js';
import { formatDuration } from '../telemetry/time.js';
import { clip, plural, printable } from '../util/text.js';
import type { ServerDiff, SpanChange } from './serverDiff.js';

/** The server side of runs as short text: the apps' start-ups, a step's failing span, a comparison's summary. */

const line = (text: string, max: number) => printable(clip(text, max));

/** Lines of each list a comparison's summary shows; the report has them all. */
const LISTED = 5;

/** "Apps: api started by the run in 412ms (http://localhost:41234), web running (ready in 380ms)." */
export function appsLine(server: RunServer): string | undefined {
  if (!server.apps.length) return undefined;
  const apps = server.apps.map((app) => {
    const ready = app.readyMs !== undefined ? `ready in ${formatDuration(app.readyMs)}` : 'not started';
    return `${app.name} ${app.startedByRun ? `started by the run, ${ready}` : ready}${app.url ? ` (${app.url})` : ''}`;
  });
  const moved = server.moved?.length ? ` Moved: ${server.moved.map((m) => `${m.app} ${m.from} → ${m.to}`).join(', ')}.` : '';
  return `Apps: ${apps.join('; ')}.${moved}`;
}

/** The first failing span of a step, for its line in the run's answer. */
export function stepServerLine(server: StepServer | undefined): string | undefined {
  const failing = server?.spans.find((span) => span.status === 'error' && span.exception) ?? server?.spans.find((span) => span.status === 'error' && span.service !== 'browser');
  if (!failing) return undefined;
  return `server: ✗ ${line(failing.name, 80)} (${failing.service})${failing.exception ? `: ${line(failing.exception, 160)}` : ''} · trace ${failing.traceId}`;
}

function spanChangeText(change: SpanChange): string {
  const { before, after } = change;
  const name = `${line(change.name, 80)} (${change.service})`;
  if (change.kind === 'new') return `${name}: new, ${plural(after!.count, 'span')}, ${formatDuration(after!.meanMs)} mean`;
  if (change.kind === 'gone') return `${name}: gone (was ${plural(before!.count, 'span')}, ${formatDuration(before!.meanMs)} mean)`;
  const count = before!.count === after!.count ? `×${after!.count}` : `×${before!.count} → ×${after!.count}`;
  const errors = before!.errors === after!.errors ? '' : `, errors ${before!.errors} → ${after!.errors}`;
  return `${name}: ${formatDuration(before!.meanMs)} → ${formatDuration(after!.meanMs)} mean (${count}${errors})`;
}

/** A comparison's server side in a few lines: errors resolved and new, spans slower and faster, log lines that came and went. */
export function formatServerDiff(diff: ServerDiff): string[] {
  const lines = [
    `Server: ${diff.resolved.length} error${diff.resolved.length === 1 ? '' : 's'} resolved, ${diff.added.length} new; ${diff.spans.filter((s) => s.kind === 'slower').length} span${diff.spans.filter((s) => s.kind === 'slower').length === 1 ? '' : 's'} slower, ${diff.spans.filter((s) => s.kind === 'faster').length} faster; log lines: ${diff.appeared.length} appeared, ${diff.disappeared.length} disappeared.`,
  ];
  for (const error of diff.resolved.slice(0, LISTED)) lines.push(`  resolved: ${line(error.what, 160)} in ${line(error.where, 80)} (${error.service})`);
  for (const error of diff.added.slice(0, LISTED)) lines.push(`  new error: ${line(error.what, 160)} in ${line(error.where, 80)} (${error.service}) · trace ${error.traceId}`);
  const moved = diff.spans.filter((change) => change.kind === 'slower' || change.kind === 'faster' || change.kind === 'errors');
  for (const change of moved.slice(0, LISTED)) lines.push(`  ${change.kind === 'errors' ? 'errors changed' : change.kind}: ${spanChangeText(change)}`);
  for (const change of diff.appeared.slice(0, 3)) lines.push(`  log appeared: ${change.app} ${change.level}: ${line(change.line, 160)}${change.count > 1 ? ` ×${change.count}` : ''}`);
  for (const change of diff.disappeared.slice(0, 3)) lines.push(`  log gone: ${change.app} ${change.level}: ${line(change.line, 160)}${change.count > 1 ? ` ×${change.count}` : ''}`);
  const hidden = Math.max(0, diff.resolved.length - LISTED) + Math.max(0, diff.added.length - LISTED) + Math.max(0, moved.length - LISTED) + Math.max(0, diff.appeared.length - 3) + Math.max(0, diff.disappeared.length - 3);
  if (hidden) lines.push(`  … ${hidden} more (the report lists them all).`);
  return lines;
}

export { spanChangeText };
