import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { buildReport } from '../report/bundle.js';
import { runAndRecord } from '../report/runAndRecord.js';
import { formatChanges, formatRun, runFileWarning } from '../report/runText.js';
import { formatServerDiff } from '../report/serverText.js';
import { loadRunRecord, type RunRecord } from '../report/runs.js';
import { serveUntilStopped } from '../server/lifecycle.js';
import { ServerContext } from '../server/serverContext.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import type { RunFlags } from './flags.js';

/**
 * The exit code of a run: 0 passed, 1 failed (a bug was found), 2 for everything that is not a
 * verdict on the app: incomplete (unless allowed, and never when nothing was checked), or the
 * app could not be reached.
 */
export function exitCode(run: RunRecord, allowUnchecked: boolean): number {
  switch (run.verdict) {
    case 'passed':
      return 0;
    case 'failed':
      return 1;
    case 'incomplete':
      return allowUnchecked && !run.checkedNothing ? 0 : 2;
    case 'error':
      return 2;
  }
}

/**
 * `legible-mcp run <journey.json>`: replays a journey without an agent, prints the verdict, and
 * optionally records it, labels it and writes a report, alone or compared with an earlier run
 * (`--compare-with`: its report folder or run record). Returns the exit code (see `exitCode`).
 */
export async function runCommand(config: Config, journey: string, options: RunFlags, out: (text: string) => void): Promise<number> {
  const fail = (error: LegibleError) => {
    out(`Error: ${error.message}${error.hint ? `\nNext: ${error.hint}` : ''}`);
    return 2;
  };
  if (options.report && existsSync(resolve(options.report))) {
    return fail(new UsageError(`the report folder ${resolve(options.report)} already exists.`, 'pick a new folder; reports never overwrite one another.'));
  }
  const context = new ServerContext(config);
  // A signal stops the run the way every mode stops: the browser and the apps the run started go with it.
  serveUntilStopped(context.workspace, () => context.close());
  try {
    // The earlier run is read first: a wrong path is told before the browser starts.
    const earlier = options.compareWith ? await loadRunRecord(options.compareWith) : undefined;
    const label = options.label ?? (options.record ? 'run' : undefined);
    const { record, recording, writeError } = await runAndRecord(context, { journey, record: options.record ? label : undefined, label, unsupported: 'skip', ...(options.apps ? { apps: options.apps } : {}) });
    out(formatRun(record, { allowUnchecked: options.allowUnchecked }));
    if (writeError) out(runFileWarning(writeError));
    if (recording) out(`Video: ${recording.info.video}`);
    if (options.report) {
      const built = await buildReport(earlier ? [earlier, record] : [record], resolve(options.report), context.recordings(), VERSION);
      if (built.changes) out(formatChanges(built.changes).join('\n'));
      if (built.serverDiff) out(formatServerDiff(built.serverDiff).join('\n'));
      if (built.comparison) out(`Side by side: ${built.comparison}`);
      out(`Report: ${built.html}`);
    }
    return exitCode(record, options.allowUnchecked);
  } catch (error) {
    if (error instanceof LegibleError) return fail(error);
    throw error;
  } finally {
    await context.close();
  }
}
