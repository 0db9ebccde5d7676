import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LegibleError } from '../util/errors.js';

/** Where agents look for a project's skills: Claude Code, and Codex (the open agent-skills folder). */
export const PROJECT_SKILL_DIRS = ['.claude/skills', '.agents/skills'];

export const SKILL_NAME = 'legible';

/**
 * Copies the package's SKILL.md to `<dir>/legible/SKILL.md` for each folder (default: the
 * workspace's .claude/skills and .agents/skills). Returns the files written.
 */
export function installSkill(source: string, workspace: string, dir?: string): string[] {
  if (!existsSync(source)) {
    throw new LegibleError(`The skill file ${source} is missing from this installation.`, 'Reinstall the package.', { kind: 'environment' });
  }
  const targets = dir ? [resolve(dir)] : PROJECT_SKILL_DIRS.map((d) => join(workspace, d));
  const written: string[] = [];
  for (const target of targets) {
    const folder = join(target, SKILL_NAME);
    const file = join(folder, 'SKILL.md');
    try {
      mkdirSync(folder, { recursive: true });
      copyFileSync(source, file);
    } catch (error) {
      throw new LegibleError(`Could not write ${file}: ${(error as Error).message}`, 'Pick a folder you can write to with --dir.', { kind: 'environment' });
    }
    written.push(file);
  }
  return written;
}
