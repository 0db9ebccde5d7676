import { readFile, writeFile } from 'node:fs/promises';
import type { Protocol } from 'devtools-protocol';
import { z } from 'zod';
import type { PageDriver } from '../cdp/pageDriver.js';
import { errorMessage, LegibleError, UsageError } from '../util/errors.js';
import { REDACTED, isSecretName, redactBody } from '../util/redact.js';
import type { PageState } from './pageState.js';
import { clip, printable, quoteValue } from '../util/text.js';

/**
 * Cookies and localStorage: listed, set, cleared, saved to a file and loaded from one. The file has
 * the shape of Playwright's storage state ({cookies, origins: [{origin, localStorage}]}), so a
 * state saved by either tool loads in the other.
 */
const cookieSchema = z
  .object({
    name: z.string().min(1),
    value: z.string(),
    domain: z.string().min(1),
    path: z.string().optional(),
    expires: z.number().optional(),
    httpOnly: z.boolean().optional(),
    secure: z.boolean().optional(),
    sameSite: z.enum(['Strict', 'Lax', 'None']).optional(),
  })
  .loose();
export const stateFileSchema = z.object({
  cookies: z.array(cookieSchema).default([]),
  origins: z.array(z.object({ origin: z.string(), localStorage: z.array(z.object({ name: z.string(), value: z.string() })) }).loose()).default([]),
});
export type StateFile = z.infer<typeof stateFileSchema>;

export interface StorageListing {
  cookies: Protocol.Network.Cookie[];
  origin: string;
  local: [string, string][];
  session: [string, string][];
}

function origin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.origin === 'null' ? undefined : parsed.origin;
  } catch {
    return undefined;
  }
}

async function readStorage(page: PageDriver): Promise<{ local: [string, string][]; session: [string, string][] }> {
  return page.mainFrame().evaluate(() => {
    const all = (store: Storage): [string, string][] => {
      const out: [string, string][] = [];
      for (let i = 0; i < store.length && i < 500; i++) out.push([store.key(i)!, store.getItem(store.key(i)!) ?? '']);
      return out;
    };
    try {
      return { local: all(localStorage), session: all(sessionStorage) };
    } catch {
      return { local: [], session: [] };
    }
  });
}

export async function listStorage(state: PageState): Promise<StorageListing> {
  const here = origin(state.page.url()) ?? '';
  const cookies = await state.page.cookies.all();
  const { local, session } = here ? await readStorage(state.page) : { local: [], session: [] };
  return { cookies, origin: here, local, session };
}

/** A cookie's value as an answer shows it: redacted unless asked. */
export function shownCookieValue(value: string, reveal: boolean): string {
  return reveal || value === '' ? value : REDACTED;
}

/** A storage value as an answer shows it: a secret-looking key's value redacted, and secrets inside redacted, unless asked. */
export function shownStorageValue(key: string, value: string, reveal: boolean): string {
  if (reveal) return value;
  return isSecretName(key) ? REDACTED : redactBody(value);
}

/**
 * `name=value; Path=/; Domain=…; Max-Age=…; Secure; HttpOnly; SameSite=Lax` (a Set-Cookie line)
 * → a cookie for the page's URL; `localStorage:key=value` / `sessionStorage:key=value` → an item.
 */
export function parseSetItem(text: string, pageUrl: string): { cookie: Protocol.Network.CookieParam } | { store: 'local' | 'session'; key: string; value: string } {
  const storeMatch = /^(localStorage|sessionStorage):([^=]+)=(.*)$/s.exec(text);
  if (storeMatch) return { store: storeMatch[1] === 'localStorage' ? 'local' : 'session', key: storeMatch[2]!, value: storeMatch[3]! };
  const [pair = '', ...attributes] = text.split(';');
  const eq = pair.indexOf('=');
  const name = eq > 0 ? pair.slice(0, eq).trim() : '';
  if (!name) {
    throw new UsageError(
      `${quoteValue(text)} is neither a cookie nor a storage item.`,
      'Write a cookie as "name=value; Path=/; HttpOnly" (a Set-Cookie line) and an item as "localStorage:key=value".',
    );
  }
  const cookie: Protocol.Network.CookieParam = { name, value: pair.slice(eq + 1).trim() };
  for (const attribute of attributes) {
    const [key = '', ...rest] = attribute.split('=');
    const value = rest.join('=').trim();
    switch (key.trim().toLowerCase()) {
      case 'domain':
        cookie.domain = value;
        break;
      case 'path':
        cookie.path = value;
        break;
      case 'max-age':
        cookie.expires = Date.now() / 1000 + Number(value);
        break;
      case 'expires':
        cookie.expires = Date.parse(value) / 1000;
        break;
      case 'secure':
        cookie.secure = true;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'samesite':
        cookie.sameSite = (value[0]?.toUpperCase() + value.slice(1).toLowerCase()) as Protocol.Network.CookieSameSite;
        break;
      default:
        if (key.trim()) throw new UsageError(`Unknown cookie attribute ${quoteValue(key.trim())}.`, 'Cookie attributes are Domain, Path, Max-Age, Expires, Secure, HttpOnly and SameSite.');
    }
  }
  if (!cookie.domain) {
    if (!origin(pageUrl)) throw new LegibleError('A cookie without Domain needs a page with a web address.', 'Navigate to the app first, or add "; Domain=example.test".');
    cookie.url = pageUrl;
  }
  return { cookie };
}

async function setItems(page: PageDriver, store: 'local' | 'session', items: [string, string][]): Promise<void> {
  if (!items.length) return;
  await page.mainFrame().evaluate(
    (which: string, entries: [string, string][]) => {
      const target = which === 'local' ? localStorage : sessionStorage;
      for (const [key, value] of entries) target.setItem(key, value);
    },
    store,
    items,
  );
}

/** Sets cookies and storage items given as text (see parseSetItem); returns how many of each. */
export async function setStorage(state: PageState, items: string[]): Promise<{ cookies: number; items: number }> {
  const parsed = items.map((item) => parseSetItem(item, state.page.url()));
  const cookies = parsed.flatMap((item) => ('cookie' in item ? [item.cookie] : []));
  const stored = parsed.filter((item): item is Extract<typeof item, { store: string }> => 'store' in item);
  if (stored.length && !origin(state.page.url())) throw new LegibleError('Storage items need a page with a web address.', 'Navigate to the app first.');
  try {
    await state.page.cookies.set(cookies);
  } catch (error) {
    throw new LegibleError(`The browser refused a cookie: ${errorMessage(error)}`, 'Check its Domain (it must match the page or be given) and SameSite=None cookies are Secure.');
  }
  await setItems(state.page, 'local', stored.filter((item) => item.store === 'local').map((item) => [item.key, item.value]));
  await setItems(state.page, 'session', stored.filter((item) => item.store === 'session').map((item) => [item.key, item.value]));
  return { cookies: cookies.length, items: stored.length };
}

/** Clears every cookie of the browser and the page's origin's storage. */
export async function clearStorage(state: PageState): Promise<void> {
  await state.page.cookies.clear();
  const here = origin(state.page.url());
  if (here) await state.page.cookies.clearOriginStorage(here);
}

/**
 * Saves cookies and the localStorage of the open tabs' origins. Cookie values and secret-looking
 * storage values are written as `[redacted]` unless `reveal`: the file then holds live credentials.
 */
export async function saveState(tabs: PageState[], file: string, reveal: boolean): Promise<{ cookies: number; origins: number; redacted: number }> {
  const cookies = tabs.length ? await tabs[0]!.page.cookies.all() : [];
  let redacted = 0;
  const origins = new Map<string, { name: string; value: string }[]>();
  for (const tab of tabs) {
    const here = origin(tab.page.url());
    if (!here || origins.has(here)) continue;
    const { local } = await readStorage(tab.page).catch(() => ({ local: [] as [string, string][] }));
    origins.set(
      here,
      local.map(([name, value]) => {
        const shown = shownStorageValue(name, value, reveal);
        if (shown !== value) redacted++;
        return { name, value: shown };
      }),
    );
  }
  const data: StateFile = {
    cookies: cookies.map((cookie) => {
      const value = shownCookieValue(cookie.value, reveal);
      if (value !== cookie.value) redacted++;
      return {
        name: cookie.name,
        value,
        domain: cookie.domain,
        path: cookie.path,
        expires: cookie.expires,
        httpOnly: cookie.httpOnly,
        secure: cookie.secure,
        ...(cookie.sameSite ? { sameSite: cookie.sameSite } : {}),
      };
    }),
    origins: [...origins].filter(([, items]) => items.length).map(([name, localStorage]) => ({ origin: name, localStorage })),
  };
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`, { mode: reveal ? 0o600 : 0o644 });
  return { cookies: data.cookies.length, origins: data.origins.length, redacted };
}

/**
 * Loads a state file: every cookie, and localStorage for each origin (now for the page's own
 * origin; for others, when the tab next opens a page there). Redacted values are skipped and counted.
 */
export async function loadState(state: PageState, file: string): Promise<{ cookies: number; items: number; skipped: number; later: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Could not read the state file ${quoteValue(file, 200)}: ${clip(errorMessage(error), 200)}`, 'Give the path of a file saved with storage {"save":…}.');
  }
  let data: StateFile;
  try {
    data = stateFileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new UsageError(`${quoteValue(file, 200)} is not a browser state file: ${printable(clip(errorMessage(error), 200))}`, 'A state file is {"cookies":[…],"origins":[{"origin":…,"localStorage":[{"name","value"}]}]}, as storage {"save":…} writes it.');
  }
  let skipped = 0;
  const cookies = data.cookies.filter((cookie) => (cookie.value === REDACTED ? (skipped++, false) : true));
  await state.page.cookies.set(
    cookies.map((cookie) => ({
      name: cookie.name,
      value: cookie.value,
      domain: cookie.domain,
      path: cookie.path ?? '/',
      ...(cookie.expires !== undefined && cookie.expires > 0 ? { expires: cookie.expires } : {}),
      httpOnly: cookie.httpOnly,
      secure: cookie.secure,
      ...(cookie.sameSite ? { sameSite: cookie.sameSite } : {}),
    })),
  );
  const here = origin(state.page.url());
  let items = 0;
  const later: string[] = [];
  for (const entry of data.origins) {
    const kept = entry.localStorage.filter((item) => (item.value === REDACTED ? (skipped++, false) : true)).map((item) => [item.name, item.value] as [string, string]);
    items += kept.length;
    if (!kept.length) continue;
    if (entry.origin === here) await setItems(state.page, 'local', kept);
    else {
      later.push(entry.origin);
      await state.page.addInitScript(seedScript(entry.origin, kept));
    }
  }
  return { cookies: cookies.length, items, skipped, later };
}

/** Runs in every new document of the tab: seeds an origin's localStorage once per tab session. */
function seedScript(forOrigin: string, items: [string, string][]): string {
  const flag = `legible.seeded:${forOrigin}`;
  return `(() => { try { if (location.origin !== ${JSON.stringify(forOrigin)} || sessionStorage.getItem(${JSON.stringify(flag)})) return; for (const [k, v] of ${JSON.stringify(items)}) localStorage.setItem(k, v); sessionStorage.setItem(${JSON.stringify(flag)}, '1'); } catch {} })();`;
}
