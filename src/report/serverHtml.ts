import type { StepVerdict } from '../journey/verdict.js';
import type { RunServer, StepServer } from '../journey/serverRecord.js';
import { compactStructured } from '../telemetry/logs/compactLine.js';
import { formatDuration } from '../telemetry/time.js';
import type { ServerDiff } from './serverDiff.js';
import { spanChangeText } from './serverText.js';
import { plural } from '../util/text.js';

/**
 * The server side in report.html: per step a small span waterfall (bars on the step's own time
 * axis, the failing span marked) and its warning and error lines; the apps' start-up times; and
 * for a comparison, the server-side diff in full. Plain HTML and CSS: the report opens anywhere.
 */

/** Log lines listed per side of a comparison. */
const MAX_LINES = 100;

const esc = (text: unknown) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const SERVER_STYLE = `
.wf{font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace;margin:6px 0 10px}
.wf .row{display:grid;grid-template-columns:minmax(180px,34%) 1fr 70px;gap:8px;align-items:center;padding:1px 0}
.wf .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.wf .track{position:relative;height:12px;background:#f6f8fa;border-radius:3px}
.wf .bar{position:absolute;top:1px;height:10px;border-radius:2px;background:#54aeff;min-width:2px}
.wf .bar.browser{background:#afb8c1}.wf .row.error .bar{background:#cf222e}.wf .row.error .name{color:#cf222e;font-weight:600}
.wf .ms{text-align:right;color:#57606a}
.lines{font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;margin:4px 0 10px}
.lines .error,.lines .fatal{color:#cf222e}.lines .warn{color:#9a6700}
`;

/** One step's spans as a waterfall on its trace's time axis; the failing spans in red with ✗. */
export function waterfall(server: StepServer): string {
  if (!server.spans.length) return '<p class="muted">No spans arrived for this step.</p>';
  const start = Math.min(...server.spans.map((span) => span.startMs));
  const end = Math.max(...server.spans.map((span) => span.startMs + span.durationMs));
  const total = Math.max(end - start, 0.001);
  const rows = server.spans
    .map((span) => {
      const left = ((span.startMs - start) / total) * 100;
      const width = Math.max((span.durationMs / total) * 100, 0.3);
      const failing = span.status === 'error';
      const title = `${span.name} (${span.service}) ${formatDuration(span.durationMs)}${span.exception ? ` — ${span.exception}` : span.statusMessage ? ` — ${span.statusMessage}` : ''}`;
      return `<div class="row${failing ? ' error' : ''}" title="${esc(title)}"><span class="name" style="padding-left:${Math.min(span.depth, 12) * 12}px">${failing ? '✗ ' : ''}${esc(span.name)} <span class="muted">(${esc(span.service)})</span>${span.exception ? ` <span class="bad">${esc(span.exception)}</span>` : ''}</span><span class="track"><span class="bar${span.service === 'browser' ? ' browser' : ''}" style="left:${left.toFixed(2)}%;width:${Math.min(width, 100 - left).toFixed(2)}%"></span></span><span class="ms">${esc(formatDuration(span.durationMs))}</span></div>`;
    })
    .join('');
  const more = server.spansMore ? `<p class="muted">${plural(server.spansMore, 'more span', 'more spans')} in the spans file.</p>` : '';
  return `<div class="wf" data-trace="${esc(server.traceId ?? '')}">${rows}</div>${more}`;
}

/** A step's warning and error lines (the rest of its lines are in the logs file). */
function problemLines(server: StepServer): string {
  const lines = server.logs.filter((entry) => entry.level === 'error' || entry.level === 'fatal' || entry.level === 'warn');
  if (!lines.length) return '';
  return `<div class="lines">${lines.map((entry) => `<div class="${esc(entry.level)}">${esc(`${entry.app} ${entry.level}: ${compactStructured(entry.line.split('\n')[0]!) ?? entry.line.split('\n')[0]}${entry.traceId ? ` · trace ${entry.traceId}` : ''}`)}</div>`).join('')}</div>`;
}

function appsTable(server: RunServer): string {
  if (!server.apps.length) return '';
  const rows = server.apps
    .map((app) => `<tr><td>${esc(app.name)}</td><td>${app.readyMs !== undefined ? esc(formatDuration(app.readyMs)) : '<span class="muted">not started</span>'}</td><td>${app.startedAt ? esc(new Date(app.startedAt).toISOString()) : ''}</td><td>${app.startedByRun ? 'by this run' : 'already running'}</td><td>${app.url ? `<code>${esc(app.url)}</code>` : ''}</td></tr>`)
    .join('');
  return `<h3>Apps</h3><table class="apps"><tr><th>App</th><th>Start-up (spawn → ready)</th><th>Ready at</th><th>Started</th><th>URL</th></tr>${rows}</table>`;
}

/** The run's server side: apps, then each step that reached an app, with its trace. */
export function serverSection(server: RunServer | undefined, steps: StepVerdict[], files: { spans?: string; logs?: string }): string {
  if (!server) return '';
  const stepParts = steps
    .filter((step) => step.server && (step.server.spans.length || step.server.logs.length))
    .map((step) => `<h4>Step ${step.index}: ${esc(step.description)}${step.server!.traceId ? ` <span class="muted">· trace <code>${esc(step.server!.traceId)}</code></span>` : ''}</h4>${waterfall(step.server!)}${problemLines(step.server!)}`)
    .join('');
  const links = [files.spans ? `<a href="${esc(files.spans)}">spans (OTLP JSON)</a>` : '', files.logs ? `<a href="${esc(files.logs)}">app logs (NDJSON)</a>` : ''].filter(Boolean).join(' · ');
  const dropped = server.spansDropped || server.logsDropped ? `<p class="muted">Left out by the run's caps: ${plural(server.spansDropped, 'span')}, ${plural(server.logsDropped, 'log line')}.</p>` : '';
  return `<div class="server"><h3>Server side</h3>${appsTable(server)}${stepParts || '<p class="muted">No step reached an app.</p>'}${dropped}${links ? `<p>Server files: ${links}</p>` : ''}</div>`;
}

/** A comparison's server side in full. */
export function serverDiffSection(diff: ServerDiff | undefined, names: [string, string]): string {
  if (!diff) return '';
  const errors = [
    ...diff.resolved.map((error) => `<tr><td class="ok">resolved</td><td>${esc(error.what)}</td><td><code>${esc(error.where)}</code> (${esc(error.service)})</td><td>${error.count}× in ${esc(names[0])}</td></tr>`),
    ...diff.added.map((error) => `<tr><td class="bad">new</td><td>${esc(error.what)}</td><td><code>${esc(error.where)}</code> (${esc(error.service)})</td><td>${error.count}× in ${esc(names[1])} · trace <code>${esc(error.traceId)}</code></td></tr>`),
  ].join('');
  const spans = diff.spans.map((change) => `<tr><td class="${change.kind === 'slower' || change.kind === 'new' ? 'warn' : change.kind === 'faster' || change.kind === 'gone' ? 'ok' : 'bad'}">${esc(change.kind)}</td><td>${esc(spanChangeText(change))}</td></tr>`).join('');
  const lines = [
    ...diff.appeared.slice(0, MAX_LINES).map((line) => `<tr><td class="warn">appeared</td><td>${esc(`${line.app} ${line.level}: ${line.line}`)}${line.count > 1 ? ` ×${line.count}` : ''}</td></tr>`),
    ...diff.disappeared.slice(0, MAX_LINES).map((line) => `<tr><td class="ok">disappeared</td><td>${esc(`${line.app} ${line.level}: ${line.line}`)}${line.count > 1 ? ` ×${line.count}` : ''}</td></tr>`),
  ].join('');
  const cut = Math.max(0, diff.appeared.length - MAX_LINES) + Math.max(0, diff.disappeared.length - MAX_LINES);
  return `<section class="card" id="server-diff"><h2>Server side: what changed</h2>
<h3>Errors</h3>${errors ? `<table><tr><th></th><th>Error</th><th>In</th><th></th></tr>${errors}</table>` : '<p class="muted">No error resolved or new.</p>'}
<h3>Spans (matched by name and route)</h3>${spans ? `<table><tr><th></th><th>Span: ${esc(names[0])} → ${esc(names[1])}</th></tr>${spans}</table>` : '<p class="muted">No span became slower, faster, appeared or went.</p>'}
<h3>Log lines</h3>${lines ? `<table>${lines}</table>` : '<p class="muted">The same lines in both.</p>'}${cut ? `<p class="muted">${plural(cut, 'more line', 'more lines')} changed; the logs files have every line.</p>` : ''}
</section>`;
}
