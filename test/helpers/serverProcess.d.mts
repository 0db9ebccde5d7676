// Types of serverProcess.mjs, for the TypeScript tests.
import type { ChildProcess } from 'node:child_process';

export function freePort(): Promise<number>;

export class ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  log(): string;
  waitReady(path: string, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function startOnFreePort(spec: { name: string; binary: string; args: (port: number, attempt: number) => string[]; readyPath: string; timeoutMs: number }): Promise<ServerProcess>;
