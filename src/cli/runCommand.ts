import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { buildReport } from '../report/bundle.js';
import { runAndRecord } from '../report/runAndRecord.js';
import { formatRun } from '../report/runText.js';
import { ServerContext } from '../server/serverContext.js';
import { LegibleError } from '../util/errors.js';
import { VERSION } from '../util/version.js';

/**
 * `legible-mcp run <journey.json>`: replays a journey without an agent, prints the verdict, and
 * optionally records it and writes a report. Returns the exit code: 0 passed, 1 failed.
 */
export async function runCommand(config: Config, journey: string, options: { record: boolean; report?: string }, out: (text: string) => void): Promise<number> {
  if (options.report && existsSync(resolve(options.report))) {
    out(`Error: the report folder ${resolve(options.report)} already exists.\nNext: pick a new folder; reports never overwrite one another.`);
    return 2;
  }
  const context = new ServerContext(config);
  try {
    const { record, recording } = await runAndRecord(context, { journey, record: options.record ? 'run' : undefined, unsupported: 'skip' });
    out(formatRun(record));
    if (recording) out(`Video: ${recording.info.video}`);
    if (options.report) {
      const built = await buildReport([record], resolve(options.report), context.recordings(), VERSION);
      out(`Report: ${built.html}`);
    }
    return record.verdict === 'passed' ? 0 : 1;
  } catch (error) {
    if (error instanceof LegibleError) {
      out(`Error: ${error.message}${error.hint ? `\nNext: ${error.hint}` : ''}`);
      return 2;
    }
    throw error;
  } finally {
    await context.close();
  }
}
