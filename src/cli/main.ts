#!/usr/bin/env node
import { createServer, SERVER_VERSION } from '../server/createServer.js';
import { serveUntilStopped } from '../server/lifecycle.js';
import { listedTools, TOOL_LIST_FILE } from '../server/toolListing.js';
import { LegibleError } from '../util/errors.js';
import { parseFlags, USAGE } from './flags.js';
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
  // tools/list as the build wrote it next to this bundle (made from the definitions without it).
  const toolList = new URL(TOOL_LIST_FILE, import.meta.url);
  if (command.kind === 'daemon' || command.kind === 'proxy' || command.kind === 'http') {
    process.exit(await runMode(command, toolList));
  }
  if (command.kind === 'run') {
    const { runCommand } = await import('./runCommand.js');
    const code = await runCommand(command.config, command.journey, command.run, (text) => process.stdout.write(`${text}\n`));
    process.exit(code);
  }
  const legible = createServer(command.config, await listedTools(command.config, toolList));
  // Signals, and the client going away (stdin or the transport closing), end the server the one
  // way every mode ends (serveUntilStopped): the browser and the apps stop with it.
  const serving = serveUntilStopped(legible, () => legible.close());
  process.stdin.on('end', () => void serving.shutdown('stdin closed', 0));
  process.stdin.on('close', () => void serving.shutdown('stdin closed', 0));
  // Our own stdio transport: an oversized or malformed message gets an error answer, and the server goes on.
  const transport = new StdioTransport();
  transport.onclose = () => void serving.shutdown('the transport closed', 0);
  await legible.server.connect(transport);
}

void main();
