import type { SharedBrowser } from '../cdp/sharedBrowser.js';
import type { Config } from '../config/config.js';
import type { ServerContext } from '../server/serverContext.js';
import { loadOnce, loadSoon } from '../server/loadOnce.js';
import type { Workspace } from '../server/workspace.js';

interface Loaded {
  shared: SharedBrowser;
  workspace: Workspace;
  newContext: () => ServerContext;
}

/** One session's ServerContext, made on its first need. */
export interface LazyContext {
  get(): Promise<ServerContext>;
  /** Closes the context if it was made (its browser context and tabs). */
  close(): Promise<void>;
}

/**
 * What the HTTP server's sessions share (one browser, one Workspace with the apps) and the code of
 * their ServerContexts, loaded on first need — a session's first tools/call, or right after its
 * first tools/list answer, when createMcpServer preloads — as stdio loads them: the server
 * listens, and answers initialize and tools/list, before any of it is read. A fixed --otlp-port
 * loads them at once: apps may be pointed at it before any session starts.
 */
export class SessionParts {
  private loaded?: Loaded;
  private readonly load = loadOnce(() =>
    Promise.all([import('../cdp/sharedBrowser.js'), import('../server/workspace.js'), import('../server/serverContext.js')]).then(([{ SharedBrowser }, { Workspace }, { ServerContext }]) => {
      const shared = new SharedBrowser(this.config);
      const workspace = new Workspace(this.config);
      this.loaded = { shared, workspace, newContext: () => new ServerContext(this.config, shared, workspace) };
      return this.loaded;
    }),
  );

  constructor(private readonly config: Config) {
    loadSoon(this.load, config);
  }

  contextFor(): LazyContext {
    let made: Promise<ServerContext> | undefined;
    let closed = false;
    return {
      // A session that ended gets no context (a preload can ask just after its DELETE): one made then would never be closed.
      get: () => (closed ? Promise.reject(new Error('The session ended.')) : (made ??= this.load().then((loaded) => loaded.newContext()))),
      close: async () => {
        closed = true;
        const context = await made?.catch(() => undefined);
        await context?.close();
      },
    };
  }

  /** SIGKILL to the apps' process groups, synchronously (serveUntilStopped, on exit). */
  killAllNow(): void {
    this.loaded?.workspace.killAllNow();
  }

  /** Stops the browser and the apps, if they were loaded (or once they are, if loading). */
  async close(): Promise<void> {
    const loaded = await this.load.started?.catch(() => undefined);
    if (loaded) await Promise.allSettled([loaded.shared.close(), loaded.workspace.close()]);
  }
}
