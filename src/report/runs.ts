import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { redactConsoleEntry, redactRequest } from '../capture/redactEntries.js';
import type { ExpectationVerdict } from '../journey/expectations.js';
import { redactRunServer, redactStepServer } from '../journey/serverRecord.js';
import { writesInside } from '../util/paths.js';
import type { RunResult } from '../journey/run.js';
import { decideVerdict } from '../journey/verdict.js';
import { errorMessage, LegibleError, UsageError } from '../util/errors.js';
import { redactJson, redactText, redactUrl } from '../util/redact.js';

/** A journey run as the report needs it: the verdicts, the logs, and what was recorded. */
export interface RunRecord extends RunResult {
  id: string;
  /** The journey file that ran. */
  journeyPath: string;
  /** Id of the recording made during the run, if any. */
  recording?: string;
  /** The run's label ("before", "after"); a recorded run's recording has the same one. */
  label?: string;
}

/**
 * A run as it may be kept, written and shown: every URL, header, body, console text, step and
 * expectation through util/redact. The registry holds only this, so the runs/ files, reports and
 * journey_run's answer all carry the same redacted record.
 */
export function redactRun(result: RunResult): RunResult {
  return {
    ...result,
    title: redactText(result.title),
    url: redactUrl(result.url),
    steps: result.steps.map((step) => ({
      ...step,
      description: redactText(step.description),
      ...(step.reason !== undefined ? { reason: redactText(step.reason) } : {}),
      ...(step.unchecked ? { unchecked: step.unchecked.map(redactText) } : {}),
      errors: step.errors.map(redactConsoleEntry),
      failedRequests: step.failedRequests.map(redactRequest),
      ...(step.server ? { server: redactStepServer(step.server) } : {}),
    })),
    expectations: result.expectations.map((check) => ({
      ...check,
      expectation: redactJson(check.expectation) as typeof check.expectation,
      description: redactText(check.description),
      ...(check.detail !== undefined ? { detail: redactText(check.detail) } : {}),
      ...(check.found ? { found: check.found.map(redactText) } : {}),
    })),
    unchecked: result.unchecked.map(redactText),
    ...(result.environment !== undefined ? { environment: redactText(result.environment) } : {}),
    console: result.console.map(redactConsoleEntry),
    network: result.network.map(redactRequest),
    ...(result.server ? { server: redactRunServer(result.server) } : {}),
  };
}

/** How many runs (each with its console and network logs) stay in memory; older ones are read back from runs/. */
export const RUNS_IN_MEMORY = 20;

/** Every run of the session, however old: where its record was written, its label. */
interface RunEntry {
  id: string;
  label?: string;
  /** The id of the recording made during it. */
  recording?: string;
  /** The run file, when it was written. */
  file?: string;
  /** Why the run file could not be written. */
  writeError?: string;
}

export interface AddedRun {
  record: RunRecord;
  /** Why the run file (runs/run-N-<time>.json) could not be written, when it could not. */
  writeError?: string;
}

/**
 * The runs of this session, numbered run-1, run-2, …, redacted (redactRun); each is also written
 * as JSON to runs/. Only the newest RUNS_IN_MEMORY are kept in memory (a daemon lives for days,
 * and a run holds its logs); an older one is read back from its file when asked for.
 */
export class RunRegistry {
  private readonly entries = new Map<string, RunEntry>();
  private readonly recent = new Map<string, RunRecord>();
  private next = 1;

  constructor(
    private readonly dir: string,
    private readonly inMemory = RUNS_IN_MEMORY,
  ) {}

  async add(result: RunResult, extra: { journeyPath: string; recording?: string; label?: string }): Promise<AddedRun> {
    const record: RunRecord = { ...redactRun(result), ...extra, id: `run-${this.next++}` };
    const file = join(this.dir, `${record.id}-${result.startedAt}.json`);
    let writeError: string | undefined;
    try {
      await mkdir(this.dir, { recursive: true });
      // Never through a symbolic link out of the output folder (the folder that holds runs/).
      if (!(await writesInside(dirname(this.dir), file))) throw new Error(`${this.dir} leads outside the output folder through a symbolic link`);
      await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
    } catch (error) {
      writeError = errorMessage(error);
    }
    this.entries.set(record.id, { id: record.id, ...(record.label ? { label: record.label } : {}), ...(record.recording ? { recording: record.recording } : {}), ...(writeError ? { writeError } : { file }) });
    this.recent.set(record.id, record);
    for (const id of this.recent.keys()) {
      if (this.recent.size <= this.inMemory) break;
      this.recent.delete(id);
    }
    return { record, ...(writeError ? { writeError } : {}) };
  }

  /** By id, or the latest run with that label; an older run is read back from its file. */
  async find(key: string): Promise<RunRecord | undefined> {
    const entry = this.entries.get(key) ?? [...this.entries.values()].filter((run) => run.label === key).pop();
    return entry ? this.load(entry) : undefined;
  }

  /** The run during which a recording was made (journey run with record). */
  async ofRecording(recordingId: string): Promise<RunRecord | undefined> {
    const entry = [...this.entries.values()].find((run) => run.recording === recordingId);
    return entry ? this.load(entry) : undefined;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  async latest(): Promise<RunRecord | undefined> {
    const entry = [...this.entries.values()].pop();
    return entry ? this.load(entry) : undefined;
  }

  private async load(entry: RunEntry): Promise<RunRecord> {
    const kept = this.recent.get(entry.id);
    if (kept) return kept;
    if (!entry.file) {
      throw new LegibleError(
        `${entry.id} is no longer held in memory (only the newest ${this.inMemory} runs are), and its run file could not be written (${entry.writeError ?? 'unknown error'}).`,
        'Run the journey again (journey run) once the output folder is writable.',
      );
    }
    return loadRunRecord(entry.file);
  }
}

/** What a run record file must hold to be compared (the rest is kept as it is). */
const recordSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    journeyPath: z.string(),
    startedAt: z.number(),
    endedAt: z.number(),
    url: z.string(),
    verdict: z.string(),
    steps: z.array(z.object({ index: z.number(), type: z.string(), description: z.string(), status: z.string(), errors: z.array(z.unknown()), failedRequests: z.array(z.unknown()) }).loose()),
    expectations: z.array(z.object({ description: z.string(), passed: z.boolean(), status: z.string().optional() }).loose()),
    console: z.array(z.unknown()),
    network: z.array(z.unknown()),
  })
  .loose();

const HINT = 'Give a run record (runs/run-N-<time>.json in the output folder, or <label>-run.json in a report folder) or a report folder with one run in it.';

/**
 * Reads a run written earlier: a run record file (the runs folder's, or a report's
 * `<label>-run.json`), or a report folder holding exactly one run record. Records from before
 * expectations had a status get one from `passed`.
 */
export async function loadRunRecord(pathOrFolder: string): Promise<RunRecord> {
  let path = resolve(pathOrFolder);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`There is no run record at ${path}.`, HINT);
  if (info.isDirectory()) {
    const records = (await readdir(path)).filter((name) => name.endsWith('-run.json'));
    if (records.length !== 1) {
      throw new UsageError(
        records.length ? `The report folder ${path} holds ${records.length} runs (${records.join(', ')}): it is not clear which one to compare with.` : `There is no run record (*-run.json) in ${path}.`,
        records.length ? `Give one of them: ${join(path, records[0]!)}.` : HINT,
      );
    }
    path = join(path, records[0]!);
  }
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new LegibleError(`Could not read the run record ${path}: ${errorMessage(error)}`, HINT);
  }
  const parsed = recordSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${path} is not a Legible run record (${issue?.path.join('.') || 'record'}: ${issue?.message}).`, HINT);
  }
  const record = parsed.data as unknown as RunRecord;
  if (!record.counts) {
    // A record from before verdicts counted what was not checked: its expectations had no
    // status, "skipped" meant a step Legible does not run and "not-run" one after a failure.
    for (const check of record.expectations as ExpectationVerdict[]) check.status ??= check.passed ? 'passed' : 'failed';
    for (const step of record.steps) step.status = step.status === 'skipped' ? 'not-run' : step.status === 'not-run' ? 'skipped' : step.status;
    Object.assign(record, decideVerdict(record.steps, record.expectations), { verdict: record.verdict });
  }
  return record;
}
