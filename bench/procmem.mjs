// Memory of a process and of the processes it started, read from /proc (Linux only).
import { readdirSync, readFileSync } from 'node:fs';

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM, …), or undefined when unreadable. */
export function statusKb(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; ppid follows the state.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return undefined;
  }
}

/** Every live process below `root` (children, grandchildren, …). */
export function descendants(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = parentOf(Number(name));
    if (ppid === undefined) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const found = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Proportional set size (kB): RSS with shared pages split between the processes sharing them. */
export function pssKb(pid) {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Sum of PSS (kB) over the processes below `root`: the browser the server started (and helpers
 * such as ffmpeg). PSS, not RSS: Chromium's processes share most of their pages, and summing
 * their RSS would count those pages once per process.
 */
export function childrenPssKb(root) {
  return descendants(root).reduce((sum, pid) => sum + pssKb(pid), 0);
}

/** Tracks the largest child-tree PSS seen across calls to sample(). */
export class ChildMemorySampler {
  constructor(root) {
    this.root = root;
    this.peakKb = 0;
  }
  sample() {
    if (!this.root) return;
    this.peakKb = Math.max(this.peakKb, childrenPssKb(this.root));
  }
}

export const mb = (kb) => (kb === undefined ? undefined : Math.round((kb / 1024) * 10) / 10);

/** CPU seconds (user + system) one process has used so far, or 0 when it is gone. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (in parentheses, may hold spaces): state, ppid, …; utime and stime
    // are the 14th and 15th fields, in clock ticks of 10 ms (CLK_TCK 100 on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // gone
  }
}

/** CPU seconds (user + system) used so far by `root` and every process below it. */
export function cpuSeconds(root) {
  let total = 0;
  for (const pid of [root, ...descendants(root)]) total += processCpuSeconds(pid);
  return total;
}
