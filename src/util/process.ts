import { readFileSync } from 'node:fs';

/**
 * Whether a process runs: it exists (EPERM: it does, as another user's), and, where /proc can
 * say (Linux), it is not a zombie — dead, and waiting for its parent to reap it. A process killed
 * outright whose parent is slow to reap it (a detached daemon's is PID 1, and a container's PID 1
 * may reap late or never) still answers signal 0 until then, though it will never run again.
 */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (error) {
    // Gone meanwhile; without /proc (not Linux) the signal is the best answer there is.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || !procReadable();
  }
  // "pid (comm) state …": comm may hold spaces and parentheses, so the state follows the last ")".
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

let readable: boolean | undefined;
function procReadable(): boolean {
  if (readable === undefined) {
    try {
      readFileSync('/proc/self/stat');
      readable = true;
    } catch {
      readable = false;
    }
  }
  return readable;
}
