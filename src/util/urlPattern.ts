import { quoteValue } from './text.js';
import { UsageError } from './errors.js';

/**
 * URL patterns as network mocks take them: a glob (`**` any characters, `*` any but `/`, `?` one
 * character) matched against the whole URL, or a `/regex/flags` searched in it. A glob without a
 * `?` also matches a URL whose query it does not spell out (`**\/api/cart` matches
 * `/api/cart?id=3`), and one that starts with `/` is a path on any origin, as a person writing
 * them means.
 */
export interface UrlPattern {
  /** As given. */
  source: string;
  test(url: string): boolean;
  /** The nearest pattern DevTools' Fetch domain takes (`*` for any run of characters), so only candidate requests pause. */
  fetchPattern: string;
}

const HINT = 'Give a glob such as "**/api/cart" or "https://shop.test/*.json", or a regular expression such as "/\\/api\\/(cart|items)/".';

export function parseUrlPattern(source: string): UrlPattern {
  const text = source.trim();
  if (!text) throw new UsageError('The URL pattern is empty.', HINT);
  const regex = /^\/(.+)\/([dgimsuvy]*)$/.exec(text);
  if (regex) {
    let compiled: RegExp;
    try {
      compiled = new RegExp(regex[1]!, regex[2]!.replace(/[gy]/g, ''));
    } catch (error) {
      throw new UsageError(`${quoteValue(text)} is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}.`, HINT);
    }
    return { source: text, test: (url) => compiled.test(url), fetchPattern: '*' };
  }
  // A path alone ("/api/cart") means that path on any origin.
  const whole = text.startsWith('/') ? `**${text}` : text;
  const glob = globToRegExp(whole);
  const withQuery = whole.includes('?');
  return {
    source: text,
    test: (url) => glob.test(url) || (!withQuery && glob.test(url.replace(/[?#].*$/, ''))),
    fetchPattern: whole.replace(/\*+/g, '*') + (withQuery ? '' : '*'),
  };
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '.';
    else out += c.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
