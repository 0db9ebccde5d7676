import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { membersOfGroups } from './processTable.js';

/**
 * The processes of the apps Legible started, found from the process tree instead of a pass over
 * every process of the machine (membersOfGroups reads each /proc/<pid>/stat: ~4 ms with 90
 * processes, and it grows with every process on the machine; bench/idle-wait.mjs measures both).
 *
 * Each app is started in a session and process group of its own (`detached`), whose id is the
 * app's pid. Every process of that session descends from the app by fork, so it is either still
 * below the app in the tree (/proc/<pid>/task/<tid>/children, read for every thread: a child is
 * listed under the thread that forked it), or it was orphaned — its parent exited — and moved to
 * the nearest "subreaper" above it, or to init. The processes above an app are Legible and
 * Legible's own ancestors, so an orphan is always a child of one of them (or of a subreaper
 * inside the app's tree, where the walk finds it anyway). Those few processes' children are
 * looked at, and their session is read once: a process never joins a session after it started,
 * so one seen outside every app's session is not read again while it stays a child there (only
 * a pid reused between two calls, and re-parented to the same ancestor, would be missed).
 */

const PROC = '/proc';
/** Kernels without CONFIG_PROC_CHILDREN have no children files: those fall back to the full pass. */
const hasChildren = existsSync(`${PROC}/self/task/${process.pid}/children`);

/** The session each child of Legible and its ancestors was in, as last seen (pid → session). */
let sessionOf = new Map<number, number>();

interface Stat {
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`${PROC}/${pid}/stat`, 'latin1');
  } catch {
    return undefined; // gone meanwhile
  }
  // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses, so read after the last ")".
  const [state = '', ppid, pgrp, session] = text.slice(text.lastIndexOf(')') + 2).split(' ', 4);
  return { state, ppid: Number(ppid), pgrp: Number(pgrp), session: Number(session) };
}

/** The children of a process (of every one of its threads); none when it is gone. */
function childrenOf(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`${PROC}/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of threads) {
    let list: string;
    try {
      list = readFileSync(`${PROC}/${pid}/task/${tid}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const child of list.split(' ')) if (child) children.push(Number(child));
  }
  return children;
}

/** Legible and its ancestors, up to init. */
function lineage(): number[] {
  const line = [process.pid];
  let parent = process.ppid;
  while (parent > 0 && line.length < 64) {
    line.push(parent);
    if (parent === 1) break;
    parent = readStat(parent)?.ppid ?? 0;
  }
  return line;
}

/**
 * The live (non-zombie) processes in the process groups of these apps, each the leader of its own
 * session and group (its pid their id); undefined without /proc.
 */
export function appProcesses(leaders: readonly number[]): number[] | undefined {
  if (!hasChildren) return membersOfGroups(leaders);
  const sessions = new Set(leaders);
  // Where an app's process can be outside its tree: a child of Legible or of an ancestor of it.
  const seen = new Map<number, number>();
  const roots: number[] = [];
  for (const ancestor of lineage()) {
    for (const child of childrenOf(ancestor)) {
      let session = sessionOf.get(child);
      if (session === undefined) {
        const stat = readStat(child);
        if (!stat) continue;
        session = stat.session;
      }
      seen.set(child, session);
      if (sessions.has(session)) roots.push(child);
    }
  }
  sessionOf = seen;
  // Every process below those, in one of the apps' groups.
  const members: number[] = [];
  const visited = new Set<number>();
  while (roots.length) {
    const pid = roots.pop()!;
    if (visited.has(pid)) continue;
    visited.add(pid);
    const stat = readStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    // A process that left for a session of its own (a daemon) takes its children with it.
    if (!sessions.has(stat.session)) continue;
    if (sessions.has(stat.pgrp)) members.push(pid);
    roots.push(...childrenOf(pid));
  }
  return members;
}
