/** Cuts `text` to at most `max` characters, saying how much was left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${plural(text.length - max, 'more character', 'more characters')}]`;
}

/** Collapses runs of white space and trims, as an accessible name is computed. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Characters that change how text around them looks rather than being text: C0 and C1 controls
 * (the escape that starts an ANSI sequence among them) and Unicode's bidirectional overrides,
 * embeddings, isolates and marks, which can make a name read as something it is not.
 */
export const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'g');

/** `text` with every unprintable character (see UNPRINTABLE) shown as an escape such as \u001b. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A text in quotes, as answers show names, titles and messages: at most `max` characters of it. */
export function quote(text: string, max = 200): string {
  return quoteValue(text, max);
}

/** A URL as answers show it: at most 300 characters, saying how many more there were. */
export function showUrl(url: string, max = 300): string {
  return truncate(url, max);
}

export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}

/** Shortens a URL for display: same-origin URLs lose their origin. */
export function shortUrl(url: string, base?: string): string {
  try {
    const parsed = new URL(url);
    if (base) {
      const baseUrl = new URL(base);
      if (baseUrl.origin === parsed.origin) return truncate(parsed.pathname + parsed.search, 160);
    }
    if (parsed.protocol === 'data:') return truncate(url, 60);
  } catch {
    // not a URL: show as is
  }
  return truncate(url, 200);
}

/** "a confirm", "an alert": the article for a word. */
export function article(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

/** At most `max` characters of `text`, ending in "…" when cut (never in the middle of a surrogate pair). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  if (end > 0 && /[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}

/** How an error quotes a value it rejects: as JSON, at most about `max` characters, saying how long it was when cut. */
export function quoteValue(value: unknown, max = 100): string {
  const isText = typeof value === 'string';
  const text = isText ? value : (JSON.stringify(value) ?? String(value));
  if (text.length <= max) return printable(isText ? JSON.stringify(value) : text);
  const head = isText ? JSON.stringify(clip(text, max)) : clip(text, max);
  return printable(`${head} (${text.length.toLocaleString('en-US')} characters)`);
}
