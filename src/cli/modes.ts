import { LegibleError } from '../util/errors.js';
import type { CliCommand } from './flags.js';

/**
 * legible-mcp's other ways to serve: as the daemon, through the daemon (--daemon), over HTTP
 * (--port). Returns the exit code. Each is loaded only when it runs (its own chunk), so stdio's
 * start-up reads none of them. `toolList` is the build's tools/list file (src/server/toolListing.ts).
 */
export async function runMode(command: Extract<CliCommand, { kind: 'daemon' | 'proxy' | 'http' }>, toolList?: URL): Promise<number> {
  try {
    if (command.kind === 'daemon') return await (await import('../daemon/serve.js')).runDaemon(command.config, command, toolList);
    if (command.kind === 'proxy') {
      const [{ daemonPaths, findWorkspace }, { runProxy }] = await Promise.all([import('../daemon/paths.js'), import('../daemon/proxy.js')]);
      const paths = daemonPaths(findWorkspace(process.cwd()), command.session);
      await runProxy(paths, { entry: process.argv[1]!, args: command.daemonArgs });
      return 0;
    }
    return await (await import('../http/server.js')).serveHttp(command.config, command.http, toolList);
  } catch (error) {
    if (!(error instanceof LegibleError)) throw error;
    process.stderr.write(`legible-mcp: ${error.message}${error.hint ? `\n${error.hint}` : ''}\n`);
    return 2;
  }
}
