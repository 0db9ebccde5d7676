/**
 * Secrets known by their value: what was typed into a secret field, or filled in from a
 * LEGIBLE_SECRET_* variable at replay. Redaction (redact.ts) replaces them wherever they show up,
 * whatever name carries them — a login body's "pw", an app's log line, a page that logs the field
 * as it is typed — in each form a page or a server writes them. For the process's life, shared by
 * its sessions (more redaction is never a leak).
 */

/** The shortest value (or typed prefix) known: shorter ones ("1234", "test") would blank ordinary words and numbers. */
export const MIN_KNOWN_SECRET = 6;
/** At most this many values (prefixes count) are kept; the oldest goes first. */
const MAX_KNOWN = 400;
const known = new Set<string>();
let pattern: RegExp | undefined;

/**
 * Remembers a secret, and its prefixes that hold most of it: a field typed key by key holds each
 * prefix in turn, and a page that logs it on every input shows them all. Prefixes go down to
 * three quarters of the value (and MIN_KNOWN_SECRET), and not those made of letters only: those
 * are ordinary words ("password" of "password123", "javascript" of a javascript: URL), which
 * would be blanked wherever a report says them.
 */
export function rememberSecretValue(value: string): void {
  let added = false;
  const shortest = Math.max(MIN_KNOWN_SECRET, value.length - Math.floor(value.length / 4));
  for (let length = value.length; length >= shortest; length--) {
    const prefix = value.slice(0, length);
    if (known.has(prefix) || (length < value.length && /^[\p{L}\s]+$/u.test(prefix))) continue;
    known.add(prefix);
    added = true;
  }
  if (!added) return;
  while (known.size > MAX_KNOWN) known.delete(known.values().next().value!);
  pattern = compile();
}

/** `text` with every known secret replaced by `replacement`. */
export function replaceKnownSecrets(text: string, replacement: string): string {
  return pattern ? text.replace(pattern, replacement) : text;
}

/** The ways a value is written: as typed, URL- and form-encoded, inside a JSON string (with "\/" too), HTML-escaped. */
function formsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const html = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [
    value,
    encodeURIComponent(value),
    // URLSearchParams and form posts also encode !'()~, and write a space as +.
    new URLSearchParams([['', value]]).toString().slice(1),
    json,
    json.replace(/\//g, '\\/'),
    html,
    html.replace(/'/g, '&#39;'),
    html.replace(/'/g, '&#x27;'),
  ];
}

const WORD = /[A-Za-z0-9]/;

/**
 * One alternation of every form of every known value, longest first. A form that starts or ends
 * with a letter or digit matches only where the text has none next to it: a known "hunter2"
 * leaves "hunter22" alone, and "123456" leaves "1712345678".
 */
function compile(): RegExp | undefined {
  const forms = new Set<string>();
  for (const value of known) for (const form of formsOf(value)) forms.add(form);
  if (!forms.size) return undefined;
  const alternatives = [...forms]
    .sort((a, b) => b.length - a.length)
    .map((form) => {
      const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return `${WORD.test(form[0]!) ? '(?<![A-Za-z0-9])' : ''}${escaped}${WORD.test(form.at(-1)!) ? '(?![A-Za-z0-9])' : ''}`;
    });
  return new RegExp(alternatives.join('|'), 'g');
}
