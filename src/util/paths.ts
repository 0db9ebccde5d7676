import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

const code = (error: unknown) => (error as { code?: unknown } | null)?.code;

/**
 * Where writing to `path` would really land: every symbolic link on the way resolved, including
 * a last component that is a link (dangling or not) and folders that do not exist yet.
 */
export async function realTarget(path: string, hops = 0): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch (error) {
    if (code(error) !== 'ENOENT') throw error;
  }
  if (hops > 40) throw Object.assign(new Error(`Too many symbolic links at ${absolute}`), { code: 'ELOOP' });
  const link = await lstat(absolute).catch(() => undefined);
  if (link?.isSymbolicLink()) return realTarget(resolve(dirname(absolute), await readlink(absolute)), hops + 1);
  const parent = dirname(absolute);
  if (parent === absolute) return absolute;
  return join(await realTarget(parent, hops), basename(absolute));
}

/** Whether `path` is `root` itself or lies inside it, by name only (no links resolved). */
export function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}

/** Whether writing to `path` really lands inside `root` (and is not `root` itself), after resolving symbolic links. */
export async function writesInside(root: string, path: string): Promise<boolean> {
  const [realRoot, real] = await Promise.all([realTarget(root), realTarget(path)]);
  return real !== realRoot && isInside(realRoot, real);
}
