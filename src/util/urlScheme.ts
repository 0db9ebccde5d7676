/**
 * What a URL is to the browser, decided as the browser decides it. The WHATWG URL parser (and
 * Chromium's, which `new URL()` agrees with here) removes leading and trailing C0 controls and
 * spaces, and ASCII tab and newline anywhere, before it reads the scheme: `java\tscript:`,
 * `\u0001javascript:` and `javascript\n:` are all `javascript:` to it. Every check of a URL that
 * is about to be loaded (the navigate tool, `pages new`, journey replay, the `--no-evaluate`
 * gate) goes through `pageScriptUrl` here, so none of them reads a scheme differently.
 */

/** The command-line flag that forbids running the agent's (or a journey's) JavaScript in the page. */
export const NO_EVALUATE_FLAG = '--no-evaluate';

/** The text the browser's URL parser reads (leading/trailing C0 controls and spaces, and every tab and newline, removed). */
export function browserUrlText(input: string): string {
  // eslint-disable-next-line no-control-regex
  return input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
}

/** The URL's scheme as the browser reads it, lower-cased; undefined when it has none (a bare host, a path). */
export function urlScheme(input: string): string | undefined {
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(browserUrlText(input))?.[1]?.toLowerCase();
}

/**
 * The types a data: URL may have and still run no script when a tab shows it: plain text, JSON
 * and raster images. Everything else (HTML, XHTML, SVG, XML, a type that does not parse) can
 * carry script and is treated as script.
 */
const INERT_DATA_TYPES = /^(?:text\/plain|application\/json|image\/(?:png|jpeg|gif|webp|avif|bmp|x-icon|vnd\.microsoft\.icon))$/;

/** The essence of a data: URL's type (`text/html`), as the Fetch standard's data: URL processor reads it. */
export function dataUrlType(text: string): string {
  const header = text.slice('data:'.length).split(',')[0]!;
  const type = header
    .replace(/;\s*base64\s*$/i, '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  return type || 'text/plain';
}

export interface ScriptUrl {
  scheme: 'javascript' | 'data' | 'blob';
  /** How to name it in a message: "a javascript: URL", "a data: URL of type text/html", "a blob: URL". */
  label: string;
  /** True for javascript: (runs in the page the tab shows); false for data: and blob: (a document of the URL's own making). */
  inPage: boolean;
}

/**
 * Whether loading this URL would run script that the URL itself carries: a javascript: URL (in
 * the page the tab shows), a data: URL of a type that can hold script (in an empty origin), or a
 * blob: URL (a document some script made, in the origin that made it). Undefined for the rest.
 */
export function pageScriptUrl(input: string): ScriptUrl | undefined {
  const text = browserUrlText(input);
  const scheme = urlScheme(text);
  if (scheme === 'javascript') return { scheme, label: 'a javascript: URL', inPage: true };
  if (scheme === 'blob') return { scheme, label: 'a blob: URL', inPage: false };
  if (scheme === 'data') {
    const type = dataUrlType(text);
    if (!INERT_DATA_TYPES.test(type)) return { scheme, label: `a data: URL of type ${JSON.stringify(type.slice(0, 60))}`, inPage: false };
  }
  return undefined;
}
