import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../util/errors.js';
import { logDebug } from '../util/log.js';
import { processRuns } from '../util/process.js';
import { groupAlive, signalGroup, waitForGroupExit } from './appProcess.js';
import { groupMembers, hasEnvironment, processStartTime } from './processTable.js';

/**
 * The record a Legible server keeps in the worktree of the apps it runs
 * (`.legible/apps-<pid>.json`): enough for the next Legible there to stop them when this one was
 * killed outright (SIGKILL, a crash) and could not. Each app's processes carry the marker
 * `LEGIBLE_APP=<marker>` in their environment, so a process group is stopped only when it is
 * still the one Legible started, never a later one that reuses its number.
 */

export const MARKER_VARIABLE = 'LEGIBLE_APP';
const FOLDER = '.legible';

const recordSchema = z.object({
  legiblePid: z.number().int(),
  legibleStart: z.string().optional(),
  apps: z.array(z.object({ name: z.string(), pid: z.number().int(), marker: z.string() })),
});
type RunRecordData = z.infer<typeof recordSchema>;

export class RunRecord {
  readonly path: string;
  private written = false;

  constructor(private readonly root: string) {
    this.path = join(root, FOLDER, `apps-${process.pid}.json`);
  }

  /** Writes the running apps (synchronously: it must be on disk before a SIGKILL can come); no apps removes the file. */
  update(apps: RunRecordData['apps']): void {
    try {
      if (!apps.length) {
        this.remove();
        return;
      }
      const folder = join(this.root, FOLDER);
      mkdirSync(folder, { recursive: true });
      // The folder ignores itself, so it never shows up in git status.
      writeFileSync(join(folder, '.gitignore'), '*\n');
      const data: RunRecordData = { legiblePid: process.pid, legibleStart: processStartTime(process.pid), apps };
      writeFileSync(this.path, `${JSON.stringify(data, null, 2)}\n`);
      this.written = true;
    } catch (error) {
      logDebug(`could not write ${this.path}: ${errorMessage(error)}`);
    }
  }

  remove(): void {
    if (!this.written) return;
    rmSync(this.path, { force: true });
    this.written = false;
  }
}

/**
 * Stops the apps that Legible servers which are gone left running in this worktree, and removes
 * their records. Answers a notice for the agent, or undefined when there was nothing to do.
 */
export async function reapLeftovers(root: string): Promise<string | undefined> {
  const folder = join(root, FOLDER);
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => /^apps-\d+\.json$/.test(name) && name !== `apps-${process.pid}.json`);
  } catch {
    return undefined;
  }
  const stopped: string[] = [];
  const unverified: string[] = [];
  for (const name of names) {
    const file = join(folder, name);
    let record: RunRecordData;
    try {
      record = recordSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    if (legibleAlive(record)) continue;
    for (const app of record.apps) {
      const members = groupMembers(app.pid);
      if (members === undefined) {
        if (groupAlive(app.pid)) unverified.push(`${app.name} (process group ${app.pid})`);
        continue;
      }
      const ours = members.some((member) => hasEnvironment(member, `${MARKER_VARIABLE}=${app.marker}`));
      if (!ours) continue;
      signalGroup(app.pid, 'SIGTERM');
      if (!(await waitForGroupExit(app.pid, 1_500))) {
        signalGroup(app.pid, 'SIGKILL');
        await waitForGroupExit(app.pid, 1_000);
      }
      stopped.push(`${app.name} (pid ${app.pid})`);
    }
    rmSync(file, { force: true });
  }
  const parts: string[] = [];
  if (stopped.length) parts.push(`stopped apps that an earlier Legible server in this folder left running when it was killed: ${stopped.join(', ')}`);
  if (unverified.length) parts.push(`an earlier Legible server left these running and this system cannot confirm they are still its own: ${unverified.join(', ')}; stop them with kill -- -<group> if so`);
  return parts.length ? `${parts.join('; ')}.` : undefined;
}

function legibleAlive(record: RunRecordData): boolean {
  // A Legible killed outright and not yet reaped (a zombie) is gone: its apps are left over.
  if (!processRuns(record.legiblePid)) return false;
  // Alive, unless the pid now belongs to another process.
  const start = processStartTime(record.legiblePid);
  return !(start && record.legibleStart && start !== record.legibleStart);
}
