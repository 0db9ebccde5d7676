import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';

/**
 * Starts processes as Legible starts apps — each the leader of its own session and process group —
 * and kills every group started (and every pid handed to `stray`) after each test of the file.
 */
export function useProcessGroups(): { start(command: string, args: string[]): ChildProcess; stray(pid: number): void } {
  const started: ChildProcess[] = [];
  const strays: number[] = [];
  const kill = (pid: number) => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  afterEach(() => {
    for (const child of started.splice(0)) if (child.pid) kill(-child.pid);
    for (const pid of strays.splice(0)) kill(pid);
  });
  return {
    start(command, args) {
      const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
      started.push(child);
      return child;
    },
    stray: (pid) => void strays.push(pid),
  };
}
