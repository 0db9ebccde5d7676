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
  if (!hasProc) return undefined;
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
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(name));
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
