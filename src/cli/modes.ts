import { daemonPaths, findWorkspace } from '../daemon/paths.js';
import { runProxy } from '../daemon/proxy.js';
import { runDaemon } from '../daemon/serve.js';
import { serveHttp } from '../http/server.js';
import { LegibleError } from '../util/errors.js';
import type { CliCommand } from './flags.js';

/** legible-mcp's other ways to serve: as the daemon, through the daemon (--daemon), over HTTP (--port). Returns the exit code. */
export async function runMode(command: Extract<CliCommand, { kind: 'daemon' | 'proxy' | 'http' }>): Promise<number> {
  try {
    if (command.kind === 'daemon') return await runDaemon(command.config, command);
    if (command.kind === 'proxy') {
      const paths = daemonPaths(findWorkspace(process.cwd()), command.session);
      await runProxy(paths, { entry: process.argv[1]!, args: command.daemonArgs });
      return 0;
    }
    return await serveHttp(command.config, command.http);
  } catch (error) {
    if (!(error instanceof LegibleError)) throw error;
    process.stderr.write(`legible-mcp: ${error.message}${error.hint ? `\n${error.hint}` : ''}\n`);
    return 2;
  }
}
