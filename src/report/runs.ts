import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactConsoleEntry, redactRequest } from '../capture/redactEntries.js';
import type { RunResult } from '../journey/run.js';
import { redactJson, redactText, redactUrl } from '../util/redact.js';

/** A journey run as the report needs it: the verdicts, the logs, and what was recorded. */
export interface RunRecord extends RunResult {
  id: string;
  /** The journey file that ran. */
  journeyPath: string;
  /** Id of the recording made during the run, if any. */
  recording?: string;
  /** The recording's label ("before", "after"). */
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
      errors: step.errors.map(redactConsoleEntry),
      failedRequests: step.failedRequests.map(redactRequest),
    })),
    expectations: result.expectations.map((check) => ({
      ...check,
      expectation: redactJson(check.expectation) as typeof check.expectation,
      description: redactText(check.description),
      ...(check.detail !== undefined ? { detail: redactText(check.detail) } : {}),
    })),
    console: result.console.map(redactConsoleEntry),
    network: result.network.map(redactRequest),
  };
}

/** The runs of this session, numbered run-1, run-2, …, redacted (redactRun); each is also written as JSON. */
export class RunRegistry {
  private readonly runs = new Map<string, RunRecord>();
  private next = 1;

  constructor(private readonly dir: string) {}

  async add(result: RunResult, extra: { journeyPath: string; recording?: string; label?: string }): Promise<RunRecord> {
    const record: RunRecord = { ...redactRun(result), ...extra, id: `run-${this.next++}` };
    this.runs.set(record.id, record);
    await mkdir(this.dir, { recursive: true }).catch(() => undefined);
    await writeFile(join(this.dir, `${record.id}-${result.startedAt}.json`), `${JSON.stringify(record, null, 2)}\n`).catch(() => undefined);
    return record;
  }

  get(id: string): RunRecord | undefined {
    return this.runs.get(id);
  }

  /** By id, or the latest run with that recording label. */
  find(key: string): RunRecord | undefined {
    return this.runs.get(key) ?? [...this.runs.values()].filter((run) => run.label === key).pop();
  }

  ids(): string[] {
    return [...this.runs.keys()];
  }

  latest(): RunRecord | undefined {
    return [...this.runs.values()].pop();
  }
}
