import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writesInside } from '../util/paths.js';
import type { RunResult } from '../journey/run.js';

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

/** The runs of this session, numbered run-1, run-2, …; each is also written as JSON. */
export class RunRegistry {
  private readonly runs = new Map<string, RunRecord>();
  private next = 1;

  constructor(private readonly dir: string) {}

  async add(result: RunResult, extra: { journeyPath: string; recording?: string; label?: string }): Promise<RunRecord> {
    const record: RunRecord = { ...result, ...extra, id: `run-${this.next++}` };
    this.runs.set(record.id, record);
    await mkdir(this.dir, { recursive: true }).catch(() => undefined);
    const file = join(this.dir, `${record.id}-${result.startedAt}.json`);
    // Never through a symbolic link out of the output folder (the folder that holds runs/).
    if (await writesInside(dirname(this.dir), file).catch(() => false)) await writeFile(file, `${JSON.stringify(record, null, 2)}\n`).catch(() => undefined);
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
