import type { LoadResult } from '../cdp/pageDriver.js';
import { BROWSER_GONE, errorMessage, LegibleError, UsageError } from '../util/errors.js';
import { clip, printable, quoteValue } from '../util/text.js';
import { NO_EVALUATE_FLAG, browserUrlText, pageScriptUrl, urlScheme } from '../util/urlScheme.js';
import { performAction, type Effects } from './perform.js';
import type { PageState } from './pageState.js';

export type HistoryMove = 'back' | 'forward' | 'reload';

export interface NavigationReport {
  effects: Effects;
  load: LoadResult | undefined;
}

/** The schemes a tab can open; Chromium only offers to download (or ignores) the rest, such as ftp:. */
const SCHEMES = new Set(['http', 'https', 'file', 'about', 'data', 'blob', 'chrome']);

export interface UrlChecks {
  /**
   * Whether this server runs page JavaScript at all; with --no-evaluate (false) data: URLs of types
   * that can hold script and blob: URLs are refused too (pageScriptUrl), since they run script the
   * URL brings, and the hint names no way to run code (none is offered).
   */
  evaluate?: boolean;
  /** The call that runs code in the page, as the tools name it (`evaluate {"function":…}`), for the hint when a javascript: URL is refused. */
  evaluateCall?: string;
}

/**
 * Accepts a bare host ("localhost:3000/x") by adding http://; refuses script URLs, schemes a tab
 * cannot open, and text that is no URL. The URL is read as the browser reads it (browserUrlText:
 * `java\tscript:` is javascript:) and returned in that form, so what loads is what was checked.
 */
export function normaliseUrl(input: string, options: UrlChecks = {}): string {
  const url = browserUrlText(input);
  const script = pageScriptUrl(url);
  if (script?.inPage) {
    throw new UsageError(
      'navigate does not run javascript: URLs.',
      options.evaluate === false
        ? `This server runs with ${NO_EVALUATE_FLAG}: nothing runs JavaScript in the page. Navigate to an http(s) URL of the app instead.`
        : options.evaluateCall
          ? `Run code in the page with ${options.evaluateCall}.`
          : 'Navigate to an http(s) URL of the app instead.',
    );
  }
  if (script && options.evaluate === false) {
    throw new UsageError(
      `navigate does not open ${script.label} on this server: it runs ${NO_EVALUATE_FLAG}, and such a page runs the script the URL brings.`,
      'Navigate to an http(s) URL of the app instead (a data: URL of text/plain, JSON or an image is fine).',
    );
  }
  const scheme = urlScheme(url);
  if (scheme && !/^[\w.-]+:\d+/.test(url)) {
    if (!SCHEMES.has(scheme)) {
      throw new UsageError(`navigate does not open ${scheme}: URLs.`, 'Give an http, https, file, about or data URL.');
    }
    return url;
  }
  // A bare host has no spaces before its path ("localhost:3000/search?q=red shoes" is fine).
  if (/\s/.test(url.split(/[/?#]/)[0]!)) {
    throw new UsageError(`${quoteValue(input)} is not a URL.`, 'Give a URL such as http://localhost:3000/cart.');
  }
  return `http://${url}`;
}

const NET_ERRORS: [RegExp, (url: string) => [string, string]][] = [
  [/ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION_FAILED/, (u) => [`The host of ${u} could not be resolved (DNS lookup failed).`, 'Check the spelling of the URL; for a local server use localhost or 127.0.0.1.']],
  [/ERR_CONNECTION_REFUSED/, (u) => [`Nothing is listening at ${u} (connection refused).`, 'Start the dev server, or check the port in the URL.']],
  [/ERR_CONNECTION_TIMED_OUT|ERR_TIMED_OUT|ERR_ADDRESS_UNREACHABLE|ERR_INTERNET_DISCONNECTED|ERR_NETWORK_ACCESS_DENIED/, (u) => [`${u} could not be reached (the connection timed out or the address is unreachable).`, 'Check that the server is up and reachable from this machine.']],
  [/ERR_CERT_|ERR_SSL_/, (u) => [`The TLS certificate of ${u} was rejected.`, 'For a local dev server with a self-signed certificate, start Legible with --chrome-arg=--ignore-certificate-errors.']],
  [/ERR_ABORTED/, (u) => [`Loading ${u} was aborted (a download, a 204 response, or another navigation replaced it).`, 'Take a snapshot to see where the page is now.']],
  [/ERR_INVALID_URL|invalid URL|Cannot navigate to invalid URL/i, (u) => [`${u} is not a valid URL.`, 'Give a full URL such as http://localhost:3000/.']],
  [/ERR_UNSAFE_PORT/, (u) => [`Chromium refuses to load ${u}: its port is on the browser's list of unsafe ports (ports of mail, FTP and other services).`, 'Serve the app on another port, such as 3000 or 8080.']],
  [/ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED/, (u) => [`The server at ${u} closed the connection without an answer.`, 'Check the server log; it may have crashed while answering.']],
];

function explainLoadError(error: unknown, url: string, timeout: number): unknown {
  const text = errorMessage(error);
  // The browser or tab went away: not the URL's fault (the tool call explains it as such).
  if (BROWSER_GONE.test(text)) return error;
  if (/timeout/i.test(text) && /exceeded|Timeout/.test(text)) {
    return new LegibleError(
      `${url} did not finish loading within ${timeout} ms; the page stays as far as it got.`,
      'Take a snapshot to see what loaded, or check the network tool for the requests that hang.',
    );
  }
  for (const [pattern, explain] of NET_ERRORS) {
    if (pattern.test(text)) {
      const [message, hint] = explain(url);
      return new LegibleError(message, hint, { cause: error });
    }
  }
  const code = /net::(ERR_[A-Z0-9_]+)/.exec(text)?.[1];
  return new LegibleError(
    `Could not load ${url}: ${clip(text, 300)}`,
    code ? `${code} is Chromium's network error for this load: check the URL and that the server answers it, then navigate again.` : undefined,
    { cause: error },
  );
}

/**
 * Loads a URL (or moves in history) and reports what the load produced. A beforeunload prompt
 * on the page being left is accepted, since leaving is what was asked.
 */
export async function navigate(state: PageState, target: { url: string } | { go: HistoryMove }, timeout: number): Promise<NavigationReport> {
  const { page } = state;
  // Named in errors: at most ~100 characters of a URL the caller gave.
  const label = 'url' in target ? printable(clip(target.url, 100)) : target.go;
  let load: LoadResult | undefined;
  let failure: unknown;
  const offDialog = page.onDialog((dialog) => {
    if (dialog.type === 'beforeunload') void page.handleDialog(true).catch(() => undefined);
  });
  try {
    const effects = await performAction(
      state,
      async () => {
        try {
          load = 'url' in target ? await page.goto(target.url, timeout) : await page.history(target.go, timeout);
        } catch (error) {
          failure = error;
        }
      },
      { diff: false, limits: { networkMs: 2_000, domMs: 500 }, timeoutMs: timeout + 5_000, what: 'url' in target ? `Opening ${target.url}` : `Going ${target.go}` },
    );
    // A dialog cut the wait short: the load goes on without it, and its timer must not stop a later one.
    if (effects.dialog && !load && !failure) page.abandonLoad();
    // Nothing to go to: the browser says so, or (puppeteer's goBack/goForward) just loads nothing.
    const noHistory =
      'go' in target &&
      (failure ? /History entry to navigate to not found/i.test(errorMessage(failure)) : target.go !== 'reload' && load === undefined && !effects.dialog);
    if (noHistory) {
      throw new LegibleError(`There is no page to go ${target.go} to in this tab's history.`, 'Open the page by its URL instead: navigate {"url":"…"}.');
    }
    if (failure) throw explainLoadError(failure, label, timeout);
    return { effects, load };
  } finally {
    offDialog();
  }
}
