// Turns the reps into one table (medians per server, Legible against the best peer, targets) and a JSON file.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LEGIBLE = 'legible';

/** Lower-is-better ratio target: Legible / best peer ≤ max (undefined when there is no ratio). */
const ratioAtMost = (max) => ({ text: `≤ ${max}× best peer`, pass: ({ ratio }) => (ratio === undefined ? undefined : ratio <= max) });
/** Higher-is-better ratio target: Legible / best peer ≥ min. */
const ratioAtLeast = (min) => ({ text: `≥ ${min}× best peer`, pass: ({ ratio }) => (ratio === undefined ? undefined : ratio >= min) });
/** A target on Legible's own value (undefined when Legible has no value). */
const legibleIs = (text, test) => ({ text, pass: ({ legible }) => (typeof legible === 'number' ? test(legible) : undefined) });

/**
 * Every row of the table. `get(rep)` reads one rep's value (number, boolean or string);
 * rows with `memory` read the Legible-only memory run instead. `better` says which way is
 * better ('lower' or 'higher') for the ratio column; rows without it get no ratio.
 */
const recording = (rep, field) => (rep.recording ? (rep.recording.available ? rep.recording[field] : 'n/a') : undefined);

export const ROWS = [
  { key: 'toolsListMs', label: 'tools/list: spawn → answer (ms)', get: (r) => r.toolsList?.ms, better: 'lower', digits: 0, target: ratioAtMost(0.5) },
  { key: 'toolsListChars', label: 'tools/list: size (chars)', get: (r) => r.toolsList?.chars, better: 'lower', digits: 0, target: ratioAtMost(0.5) },
  { key: 'toolCount', label: 'tools/list: tools', get: (r) => r.toolsList?.tools, digits: 0 },
  { key: 'searchMs', label: 'Search: click → results in a response (ms)', get: (r) => r.search?.ms, better: 'lower', digits: 0, target: ratioAtMost(0.5) },
  { key: 'searchCalls', label: 'Search: calls until results seen', get: (r) => r.search?.calls, digits: 0 },
  { key: 'searchOk', label: 'Search: result names visible', get: (r) => r.search?.correct },
  { key: 'addToCartMs', label: 'Add to cart click, 500 response (ms)', get: (r) => r.failures?.addToCartMs, better: 'lower', digits: 0 },
  { key: 'post500', label: 'Network lists the 500 POST', get: (r) => r.failures?.post500 },
  { key: 'consoleError', label: 'Console lists the console.error', get: (r) => r.failures?.consoleError },
  { key: 'exception', label: 'Console lists the uncaught TypeError', get: (r) => r.failures?.exception },
  { key: 'dashMs', label: 'Dashboard that polls: navigate → its figures seen (ms)', get: (r) => r.dashboard?.ms, better: 'lower', digits: 0 },
  { key: 'dashNavMs', label: 'Dashboard that polls: navigate call (ms)', get: (r) => r.dashboard?.navigateMs, better: 'lower', digits: 0 },
  { key: 'dashOk', label: 'Dashboard: figures seen (calls)', get: (r) => r.dashboard && `${r.dashboard.correct ? 'yes' : 'no'} (${r.dashboard.calls})` },
  { key: 'shotMs', label: 'Screenshot: time (ms)', get: (r) => r.screenshot?.ms, better: 'lower', digits: 0 },
  {
    key: 'shotBytes',
    label: 'Screenshot: image bytes',
    get: (r) => r.screenshot?.bytes,
    better: 'lower',
    digits: 0,
    target: {
      text: '≤ 0.5× best peer, ≥ its pixels',
      pass: ({ ratio, best, reps }) => {
        const pixels = (id) => median(reps[id].map((r) => (r.screenshot ? r.screenshot.width * r.screenshot.height : undefined)));
        if (ratio === undefined) return undefined;
        return ratio <= 0.5 && pixels(LEGIBLE) >= pixels(best);
      },
    },
  },
  { key: 'shotPixels', label: 'Screenshot: pixels, format', get: (r) => r.screenshot && `${r.screenshot.width}×${r.screenshot.height} ${r.screenshot.format}` },
  { key: 'snap100Ms', label: 'Snapshot 100 rows: time (ms)', get: (r) => r.tables?.[100]?.ms, better: 'lower', digits: 0 },
  { key: 'snap100Chars', label: 'Snapshot 100 rows: size (chars)', get: (r) => r.tables?.[100]?.chars, better: 'lower', digits: 0 },
  { key: 'snap1000Ms', label: 'Snapshot 1,000 rows: time (ms)', get: (r) => r.tables?.[1000]?.ms, better: 'lower', digits: 0, target: ratioAtMost(0.25) },
  { key: 'snap1000Chars', label: 'Snapshot 1,000 rows: size (chars)', get: (r) => r.tables?.[1000]?.chars, better: 'lower', digits: 0, target: ratioAtMost(0.1) },
  { key: 'snap5000Ms', label: 'Snapshot 5,000 rows: time (ms)', get: (r) => r.tables?.[5000]?.ms, better: 'lower', digits: 0, target: ratioAtMost(0.25) },
  { key: 'snap5000Chars', label: 'Snapshot 5,000 rows: size (chars)', get: (r) => r.tables?.[5000]?.chars, better: 'lower', digits: 0 },
  {
    key: 'snapScaling',
    label: 'Snapshot time 5,000 / 1,000 rows',
    get: (r) => r.tables?.[5000] && r.tables?.[1000] && r.tables[5000].ms / r.tables[1000].ms,
    better: 'lower',
    digits: 1,
    target: legibleIs('Legible ≤ 6', (v) => v <= 6),
  },
  { key: 'refCalls', label: 'Ref for "Open 777" (1,000 rows): calls', get: (r) => r.findRef?.calls, better: 'lower', digits: 0 },
  { key: 'refChars', label: 'Ref for "Open 777" (1,000 rows): chars', get: (r) => r.findRef?.chars, better: 'lower', digits: 0 },
  { key: 'refWorks', label: 'Ref for "Open 777": click works', get: (r) => r.findRef?.works },
  { key: 'recErrorPct', label: 'Recording: duration error vs wall (%)', get: (r) => recording(r, 'errorPct'), better: 'lower', digits: 1, target: legibleIs('Legible ≤ 3 %', (v) => v <= 3) },
  { key: 'recFps', label: 'Recording: frame rate (fps)', get: (r) => recording(r, 'fps'), better: 'higher', digits: 1, target: legibleIs('Legible ≥ 24', (v) => v >= 24) },
  { key: 'recFrames', label: 'Recording: frames', get: (r) => recording(r, 'frames'), digits: 0 },
  {
    key: 'recDistinctFps',
    label: 'Recording: distinct frames per second while animating',
    get: (r) => recording(r, 'distinctFps'),
    better: 'higher',
    digits: 1,
    target: ratioAtLeast(1),
  },
  { key: 'recStopMs', label: 'Recording: stop returns (ms)', get: (r) => recording(r, 'stopMs'), better: 'lower', digits: 0, target: legibleIs('Legible < 1000 ms', (v) => v < 1000) },
  { key: 'totalChars', label: 'Journey total text returned (chars)', get: (r) => r.totalChars, better: 'lower', digits: 0, target: ratioAtMost(0.5) },
  { key: 'totalCalls', label: 'Journey tool calls', get: (r) => r.totalCalls, digits: 0 },
  { key: 'serverPeakMb', label: 'Server process peak RSS (MB, VmHWM)', get: (r) => r.serverPeakMb, better: 'lower', digits: 0 },
  { key: 'browserPeakMb', label: 'Browser processes, peak summed PSS (MB)', get: (r) => r.browserPeakMb, better: 'lower', digits: 0 },
  { key: 'mem50', label: 'Legible RSS after 50 actions (MB)', memory: (m) => m.checkpoints?.[50]?.serverRssMb, digits: 0 },
  { key: 'mem500', label: 'Legible RSS after 500 actions (MB)', memory: (m) => m.checkpoints?.[500]?.serverRssMb, digits: 0 },
  { key: 'memRatio', label: 'Legible RSS 500 / 50 actions', memory: (m) => m.ratio, digits: 2, target: legibleIs('≤ 1.2', (v) => v <= 1.2) },
  { key: 'memActionMs', label: 'Legible action (click/type), median (ms)', memory: (m) => m.medianActionMs, digits: 0 },
  // A click while a recording runs (bench/recordingClick.mjs, Legible only).
  { key: 'recClickIdleMs', label: 'Click on a page that animates, median (ms)', recordingClick: (c) => c.idleMs, digits: 0 },
  { key: 'recClickMs', label: 'Same click while recording, median (ms)', recordingClick: (c) => c.recordingMs, digits: 0 },
  { key: 'recClickRatio', label: 'Click while recording / without (same round)', recordingClick: (c) => c.ratio, digits: 2 },
  // Telemetry through the real server (bench/telemetryServer.mjs, over MCP).
  { key: 'srvSpansPerS', label: 'OTLP ingest into the server, protobuf (spans/s)', telemetry: (t) => t.server?.ingest?.spansPerSecond, digits: 0, target: legibleIs('≥ 100,000', (v) => v >= 100_000) },
  { key: 'srvLogsPerS', label: 'OTLP ingest into the server, protobuf (log records/s)', telemetry: (t) => t.server?.ingest?.logRecordsPerSecond, digits: 0 },
  { key: 'srvToolIdle', label: 'traces call, idle, median (ms)', telemetry: (t) => t.server?.ingest?.toolCallMs.idleMedian, digits: 1 },
  { key: 'srvToolIngest', label: 'traces call during ingest, median (ms)', telemetry: (t) => t.server?.ingest?.toolCallMs.ingestMedian, digits: 1 },
  { key: 'srvToolIngestP95', label: 'traces call during ingest, p95 (ms)', telemetry: (t) => t.server?.ingest?.toolCallMs.ingestP95, digits: 1 },
  { key: 'reportWithMs', label: 'Click → report with the Server section, median (ms)', telemetry: (t) => t.server?.report?.withMs, digits: 0 },
  { key: 'reportWithoutMs', label: 'Same click, app without telemetry, median (ms)', telemetry: (t) => t.server?.report?.withoutMs, digits: 0 },
  { key: 'reportAddedMs', label: 'Server section: added at the median (ms)', telemetry: (t) => t.server?.report?.addedMs, digits: 0, target: legibleIs('≤ 150 ms', (v) => v <= 150) },
  { key: 'capsRssMb', label: 'Server RSS, spans, logs and samples at their caps (MB)', telemetry: (t) => (t.server?.memory?.atCaps ? t.server.memory.rssMb : undefined), digits: 0 },
  // Telemetry rows of the parts alone (bench/traces.mjs, Legible only, in-process).
  { key: 'otlpSpansPerS', label: 'OTLP ingest, protobuf (spans/s)', telemetry: (t) => t.ingest?.spansPerSecond, digits: 0, target: legibleIs('≥ 100,000', (v) => v >= 100_000) },
  { key: 'otlpSpansPerCpuS', label: 'OTLP ingest: spans per receiver CPU-second', telemetry: (t) => t.ingest?.spansPerCpuSecond, digits: 0 },
  { key: 'otlpToolIdle', label: 'Tool-like call (TraceQL), idle, median (ms)', telemetry: (t) => t.ingest?.toolCallMs.idleMedian, digits: 1 },
  { key: 'otlpToolIngest', label: 'Tool-like call during ingest, median (ms)', telemetry: (t) => t.ingest?.toolCallMs.ingestMedian, digits: 1 },
  { key: 'otlpToolIngestP95', label: 'Tool-like call during ingest, p95 (ms)', telemetry: (t) => t.ingest?.toolCallMs.ingestP95, digits: 1 },
  { key: 'otlpLogsPerS', label: 'OTLP ingest, protobuf (log records/s)', telemetry: (t) => t.logs?.recordsPerSecond, digits: 0 },
  { key: 'traceqlMs', label: 'TraceQL over 100,000 spans, slowest query median (ms)', telemetry: (t) => t.search?.worstMedianMs, digits: 1, target: legibleIs('≤ 50 ms', (v) => v <= 50) },
  { key: 'spanBytes', label: 'Span store heap per span at its cap (bytes)', telemetry: (t) => t.memory?.bytesPerSpan, digits: 0 },
  { key: 'spanRss', label: 'Process RSS with 100,000 spans stored (MB)', telemetry: (t) => t.memory?.rssMb, digits: 0 },
  { key: 'appStartOverheadMs', label: "app_start overhead: time to ready − the app's own (ms)", apps: (a) => a.appStart?.overheadMs, digits: 0, target: legibleIs('≤ 100 ms', (v) => v <= 100) },
  { key: 'appStartNodeMs', label: "app_start overhead: of which Node's own start-up (ms)", apps: (a) => a.appStart?.nodeBootMs, digits: 0 },
  { key: 'appStartShareMs', label: "app_start overhead: Legible's share (ms)", apps: (a) => a.appStart?.legibleShareMs, digits: 0 },
  { key: 'appStartMs', label: 'app_start: call → answer, app ready (ms)', apps: (a) => a.appStart?.legibleMs, digits: 0 },
  { key: 'captureLinesPerS', label: 'Log capture from a flooding JSON app (lines/s)', apps: (a) => a.capture?.linesPerS, digits: 0, target: legibleIs('≥ 200,000', (v) => v >= 200_000) },
  { key: 'captureRssMb', label: 'Legible RSS, log store at its cap (MB)', apps: (a) => (a.capture?.atCap ? a.capture.rssMb : undefined), digits: 0 },
  { key: 'logqlFilterMs', label: 'LogQL, 1M lines: {app="api"} |= "timeout" (ms)', apps: (a) => a.logql?.queries.lineFilter?.ms, digits: 0, target: legibleIs('≤ 100 ms', (v) => v <= 100) },
  { key: 'logqlJsonMs', label: 'LogQL, 1M lines: | json | level="error" (ms)', apps: (a) => a.logql?.queries.jsonLevel?.ms, digits: 0, target: legibleIs('≤ 1000 ms', (v) => v <= 1000) },
  { key: 'logqlSumMs', label: 'LogQL, 1M lines: sum by (level) (count_over_time(… | json [1m])) (ms)', apps: (a) => a.logql?.queries.sumByLevel?.ms, digits: 0, target: legibleIs('≤ 1500 ms', (v) => v <= 1500) },
  { key: 'logqlLineRegexMs', label: 'LogQL, 1M lines: |~ "upstream (slow|timeout)" (ms, RE2)', apps: (a) => a.logql?.queries.lineRegex?.ms, digits: 0, target: legibleIs('≤ 300 ms', (v) => v <= 300) },
  { key: 'logqlLabelRegexMs', label: 'LogQL, 1M lines: | json | level=~"error|warn" (ms, RE2)', apps: (a) => a.logql?.queries.labelRegex?.ms, digits: 0, target: legibleIs('≤ 1000 ms', (v) => v <= 1000) },
  { key: 'logqlRegexpMs', label: 'LogQL, 1M lines: sum by (msg) (count_over_time(… | regexp … [1m])) (ms, RE2)', apps: (a) => a.logql?.queries.regexpStage?.ms, digits: 0, target: legibleIs('≤ 3000 ms', (v) => v <= 3000) },
  { key: 'clickLoggingRatio', label: 'Search click with an app logging / without', apps: (a) => a.click?.ratio, digits: 2, target: legibleIs('≤ 1.1', (v) => v <= 1.1) },
];

export function median(values) {
  const numbers = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (!numbers.length) return undefined;
  const mid = numbers.length >> 1;
  return numbers.length % 2 ? numbers[mid] : (numbers[mid - 1] + numbers[mid]) / 2;
}

function aggregate(values) {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (!present.length) return undefined;
  if (present.some((v) => typeof v === 'number')) return median(present);
  if (typeof present[0] === 'boolean') return { yes: present.filter(Boolean).length, of: values.length };
  if (typeof present[0] === 'string') return present[0];
  return median(present);
}

/** One summary row per ROWS entry: { key, label, values: {server: agg}, ratio, best, target, pass }. */
export function summarize(servers, reps, memory, telemetry, apps, recordingClick) {
  const byServer = Object.fromEntries(servers.map((s) => [s.id, reps.filter((r) => r.server === s.id)]));
  const peers = servers.filter((s) => s.id !== LEGIBLE).map((s) => s.id);
  return ROWS.map((row) => {
    const values = {};
    if (row.memory) values[LEGIBLE] = memory ? row.memory(memory) : undefined;
    else if (row.telemetry) values[LEGIBLE] = telemetry ? row.telemetry(telemetry) : undefined;
    else if (row.apps) values[LEGIBLE] = apps ? row.apps(apps) : undefined;
    else if (row.recordingClick) values[LEGIBLE] = recordingClick && !recordingClick.error ? row.recordingClick(recordingClick) : undefined;
    else for (const s of servers) values[s.id] = aggregate(byServer[s.id].map(row.get));
    const summary = { key: row.key, label: row.label, values };
    if (row.better && typeof values[LEGIBLE] === 'number') {
      const candidates = peers.filter((id) => typeof values[id] === 'number');
      if (candidates.length) {
        const best = candidates.reduce((a, b) => ((row.better === 'lower' ? values[b] < values[a] : values[b] > values[a]) ? b : a));
        summary.best = best;
        summary.ratio = values[best] === 0 ? undefined : values[LEGIBLE] / values[best];
      }
    }
    if (row.target) {
      summary.target = row.target.text;
      summary.pass = servers.some((s) => s.id === LEGIBLE) ? row.target.pass({ ratio: summary.ratio, legible: values[LEGIBLE], best: summary.best, reps: byServer }) : undefined;
    }
    return summary;
  });
}

function formatValue(value, digits) {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return value.yes === value.of ? 'yes' : value.yes === 0 ? 'no' : `${value.yes}/${value.of} yes`;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits ?? 1, minimumFractionDigits: digits ?? 0 });
}

function formatRatio(ratio) {
  if (ratio === undefined) return '';
  if (ratio >= 10) return `${ratio.toFixed(0)}×`;
  if (ratio >= 0.1) return `${ratio.toFixed(2)}×`;
  return `${ratio.toPrecision(2)}×`;
}

/** A Markdown table: one row per measure, one column per server, ratio, target, pass. */
export function formatTable(servers, summary) {
  const header = ['Measure', ...servers.map((s) => s.name), 'Legible / best peer', 'Target', 'Pass'];
  const lines = summary.map((row) => {
    const digits = ROWS.find((r) => r.key === row.key).digits;
    const cells = servers.map((s) => formatValue(row.values[s.id], digits));
    const pass = row.pass === undefined ? (row.target ? '?' : '') : row.pass ? 'pass' : 'FAIL';
    return [row.label, ...cells, formatRatio(row.ratio), row.target ?? '', pass];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [render(header), `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`, ...lines.map(render)].join('\n');
}

/** Errors and notes worth printing under the table (failed steps, recordings not available). */
export function formatNotes(servers, reps, memory, telemetry, apps, recordingClick) {
  const notes = [];
  for (const s of servers) {
    const seen = new Set();
    for (const rep of reps.filter((r) => r.server === s.id)) {
      for (const [step, error] of Object.entries(rep.errors ?? {})) seen.add(`${step}: ${error}`);
      if (rep.recording && !rep.recording.available) seen.add(`recording n/a: ${rep.recording.note}`);
      if (rep.findRef?.note) seen.add(`ref for "Open 777": ${rep.findRef.note}`);
      if (rep.leftoverProcesses) seen.add(`${rep.leftoverProcesses} process(es) still running after close were killed`);
    }
    for (const note of seen) notes.push(`- ${s.name}: ${note}`);
  }
  if (memory?.error) notes.push(`- Legible memory run: ${memory.error}`);
  if (recordingClick?.error) notes.push(`- Click while recording: ${recordingClick.error}`);
  if (telemetry?.error) notes.push(`- Telemetry rows: ${telemetry.error}`);
  if (telemetry?.server?.error) notes.push(`- Telemetry through the server: ${telemetry.server.error}`);
  const report = telemetry?.server?.report;
  if (report && report.traced < report.clicks) notes.push(`- Server section: ${report.traced} of ${report.clicks} clicks' reports named their trace`);
  const memory_ = telemetry?.server?.memory;
  if (memory_ && !memory_.atCaps) notes.push(`- Server memory: not every store reached its cap (held: ${memory_.held}; dropped: ${memory_.dropped ?? 'nothing'}), so no RSS at the caps`);
  if (apps?.error) notes.push(`- Legible apps run: ${apps.error}`);
  if (apps?.capture && !apps.capture.atCap) notes.push(`- Legible apps run: the log store did not fill within the flood's time limit (${apps.capture.lines} lines), so no RSS at the cap`);
  for (const query of Object.values(apps?.logql?.queries ?? {})) if (query.partial) notes.push(`- LogQL ${query.query}: ${query.partial}`);
  if (memory && memory.counterText && !memory.counterText.includes(String(memory.expectedCount))) {
    notes.push(`- Legible memory run: the counter shows ${memory.counterText}, expected ${memory.expectedCount}`);
  }
  return notes.join('\n');
}

/** Writes the whole run to bench/results/<timestamp>.json; returns the path. */
export async function writeResults(dir, data) {
  await mkdir(dir, { recursive: true });
  const stamp = new Date(data.startedAt).toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  const path = join(dir, `${stamp}.json`);
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
