import { join } from 'node:path';
import { reachDaemon, RpcError, type DaemonConnection, type StartSpec } from '../daemon/client.js';
import { readState, type DaemonPaths } from '../daemon/paths.js';
import { LegibleError } from '../util/errors.js';
import type { CommandSpec } from './commands.js';
import { EXIT, printResult, type CallResult, type Printed } from './output.js';

/** One parsed command, ready to send. */
export interface Planned {
  /** As the user wrote it, for batch's headings. */
  source: string;
  command: CommandSpec;
  args: Record<string, unknown>;
}

export interface Outcome extends Printed {
  command: string;
  notices: string[];
}

/** Writes what a command printed: notices first, then the tool's text. */
export function emit(outcome: Outcome, json: boolean, heading?: string): void {
  if (json) return; // the caller prints the JSON once all have run
  const parts = [...(heading ? [heading] : []), ...outcome.notices.map((n) => `Notice: ${n}`), ...(outcome.text ? [outcome.text] : [])];
  process.stdout.write(`${parts.join('\n')}\n`);
}

export function asJson(outcome: Outcome): Record<string, unknown> {
  const { command, exitCode, text, images, files, notices, failure } = outcome;
  return { command, ok: exitCode === 0, exitCode, text, ...(images.length ? { images } : {}), ...(files.length ? { files } : {}), ...(notices.length ? { notices } : {}), ...(failure ? { failure } : {}) };
}

/** An error of the command line itself (not of a tool) as an outcome. */
export function errorOutcome(command: string, error: unknown, notices: string[] = []): Outcome {
  const known = error instanceof LegibleError;
  const message = error instanceof Error ? error.message : String(error);
  const text = `Error: ${message}${known && error.hint ? `\nNext: ${error.hint}` : ''}`;
  const failure = known ? error.kind : 'environment';
  return { command, exitCode: failure === 'action' ? EXIT.failed : EXIT.usage, text, images: [], files: [], notices, failure };
}

async function callTool(connection: DaemonConnection, planned: Planned, imageDir: () => string, translate: (text: string) => string): Promise<Printed> {
  try {
    const { call } = planned.command;
    const request = call ? { name: call.name, arguments: { action: call.action, ...planned.args } } : { name: planned.command.tool, arguments: planned.args };
    const result = await connection.request<CallResult>('tools/call', request);
    return printResult(result, imageDir, planned.command.words.join(' '), translate);
  } catch (error) {
    if (error instanceof RpcError) {
      throw new LegibleError(`The daemon refused the call: ${error.message}`, 'Run legible daemon stop, then the command again (a newer Legible may have been installed).', { kind: 'environment' });
    }
    throw error;
  }
}

/**
 * Runs commands in order on one connection to the workspace's daemon (starting it if need be),
 * stopping at the first that does not exit 0. `each` sees every outcome as it comes; `translate`
 * puts the answers' advice into command-line form.
 */
export async function runPlanned(
  paths: DaemonPaths,
  start: StartSpec,
  plan: Planned[],
  each: (outcome: Outcome, index: number) => void,
  translate: (text: string) => string = (text) => text,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let connection: DaemonConnection | undefined;
  let notices: string[] = [];
  try {
    const reached = await reachDaemon(paths, start);
    connection = reached.connection;
    notices = reached.notices;
  } catch (error) {
    const outcome = errorOutcome(plan[0]?.source ?? '', error);
    each(outcome, 0);
    return [outcome];
  }
  try {
    const imageDir = () => readState(paths.state)?.outputDir ?? join(paths.workspace, 'recordings');
    for (const [index, planned] of plan.entries()) {
      let outcome: Outcome;
      try {
        outcome = { command: planned.source, notices, ...(await callTool(connection, planned, imageDir, translate)) };
      } catch (error) {
        outcome = errorOutcome(planned.source, error, notices);
      }
      notices = [];
      outcomes.push(outcome);
      each(outcome, index);
      if (outcome.exitCode !== EXIT.ok) break;
    }
  } finally {
    connection.close();
  }
  return outcomes;
}
