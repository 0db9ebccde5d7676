import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * The process table, where the system has one to read (/proc on Linux): which live processes are
 * in a process group (zombies, already dead and waiting to be reaped, do not count), and whether
 * a process carries Legible's marker in its environment. Elsewhere these answer undefined and
 * callers fall back to signals alone.
 */

const PROC = '/proc';
const hasProc = existsSync(`${PROC}/self/stat`);

/** The live (non-zombie) members of a process group; undefined without /proc. */
export function groupMembers(pgid: number): number[] | undefined {
  return membersOfGroups([pgid]);
}

/** The live (non-zombie) members of any of these process groups, in one pass over /proc; undefined without it. */
export function membersOfGroups(pgids: readonly number[]): number[] | undefined {
  if (!hasProc) return undefined;
  const groups = new Set(pgids);
  const members: number[] = [];
  let names: string[];
  try {
    names = readdirSync(PROC);
  } catch {
    return undefined;
  }
  for (const name of names) {
    const code = name.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`${PROC}/${name}/stat`, 'latin1');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (groups.has(Number(fields[2])) && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(name));
  }
  return members;
}

/** Whether the process's environment holds `NAME=value`; undefined when it cannot be read. */
export function hasEnvironment(pid: number, entry: string): boolean | undefined {
  if (!hasProc) return undefined;
  try {
    return readFileSync(`${PROC}/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return undefined;
  }
}

/** When a process started, in clock ticks since boot (to tell a pid from a later one that reuses it); undefined without /proc. */
export function processStartTime(pid: number): string | undefined {
  if (!hasProc) return undefined;
  try {
    const stat = readFileSync(`${PROC}/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * How many threads of these processes are running or waiting for a CPU (state R) or in an
 * uninterruptible wait (D, a disk write); undefined without /proc. A process gone meanwhile counts none.
 */
export function busyThreads(pids: readonly number[]): number | undefined {
  if (!hasProc) return undefined;
  let busy = 0;
  for (const pid of pids) {
    let threads: string[];
    try {
      threads = readdirSync(`${PROC}/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of threads) {
      let stat: string;
      try {
        stat = readFileSync(`${PROC}/${pid}/task/${tid}/stat`, 'latin1');
      } catch {
        continue;
      }
      const state = stat.charAt(stat.lastIndexOf(')') + 2);
      if (state === 'R' || state === 'D') busy++;
    }
  }
  return busy;
}
