import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { protectFlow } from '../journey/secrets.js';
import { encodeImage } from '../media/image.js';
import { grabFrame } from '../media/sideBySide.js';
import { compareRecordings } from '../recording/compare.js';
import type { RecordingStore } from '../recording/store.js';
import { errorMessage, LegibleError, UsageError } from '../util/errors.js';
import { isSecretVariable } from '../util/redact.js';
import { logWarn } from '../util/log.js';
import { redactRunServer } from '../journey/serverRecord.js';
import { compareRuns, type Change } from './changes.js';
import { diffServer, type ServerDiff } from './serverDiff.js';
import { toHar } from './har.js';
import { renderReport, type ReportModel, type RunFiles } from './html.js';
import type { RunRecord } from './runs.js';

export interface BuiltReport {
  dir: string;
  html: string;
  har: string[];
  changes?: Change[];
  comparison?: string;
  serverDiff?: ServerDiff;
}

/**
 * The journey as the report keeps it: secrets replaced by references (a journey given by path may
 * hold some), both those its selectors name and those the page showed to be secret fields when
 * these runs of it typed them (StepVerdict.secret).
 */
async function journeyCopy(path: string, runs: RunRecord[]): Promise<string> {
  const fields = new Map<number, string>();
  for (const run of runs.filter((r) => r.journeyPath === path)) {
    for (const step of run.steps) if (isSecretVariable(step.secret)) fields.set(step.index, step.secret);
  }
  try {
    return `${JSON.stringify(protectFlow(JSON.parse(await readFile(path, 'utf8')), fields).flow, null, 2)}\n`;
  } catch {
    return '{}\n';
  }
}

function consoleText(run: RunRecord): string {
  return run.console
    .map((entry) => {
      const where = entry.location?.url ? ` (${entry.location.url}:${entry.location.line}:${entry.location.column})` : '';
      const stack = entry.stack.length ? `\n${entry.stack.map((line) => `    ${line}`).join('\n')}` : '';
      return `${new Date(entry.firstAt).toISOString()} ${entry.source === 'exception' ? 'exception' : entry.level}: ${entry.text}${where}${entry.count > 1 ? ` ×${entry.count}` : ''}${stack}`;
    })
    .join('\n');
}

/**
 * Writes a video's last frame as its poster (`file` in `dir`), so the report shows where the run
 * ended before anyone presses play; a video without one shows as a black box, in a browser and in
 * a screenshot of the report. Undefined (no poster, the video still works) when the frame cannot be read.
 */
async function writePoster(video: string, durationMs: number, dir: string, file: string): Promise<string | undefined> {
  try {
    const frame = await grabFrame(video, durationMs);
    const { data } = await encodeImage(frame, { maxEdge: 1280, format: 'webp', quality: 75 });
    await writeFile(join(dir, file), data);
    return file;
  } catch (error) {
    logWarn(`report: no poster for ${video}: ${errorMessage(error)}`);
    return undefined;
  }
}

/**
 * Bundles one run, or a before/after pair, into a folder a QA person can open: the journey JSON,
 * videos, filmstrips and side-by-side comparison, console logs, HAR files and report.html.
 * Never writes into an existing folder.
 */
export async function buildReport(runs: RunRecord[], dir: string, recordings: RecordingStore, version: string): Promise<BuiltReport> {
  if (existsSync(dir)) throw new UsageError(`The report folder ${dir} already exists.`, 'Pick another name; reports never overwrite one another.');
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new LegibleError(`Could not create the report folder ${dir}: ${errorMessage(error)}`, 'Check that the output folder is writable.', { kind: 'environment' });
  }
  const names = runs.length === 2 ? [runs[0]!.label ?? 'before', runs[1]!.label ?? 'after'] : [runs[0]!.label ?? 'run'];
  if (names[0] === names[1]) names.splice(0, 2, `${names[0]}-1`, `${names[1]}-2`);
  const journeyFile = 'journey.json';
  await writeFile(join(dir, journeyFile), await journeyCopy(runs[runs.length - 1]!.journeyPath, runs));

  const model: ReportModel = { title: runs[0]!.title, createdAt: Date.now(), runs: [], journeyFile };
  const har: string[] = [];
  for (const [i, run] of runs.entries()) {
    const name = names[i]!;
    const files: RunFiles = { har: `${name}.har`, console: `${name}-console.log` };
    await writeFile(join(dir, files.har), `${JSON.stringify(toHar(run.network, { id: run.id, title: run.title, startedAt: run.startedAt }, version), null, 2)}\n`);
    har.push(join(dir, files.har));
    await writeFile(join(dir, files.console), `${consoleText(run)}\n`);
    if (run.server) {
      // OTLP/JSON (loads in Jaeger, Tempo, otel-desktop-viewer) and NDJSON lines, through the one redaction.
      const server = redactRunServer(run.server);
      files.spans = `${name}-spans.json`;
      await writeFile(join(dir, files.spans), `${JSON.stringify({ resourceSpans: server.resourceSpans })}\n`);
      files.logs = `${name}-logs.ndjson`;
      await writeFile(join(dir, files.logs), server.logs.map((entry) => JSON.stringify({ time: new Date(entry.timeMs).toISOString(), ...entry })).join('\n') + (server.logs.length ? '\n' : ''));
    }
    const info = run.recording ? await recordings.find(run.recording) : undefined;
    if (info && existsSync(info.video)) {
      files.video = `${name}${info.video.slice(info.video.lastIndexOf('.'))}`;
      files.videoBlankLeadMs = info.blankLeadMs;
      await copyFile(info.video, join(dir, files.video));
      const poster = await writePoster(info.video, info.durationMs, dir, `${name}-poster.webp`);
      if (poster) files.poster = poster;
      if (info.filmstrip && existsSync(info.filmstrip)) {
        files.filmstrip = `${name}-filmstrip.webp`;
        await copyFile(info.filmstrip, join(dir, files.filmstrip));
      }
    }
    await writeFile(join(dir, `${name}-run.json`), `${JSON.stringify(run, null, 2)}\n`);
    model.runs.push({ run, files, name });
  }
  let comparison: string | undefined;
  if (runs.length === 2) {
    model.changes = compareRuns(runs[0]!, runs[1]!);
    const server = diffServer(runs[0]!, runs[1]!);
    if (server) model.serverDiff = server;
    const [left, right] = await Promise.all(runs.map((run) => (run.recording ? recordings.find(run.recording) : undefined)));
    if (left && right) {
      const video = join(dir, 'side-by-side.mp4');
      // Journey recordings carry their own captions, burned into each half already.
      const result = await compareRecordings({ ...left, label: names[0]! }, { ...right, label: names[1]! }, { output: video, captions: false });
      await writeFile(join(dir, 'side-by-side-filmstrip.webp'), result.filmstrip.data);
      const poster = await writePoster(video, result.alignment.durationMs, dir, 'side-by-side-poster.webp');
      model.comparison = { video: basename(video), filmstrip: 'side-by-side-filmstrip.webp', ...(poster ? { poster } : {}) };
      comparison = video;
    }
  }
  const html = join(dir, 'report.html');
  await writeFile(html, renderReport(model));
  return { dir, html, har, changes: model.changes, comparison, ...(model.serverDiff ? { serverDiff: model.serverDiff } : {}) };
}
