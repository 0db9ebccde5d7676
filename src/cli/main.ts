#!/usr/bin/env node
import { createServer, SERVER_VERSION } from '../server/createServer.js';
import { LegibleError } from '../util/errors.js';
import { logWarn } from '../util/log.js';
import { parseFlags, USAGE } from './flags.js';
import { runCommand } from './runCommand.js';
import { runMode } from './modes.js';
import { StdioTransport } from './stdioTransport.js';

async function main(): Promise<void> {
  let command;
  try {
    command = parseFlags(process.argv.slice(2));
  } catch (error) {
    const message = error instanceof LegibleError ? `${error.message}${error.hint ? `\n${error.hint}` : ''}` : String(error);
    process.stderr.write(`legible-mcp: ${message}\n`);
    process.exit(2);
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return;
  }
  if (command.kind === 'daemon' || command.kind === 'proxy' || command.kind === 'http') {
    process.exit(await runMode(command));
  }
  if (command.kind === 'run') {
    const code = await runCommand(command.config, command.journey, command.run, (text) => process.stdout.write(`${text}\n`));
    process.exit(code);
  }
  const legible = createServer(command.config);
  let closing = false;
  const shutdown = async (code: number) => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(code), 5_000);
    force.unref();
    await legible.close().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(130));
  process.on('SIGTERM', () => void shutdown(143));
  process.on('SIGHUP', () => void shutdown(129));
  // The last resort, when shutdown ran out of time: no app process outlives the server.
  process.on('exit', () => legible.context.apps().killAllNow());
  process.stdin.on('end', () => void shutdown(0));
  process.stdin.on('close', () => void shutdown(0));
  // A fault in a tool must never take the server down.
  process.on('uncaughtException', (error) => logWarn(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => logWarn(`unhandled rejection: ${String(reason)}`));
  // Our own stdio transport: an oversized or malformed message gets an error answer, and the server goes on.
  const transport = new StdioTransport();
  transport.onclose = () => void shutdown(0);
  await legible.server.connect(transport);
}

void main();
