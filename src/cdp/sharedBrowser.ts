import type { Config } from '../config/config.js';
import { connectBrowser, type Connection } from './connect.js';

/**
 * One browser for many BrowserSessions (the HTTP server: one per MCP session), each in its own
 * browser context. Launched (or attached) on first use, launched again when it died.
 */
export class SharedBrowser {
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;

  constructor(private readonly config: Config) {}

  async connect(): Promise<Connection> {
    if (this.connection?.browser.connected) return this.connection;
    this.connecting ??= connectBrowser(this.config)
      .then((connection) => {
        this.connection = connection;
        return connection;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** How many isolated contexts are open besides the default one (for tests and status). */
  async contextCount(): Promise<number> {
    const browser = this.connection?.browser;
    if (!browser?.connected) return 0;
    return browser.browserContexts().filter((context) => context !== browser.defaultBrowserContext()).length;
  }

  /** Closes the browser if it was launched here; only disconnects from one it attached to. */
  async close(): Promise<void> {
    const connection = this.connection ?? (await this.connecting?.catch(() => undefined));
    this.connection = undefined;
    if (!connection) return;
    if (connection.owned) await connection.browser.close().catch(() => undefined);
    else await connection.browser.disconnect().catch(() => undefined);
  }
}
