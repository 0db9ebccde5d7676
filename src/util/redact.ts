/**
 * The one redaction every file Legible writes (runs, reports, HAR, recording sidecars, saved
 * journeys, saved bodies) and every shared answer goes through: credentials are replaced by
 * `[redacted]` wherever a header, query parameter, form or JSON field, or a `name=value` in free
 * text has a name that looks secret. Written here, not taken from a library: the rules are a few
 * regular expressions, and the redaction-by-name libraries on npm work on objects only, not on
 * query strings, form bodies or log lines.
 */

export const REDACTED = '[redacted]';

/** The variable a secret reference names: LEGIBLE_SECRET_PASSWORD. */
const SECRET_VARIABLE = /LEGIBLE_SECRET_[A-Z0-9_]{1,60}/;

/**
 * A reference to a secret kept outside the file: `${LEGIBLE_SECRET_PASSWORD}` (see
 * journey/secrets.ts). It holds no secret itself, so redaction leaves it alone.
 */
export const SECRET_REFERENCE = new RegExp(`\\$\\{(${SECRET_VARIABLE.source})\\}`, 'g');

/** Whether `text` is a variable a secret reference may name (what SECRET_REFERENCE holds between its braces). */
export function isSecretVariable(text: unknown): text is string {
  return typeof text === 'string' && new RegExp(`^${SECRET_VARIABLE.source}$`).test(text);
}

/** Secret words found anywhere in a name once separators are dropped (x-api-key → xapikey). */
const SECRET_INSIDE = /password|passwd|passphrase|secret|token|apikey|accesskey|privatekey|credential|authorization|cookie|sessionid|sessid|csrf|xsrf|jwt|bearer|signature/;
/** Short secret words that count only as a whole part of a name (x-auth, new_pwd, pin), not inside others (author, spin). */
const SECRET_PARTS = new Set(['auth', 'pass', 'pwd', 'pin', 'otp', 'sid']);

/** Whether a header, parameter or field name looks like it holds a credential. */
export function isSecretName(name: string): boolean {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return SECRET_INSIDE.test(parts.join('')) || parts.some((part) => SECRET_PARTS.has(part));
}

function isKept(value: string): boolean {
  return value === REDACTED || value === '' || new RegExp(`^${SECRET_REFERENCE.source}$`).test(value);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * `Bearer abc…` / `Basic …` credentials, wherever they appear: 8 or more token characters with a
 * digit, punctuation or a capital after a small letter among them, so prose ("Basic
 * Authentication failed") stays.
 */
const SCHEME_CREDENTIAL = /\b(Bearer|Basic)\s+(?=[A-Za-z0-9\-._~+/]*(?:[0-9\-._~+/]|[a-z][A-Z]))[A-Za-z0-9\-._~+/]{8,}=*/g;
/** `name=value` as in query strings, form bodies, text/plain bodies and log lines. */
const PAIR = /(^|[?&#;,\s])([^=&#;,\s?"']{1,100})=([^&#;,\s"']*)/g;
/**
 * `"name": "value"`, `'name': value`, `name: "value"` as in JSON or a JavaScript object logged as
 * text. A name starts where a word does (the lookbehind): without it, a 1 MB run of letters took
 * 750 ms, each position trying up to 100 name lengths; with it, 3 ms.
 */
const JSON_PAIR = /(?<![\w.-])(["']?)([\w.-]{1,100})\1(\s*:\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;}\]&]+)/g;
/** The password of `https://user:password@host/`. */
const URL_PASSWORD = /(\/\/[^/\s:@]+:)([^@\s/]+)@/g;

/** The shortest typed secret redacted by its value: shorter ones ("1234", "test") would blank ordinary words and numbers everywhere. */
export const MIN_KNOWN_SECRET = 6;
/** At most this many values are kept; the oldest goes first. */
const MAX_KNOWN_SECRETS = 100;
/** Secret values this process has seen typed or filled in, newest last. */
const knownSecrets = new Set<string>();
/** One alternation of every known value as a page may send it (as typed, URL- or form-encoded, inside a JSON string); longest first. */
let knownPattern: RegExp | undefined;

/**
 * Remembers a secret by its value (a password typed into a secret field, a LEGIBLE_SECRET_*
 * filled in at replay), so that redaction also catches it where no name says it is secret: a
 * login body that sends it as `"pw"`, an app that logs it. For this process's life.
 */
export function rememberSecretValue(value: string): void {
  if (value.length < MIN_KNOWN_SECRET || value === REDACTED || knownSecrets.has(value)) return;
  knownSecrets.add(value);
  if (knownSecrets.size > MAX_KNOWN_SECRETS) knownSecrets.delete(knownSecrets.values().next().value!);
  compileKnown();
}

/** Forgets a value remembered by rememberSecretValue: a password typed key by key was a prefix of the whole one. */
export function forgetSecretValue(value: string): void {
  if (knownSecrets.delete(value)) compileKnown();
}

function compileKnown(): void {
  if (!knownSecrets.size) {
    knownPattern = undefined;
    return;
  }
  const forms = new Set<string>();
  for (const known of knownSecrets) {
    const encoded = encodeURIComponent(known);
    for (const form of [known, encoded, encoded.replace(/%20/g, '+'), JSON.stringify(known).slice(1, -1)]) forms.add(form);
  }
  const escaped = [...forms].sort((a, b) => b.length - a.length).map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  knownPattern = new RegExp(escaped.join('|'), 'g');
}

/** Free text (a URL, a log line, a form or text/plain body) with secret-looking values replaced. */
export function redactText(text: string): string {
  return (knownPattern ? text.replace(knownPattern, REDACTED) : text)
    .replace(URL_PASSWORD, (_all, head: string) => `${head}${REDACTED}@`)
    .replace(SCHEME_CREDENTIAL, (_all, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(PAIR, (all, lead: string, name: string, value: string) => (isSecretName(decode(name)) && !isKept(decode(value)) ? `${lead}${name}=${REDACTED}` : all))
    .replace(JSON_PAIR, (all, quote: string, name: string, colon: string, value: string) => {
      if (!isSecretName(name)) return all;
      // Only quoted names or quoted values: "Password: required" in a sentence is no credential.
      const quotedValue = /^["']/.test(value);
      if (!quote && !quotedValue) return all;
      const inner = quotedValue ? value.slice(1, -1) : value;
      if (isKept(inner)) return all;
      return `${quote}${name}${quote}${colon}${quotedValue ? `${value[0]}${REDACTED}${value[0]}` : `"${REDACTED}"`}`;
    });
}

/** A URL with its secret-looking query and fragment values (and any password) redacted. */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** JSON-like data with the values of secret-looking keys redacted, at any depth; strings get redactText. */
export function redactJson(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, isSecretName(key) && !(typeof inner === 'string' && isKept(inner)) ? REDACTED : redactJson(inner)]),
    );
  }
  return value;
}

/**
 * Recorded data whose keys are a schema's, not the app's (a performance trace): every string
 * through redactText, and in `{name, value}` objects (header lists, as traces and HAR hold them)
 * the value of a secret-looking name redacted. Keys are left alone (a trace's own keys such as
 * `sessionId` are no credentials); for app data use redactJson.
 */
export function redactNamedValues(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactNamedValues);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const secret = typeof record.name === 'string' && 'value' in record && isSecretName(record.name);
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, secret && key === 'value' ? REDACTED : redactNamedValues(inner)]));
  }
  return value;
}

/**
 * A request or response body with secret-looking fields redacted: JSON (parsed, so nested fields
 * and non-string values count too), form-encoded and text/plain `name=value` bodies, and any
 * other text by redactText.
 */
export function redactBody(body: string, contentType = ''): string {
  if (/json/i.test(contentType) || /^\s*[{[]/.test(body)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body)));
    } catch {
      // not JSON after all: treat it as text
    }
  }
  return redactText(body);
}

/** Headers with secret-looking ones (Authorization, Cookie, Set-Cookie, X-Api-Key, …) redacted and the rest's values passed through redactText (a Referer keeps a token in its URL). */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isSecretName(name) ? REDACTED : redactText(String(value))]));
}

/** What a password typed into a field shows instead of itself; the same mask the snapshot uses. */
export function maskTyped(value: string): string {
  return '•'.repeat(Math.min(value.length, 8));
}
