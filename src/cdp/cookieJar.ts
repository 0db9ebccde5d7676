import type { Protocol } from 'devtools-protocol';

type Send = <T>(method: string, params?: Record<string, unknown>) => Promise<T>;

/** The browser's cookies (its default context) and an origin's storage, through DevTools' Network and Storage domains. */
export class CookieJar {
  constructor(private readonly send: Send) {}

  async all(): Promise<Protocol.Network.Cookie[]> {
    return (await this.send<{ cookies: Protocol.Network.Cookie[] }>('Network.getAllCookies')).cookies;
  }

  async set(cookies: Protocol.Network.CookieParam[]): Promise<void> {
    if (cookies.length) await this.send('Network.setCookies', { cookies });
  }

  async clear(): Promise<void> {
    await this.send('Network.clearBrowserCookies');
  }

  /** Clears an origin's local and session storage (and IndexedDB). */
  async clearOriginStorage(origin: string): Promise<void> {
    await this.send('Storage.clearDataForOrigin', { origin, storageTypes: 'local_storage,session_storage,indexeddb' });
  }
}
