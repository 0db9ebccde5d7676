const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The origins apps serve, each with its app's name, from `[name, url]` pairs (an app without a URL
 * is skipped; an earlier pair's origin is never replaced by a later one's). A loopback URL also
 * stands for its other loopback spellings (localhost, 127.0.0.1, [::1]) on the same port: a page
 * may call the app by any of them.
 */
export function originsOf(apps: Iterable<readonly [name: string, url: string | undefined]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, url] of apps) {
    if (!url) continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      continue;
    }
    if (!out.has(parsed.origin)) out.set(parsed.origin, name);
    if (LOOPBACK.has(parsed.hostname)) {
      for (const host of LOOPBACK) {
        const alias = new URL(parsed.origin);
        alias.hostname = host;
        if (!out.has(alias.origin)) out.set(alias.origin, name);
      }
    }
  }
  return out;
}
