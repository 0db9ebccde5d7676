import type { Config } from '../config/config.js';
import { connectBrowser, removeScratch, type Connection } from './connect.js';

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
    const dead = this.connection;
    this.connection = undefined;
    // A browser that died left its scratch folder (profile, TMPDIR) behind.
    this.connecting ??= removeScratch(dead?.scratchDir)
      .then(() => connectBrowser(this.config))
      .then((connection) => {
        this.connection = connection;
        return connection;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /** Closes the browser if it was launched here; only disconnects from one it attached to. */
  async close(): Promise<void> {
    const connection = this.connection ?? (await this.connecting?.catch(() => undefined));
    this.connection = undefined;
    if (!connection) return;
    if (connection.owned) await connection.browser.close().catch(() => undefined);
    else await connection.browser.disconnect().catch(() => undefined);
    await removeScratch(connection.scratchDir);
  }
}
