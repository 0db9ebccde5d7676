/** Cuts `text` to at most `max` characters, saying how much was left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${plural(text.length - max, 'more character', 'more characters')}]`;
}

/** Collapses runs of white space and trims, as an accessible name is computed. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function quote(text: string): string {
  return JSON.stringify(text);
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
