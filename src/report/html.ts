import type { ConsoleEntry } from '../capture/consoleLog.js';
import { isFailed, type NetworkEntry } from '../capture/networkLog.js';
import type { Change } from './changes.js';
import type { RunRecord } from './runs.js';
import type { ServerDiff } from './serverDiff.js';
import { SERVER_STYLE, serverDiffSection, serverSection } from './serverHtml.js';

/** Files of one run inside the report folder, as relative paths. */
export interface RunFiles {
  video?: string;
  /** The video starts at the page's first paint, this long after the run began. */
  videoBlankLeadMs?: number;
  filmstrip?: string;
  /** The video's last frame, shown before it plays (a video without one is a black box). */
  poster?: string;
  har: string;
  console: string;
  /** The run's spans (OTLP/JSON) and the apps' log lines (NDJSON), when it had apps. */
  spans?: string;
  logs?: string;
}

export interface ReportModel {
  title: string;
  createdAt: number;
  runs: { run: RunRecord; files: RunFiles; name: string }[];
  journeyFile: string;
  comparison?: { video: string; filmstrip: string; poster?: string };
  changes?: Change[];
  serverDiff?: ServerDiff;
}

const esc = (text: unknown) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STATUS_CLASS: Record<string, string> = { passed: 'ok', skipped: 'muted', 'not-run': 'warn', failed: 'bad', 'not-found': 'bad', 'not-checked': 'warn' };
const CHANGE_CLASS: Record<string, string> = { fixed: 'ok', 'still passing': 'muted', 'still failing': 'bad', 'newly failing': 'bad' };

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px} h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px} h3{font-size:16px;margin:18px 0 6px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px;margin:12px 0}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:13px;color:#fff}
.badge.passed{background:#1a7f37}.badge.failed{background:#cf222e}.badge.incomplete,.badge.error{background:#9a6700}
table{border-collapse:collapse;width:100%;font-size:14px} td,th{border-bottom:1px solid #eaeef2;padding:6px 8px;text-align:left;vertical-align:top}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}.warn{color:#9a6700;font-weight:600}.muted{color:#6e7781}
code,pre{font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;border-radius:4px}
pre{padding:8px;overflow:auto;white-space:pre-wrap}
video,img.strip{max-width:100%;border:1px solid #d0d7de;border-radius:6px;background:#000}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
.summary span{margin-right:18px}
`;

function consoleList(entries: ConsoleEntry[]): string {
  const errors = entries.filter((entry) => entry.level === 'error' || entry.level === 'warning');
  if (!errors.length) return '<p class="muted">No console errors or warnings.</p>';
  return `<pre>${errors.map((entry) => esc(`${entry.source === 'exception' ? 'exception' : entry.level}: ${entry.text}${entry.location?.url ? ` (${entry.location.url}:${entry.location.line}:${entry.location.column})` : ''}${entry.count > 1 ? ` ×${entry.count}` : ''}`)).join('\n')}</pre>`;
}

/** Characters of a failed response's body shown in the page; the HAR has what was kept. */
const BODY_EXCERPT = 600;

function bodyExcerpt(entry: NetworkEntry): string {
  const body = entry.responseBody;
  if (!body) return '<span class="muted">not kept (not text, or no longer in the browser)</span>';
  const cut = body.text.length > BODY_EXCERPT || body.truncated;
  return `<pre>${esc(body.text.slice(0, BODY_EXCERPT))}${cut ? '…' : ''}</pre>${cut ? '<span class="muted">the rest is in the HAR file</span>' : ''}`;
}

/** A video with its poster: the still shows where it ended until it plays from the start. */
function videoTag(video: string, poster: string | undefined): string {
  const still = poster ? ` poster="${esc(poster)}" title="The still is the last frame; play starts from the beginning."` : '';
  return `<video controls preload="metadata"${still} src="${esc(video)}"></video>`;
}

function videoNote(files: RunFiles): string {
  if (!files.videoBlankLeadMs) return '';
  return `<p class="muted">The video starts at the page's first paint, ${(files.videoBlankLeadMs / 1000).toFixed(1)} s after the run began (a blank tab until then); its times count from there.</p>`;
}

function runSection({ run, files, name }: ReportModel['runs'][number]): string {
  const failed = run.network.filter(isFailed);
  const steps = run.steps
    .map((step) => {
      const notes = [
        step.reason ? esc(step.reason) : '',
        ...step.errors.map((error) => `<div class="bad">console: ${esc(error.text)}</div>`),
        ...step.failedRequests.map((request) => `<div class="bad">✗ ${esc(request.method)} ${esc(request.url)} → ${esc(request.failure ?? request.status)}</div>`),
      ].join('');
      // A step that ran with a field Legible did not honour is "not checked", never a plain pass.
      const status = step.status === 'passed' && step.unchecked?.length ? 'not-checked' : step.status;
      const unchecked = status === 'not-checked' ? `<div class="warn">not checked: ${esc(step.unchecked!.join(', '))}</div>` : '';
      return `<tr><td>${step.index}</td><td>${esc(step.description)}</td><td class="${STATUS_CLASS[status]}">${esc(status.replace('-', ' '))}</td><td>${step.ms} ms</td><td>${unchecked}${notes}</td></tr>`;
    })
    .join('');
  const checks = run.expectations.length
    ? `<table><tr><th>Expectation</th><th>Result</th><th>Detail</th></tr>${run.expectations
        .map((check) => `<tr><td>${esc(check.description)}</td><td class="${check.status === 'not-checked' ? 'warn' : check.passed ? 'ok' : 'bad'}">${check.status === 'not-checked' ? 'not checked' : check.passed ? 'passed' : 'failed'}</td><td>${esc(check.detail ?? '')}${check.found?.length ? `<div class="lines">${check.found.map((found) => `<div>${esc(found)}</div>`).join('')}</div>` : ''}</td></tr>`)
        .join('')}</table>`
    : '<p class="muted">No expectations: the verdict is about the steps only.</p>';
  return `<section class="card" id="${esc(name)}">
<h2>${esc(name)} <span class="badge ${run.verdict}">${run.verdict.toUpperCase()}</span></h2>
<p class="muted">${esc(run.id)} · ${esc(new Date(run.startedAt).toISOString())} · ${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s · ended at <code>${esc(run.url)}</code></p>
${files.video ? `${videoTag(files.video, files.poster)}${videoNote(files)}` : '<p class="muted">Not recorded.</p>'}
${files.filmstrip ? `<h3>Key moments</h3><img class="strip" alt="Filmstrip of ${esc(name)}" src="${esc(files.filmstrip)}">` : ''}
<h3>Steps</h3><table><tr><th>#</th><th>Step</th><th>Result</th><th>Time</th><th>Notes</th></tr>${steps}</table>
${serverSection(run.server, run.steps, files)}
${run.unchecked?.length ? `<h3>Not checked</h3><ul class="warn">${run.unchecked.map((line) => `<li>${esc(line)}</li>`).join('')}</ul>` : ''}
<h3>Expectations</h3>${checks}
<h3>Console errors</h3>${consoleList(run.console)}
<h3>Failed requests</h3>${
    failed.length
      ? `<table><tr><th>Request</th><th>Result</th><th>Response body</th></tr>${failed.map((entry) => `<tr><td><code>${esc(entry.method)} ${esc(entry.url)}</code></td><td class="bad">${esc(entry.failure ?? `${entry.status} ${entry.statusText ?? ''}`)}</td><td>${bodyExcerpt(entry)}</td></tr>`).join('')}</table>`
      : '<p class="muted">None.</p>'
  }
<p>Files: <a href="${esc(files.har)}">network (HAR)</a> · <a href="${esc(files.console)}">console log</a>${files.spans ? ` · <a href="${esc(files.spans)}">spans (OTLP JSON)</a>` : ''}${files.logs ? ` · <a href="${esc(files.logs)}">app logs (NDJSON)</a>` : ''}</p>
</section>`;
}

/** A self-contained HTML report: open it in any browser, next to the files it links. */
export function renderReport(model: ReportModel): string {
  const verdicts = model.runs.map(({ run, name }) => `<span>${esc(name)}: <span class="badge ${run.verdict}">${run.verdict.toUpperCase()}</span></span>`).join('');
  const changes = model.changes?.length
    ? `<section class="card"><h2>What changed</h2><p class="summary">${(['fixed', 'still failing', 'newly failing'] as const)
        .map((kind) => {
          const count = model.changes!.filter((c) => c.kind === kind).length;
          // Zero of something bad is good news: not in red.
          return `<span class="${count ? CHANGE_CLASS[kind] : 'muted'}">${count} ${kind}</span>`;
        })
        .join('')}</p><table><tr><th>Check</th><th>${esc(model.runs[0]!.name)}</th><th>${esc(model.runs[1]!.name)}</th><th>Change</th></tr>${model.changes
        .map((change) => `<tr><td>${esc(change.what)}</td><td>${esc(change.before)}</td><td>${esc(change.after)}</td><td class="${CHANGE_CLASS[change.kind]}">${esc(change.kind)}</td></tr>`)
        .join('')}</table></section>`
    : '';
  const comparison = model.comparison
    ? `<section class="card"><h2>Side by side</h2>${videoTag(model.comparison.video, model.comparison.poster)}<h3>Same moments</h3><img class="strip" alt="Comparison filmstrip" src="${esc(model.comparison.filmstrip)}"></section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(model.title)} — Legible report</title><style>${STYLE}${SERVER_STYLE}</style></head>
<body><main>
<h1>${esc(model.title)}</h1>
<p class="muted">Legible report · ${esc(new Date(model.createdAt).toISOString())} · journey: <a href="${esc(model.journeyFile)}">${esc(model.journeyFile)}</a></p>
<p class="summary">${verdicts}</p>
${changes}
${model.runs.length === 2 ? serverDiffSection(model.serverDiff, [model.runs[0]!.name, model.runs[1]!.name]) : ''}
${comparison}
${model.runs.map(runSection).join('\n')}
</main></body></html>
`;
}
