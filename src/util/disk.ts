import { statfs } from 'node:fs/promises';

/** Bytes an unprivileged process can still write on the file system that holds `path`; undefined when the system cannot say. */
export async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const stats = await statfs(path);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

const FILE_SYSTEM_HINTS: Record<string, string> = {
  ENOSPC: 'The disk is full: free some space, or start the server with another --output-dir.',
  EDQUOT: 'The disk quota is used up: free some space, or start the server with another --output-dir.',
  EROFS: 'That file system is read-only: start the server with a writable --output-dir.',
  EACCES: 'Permission denied: use files Legible may read, and a writable --output-dir.',
  EPERM: 'Permission denied: use files Legible may read, and a writable --output-dir.',
  EMFILE: 'Too many files are open: close some pages or restart the server.',
  EEXIST: 'A file stands where a folder should be: move it away, or start the server with another --output-dir.',
  ENOTDIR: 'A file stands where a folder should be: move it away, or start the server with another --output-dir.',
  ENAMETOOLONG: 'A file name is too long: use a shorter one (at most 255 bytes per name).',
};

/** What to do about a Node file-system error (by its code), or undefined for other errors. */
export function fileSystemHint(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? FILE_SYSTEM_HINTS[code] : undefined;
}
