import type { ElementRef } from '../cdp/elementRef.js';
import type { FrameDriver } from '../cdp/frameDriver.js';
import type { PageState } from '../actions/pageState.js';
import { LegibleError } from '../util/errors.js';
import { truncate } from '../util/text.js';
import { frameKeyOfRef, resolveRef } from '../snapshot/refs.js';
import type { OutlineLine } from '../snapshot/outline.js';

/** Durable ways to find an element again, computed in the page: CSS, XPath, and visible text. */
export interface DomSelectors {
  css: string;
  xpath: string;
  text?: string;
}

/** Runs in the page: selectors for `el` that survive a reload (never a snapshot ref). */
export function domSelectorsFor(el: Element): DomSelectors {
  const cssEscape = (value: string) => (typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(value) : value.replace(/[^\w-]/g, '\\$&'));
  const unique = (selector: string) => {
    try {
      return document.querySelectorAll(selector).length === 1;
    } catch {
      return false;
    }
  };
  /** The element's place among its parent's children of the same tag (1-based), when it has such siblings. */
  const nthOfTag = (node: Element): number | undefined => {
    const same = node.parentElement ? Array.from(node.parentElement.children).filter((child) => child.tagName === node.tagName) : [];
    return same.length > 1 ? same.indexOf(node) + 1 : undefined;
  };
  const css = (() => {
    if (el.id && unique(`#${cssEscape(el.id)}`)) return `#${cssEscape(el.id)}`;
    for (const attr of ['data-testid', 'data-test', 'data-cy', 'name', 'aria-label']) {
      const value = el.getAttribute(attr);
      const selector = value ? `${el.tagName.toLowerCase()}[${attr}="${value.replace(/"/g, '\\"')}"]` : '';
      if (selector && unique(selector)) return selector;
    }
    const parts: string[] = [];
    let node: Element | null = el;
    while (node && node.nodeType === 1 && node !== document.documentElement) {
      if (node.id && unique(`#${cssEscape(node.id)}`)) {
        parts.unshift(`#${cssEscape(node.id)}`);
        break;
      }
      const tag = node.tagName.toLowerCase();
      const nth = nthOfTag(node);
      parts.unshift(nth ? `${tag}:nth-of-type(${nth})` : tag);
      node = node.parentElement;
    }
    return parts.join(' > ');
  })();
  const xpath = (() => {
    const steps: string[] = [];
    let node: Element | null = el;
    while (node && node.nodeType === 1) {
      const tag = node.tagName.toLowerCase();
      const nth = nthOfTag(node);
      steps.unshift(nth ? `${tag}[${nth}]` : tag);
      node = node.parentElement;
    }
    return `/${steps.join('/')}`;
  })();
  const label = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
  const text = label && label.length <= 60 && /^(A|BUTTON|SUMMARY|LABEL|OPTION)$/.test(el.tagName) ? label : undefined;
  return { css, xpath, text };
}

/** Recorder's ARIA selector for a role and accessible name. */
export function ariaSelector(role: string, name: string): string {
  return `aria/${name}[role="${role}"]`;
}

const ARIA = /^aria\/(.*?)(?:\[role="([^"]+)"\])?$/;

/** The name and role of an ARIA selector (`aria/Add[role="button"]`), or undefined for other selectors. */
export function parseAriaSelector(selector: string): { name: string; role?: string } | undefined {
  const match = ARIA.exec(selector);
  return match ? { name: match[1]!, role: match[2] } : undefined;
}

/** The role and name in the outline line of a ref (`button "Search" [ref=e9]`). */
export function roleAndName(line: OutlineLine): { role: string; name: string } | undefined {
  const match = /^(\S+) "((?:[^"\\]|\\.)*)"/.exec(line.body);
  return match ? { role: match[1]!, name: JSON.parse(`"${match[2]!}"`) as string } : undefined;
}

/** Selectors for a step, best first: ARIA (role and name), CSS, XPath, text. */
export async function durableSelectors(state: PageState, ref: string, element: ElementRef): Promise<string[][]> {
  const line = state.lineOf(ref);
  const aria = line ? roleAndName(line) : undefined;
  return [...(aria?.name ? [[ariaSelector(aria.role, aria.name)]] : []), ...(await domSelectors(element))];
}

/** Selectors for an element that has no ref (the focused field, say): CSS, XPath, text. */
export async function domSelectors(element: ElementRef): Promise<string[][]> {
  const dom = await element.evaluate(domSelectorsFor);
  const list: string[][] = [[dom.css], [`xpath/${dom.xpath}`]];
  if (dom.text) list.push([`text/${dom.text}`]);
  return list;
}

/**
 * Runs in the page: how many elements a non-ARIA selector chain matches (CSS through shadow
 * roots, xpath/, text/, pierce/), or -1 when a link of it does not parse. The matches are kept
 * in the page for `takeMatched` and `inspectMatched`.
 */
export function matchDomSelector(chain: string[]): number {
  const find = (root: ParentNode, selector: string): Element[] => {
    if (selector.startsWith('xpath/')) {
      const result = document.evaluate(selector.slice(6), root as Node, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      return Array.from({ length: result.snapshotLength }, (_, i) => result.snapshotItem(i)).filter((n): n is Element => n instanceof Element);
    }
    if (selector.startsWith('text/')) {
      const wanted = selector.slice(5).trim();
      const all = Array.from(root.querySelectorAll('body *')).filter((el) => !/^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/.test(el.tagName) && (el.textContent ?? '').replace(/\s+/g, ' ').includes(wanted));
      // The innermost elements that contain the text (as Puppeteer's text/ selector does).
      return all.filter((el) => !all.some((other) => other !== el && el.contains(other)));
    }
    return Array.from(root.querySelectorAll(selector.startsWith('pierce/') ? selector.slice(7) : selector));
  };
  let roots: ParentNode[] = [document];
  let found: Element[] = [];
  try {
    for (const [i, selector] of chain.entries()) {
      found = roots.flatMap((root) => find(root, selector));
      if (i < chain.length - 1) roots = found.map((el) => (el.shadowRoot ?? el) as ParentNode);
    }
  } catch {
    found = [];
    Object.defineProperty(window, Symbol.for('legible.matched'), { value: found, configurable: true, enumerable: false });
    return -1;
  }
  Object.defineProperty(window, Symbol.for('legible.matched'), { value: found, configurable: true, enumerable: false });
  return found.length;
}

/** Runs in the page: keeps the elements behind these refs as the matches of `inspectMatched`. */
export function matchRefs(refs: string[]): number {
  const registry = (window as unknown as Record<symbol, { refs: Map<string, WeakRef<Element>> } | undefined>)[Symbol.for('legible.refs')];
  const found = refs.map((ref) => registry?.refs.get(ref)?.deref()).filter((el): el is Element => !!el && el.isConnected);
  Object.defineProperty(window, Symbol.for('legible.matched'), { value: found, configurable: true, enumerable: false });
  return found.length;
}

/** Runs in the page: the first element of the last matchDomSelector call. */
export function takeMatched(): Element | null {
  const matched = (window as unknown as Record<symbol, Element[] | undefined>)[Symbol.for('legible.matched')];
  return matched?.[0] ?? null;
}

export interface Inspection {
  /** Matches that are rendered (not display:none, visibility:hidden, or inside a closed <details>). */
  visible: number;
  /** All matches, rendered or not. */
  total: number;
  /** The first attribute or property of a (visible, else any) match that differs from the wanted one. */
  mismatch?: string;
}

/**
 * Runs in the page: which of the last matches are visible, and whether they have the wanted
 * attributes (exact strings) and properties (deep: `{"dataset": {"state": "open"}}`), as
 * Recorder's waitForElement asks.
 */
export function inspectMatched(properties: Record<string, unknown> | null, attributes: Record<string, string> | null): Inspection {
  const matched = (window as unknown as Record<symbol, Element[] | undefined>)[Symbol.for('legible.matched')] ?? [];
  const shown = matched.filter((el) => el.isConnected && (typeof el.checkVisibility !== 'function' || el.checkVisibility({ visibilityProperty: true })));
  const show = (value: unknown): string => {
    const text = typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'undefined' : typeof value === 'object' && value !== null ? 'an object' : String(value);
    return text.length > 100 ? `${text.slice(0, 100)}…` : text;
  };
  const differs = (wanted: unknown, actual: unknown, path: string): string | undefined => {
    if (wanted !== null && typeof wanted === 'object' && !Array.isArray(wanted)) {
      if (actual === null || typeof actual !== 'object') return `${path} is ${show(actual)}, wanted an object`;
      for (const [key, value] of Object.entries(wanted)) {
        const found = differs(value, (actual as Record<string, unknown>)[key], `${path}.${key}`);
        if (found) return found;
      }
      return undefined;
    }
    if (Array.isArray(wanted)) return JSON.stringify(wanted) === JSON.stringify(Array.from((actual as ArrayLike<unknown>) ?? [])) ? undefined : `${path} differs from ${show(JSON.stringify(wanted))}`;
    return wanted === actual ? undefined : `${path} is ${show(actual)}, wanted ${show(wanted)}`;
  };
  let mismatch: string | undefined;
  for (const el of shown.length ? shown : matched) {
    for (const [name, value] of Object.entries(attributes ?? {})) {
      const actual = el.getAttribute(name);
      if (actual !== value) mismatch ??= `attribute ${name} is ${actual === null ? 'missing' : show(actual)}, wanted ${show(value)}`;
    }
    for (const [name, value] of Object.entries(properties ?? {})) {
      mismatch ??= differs(value, (el as unknown as Record<string, unknown>)[name], name);
    }
    if (mismatch) break;
  }
  return { visible: shown.length, total: matched.length, mismatch };
}

/** Runs in the page: why a selector (one link of a chain) does not parse, or null when it does. */
export function selectorSyntaxError(selector: string): string | null {
  try {
    if (selector.startsWith('xpath/')) document.evaluate(selector.slice(6), document, null, XPathResult.ANY_TYPE, null);
    else if (!selector.startsWith('text/') && !selector.startsWith('aria/')) document.querySelector(selector.startsWith('pierce/') ? selector.slice(7) : selector);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** How one selector chain was matched: through the outline (ARIA) or in the document. */
type Candidate = { count: number; selector: string } & ({ refs: string[] } | { chain: string[] });

export interface Resolution {
  element?: ElementRef;
  /** How many elements the selector that decided matched (0 when none did). */
  count: number;
  selector?: string;
}

/** Selectors that all fail to parse: nothing could ever match them, so waiting is pointless. */
export class InvalidSelectorError extends LegibleError {
  constructor(invalid: string[]) {
    super(
      `${invalid.map((s) => JSON.stringify(truncate(s, 100))).join(' and ')} ${invalid.length > 1 ? 'are not valid selectors' : 'is not a valid selector'}.`,
      'Use CSS, or aria/<name>, xpath/<path>, text/<text> or pierce/<css>, as Chrome DevTools Recorder writes them.',
      { kind: 'usage' },
    );
    this.name = 'InvalidSelectorError';
  }
}

/**
 * Finds the selector that decides for a step, in one frame: ARIA selectors through the page
 * outline (role and accessible name), the others in the frame's document. The first selector
 * that matches exactly one element wins; if none is unique, the first that matches any. When it
 * returns a unique DOM match, that match is the one kept in the page (for `takeMatched`).
 */
async function decide(state: PageState, chains: (string | string[])[], frame: FrameDriver): Promise<Candidate | undefined> {
  const list = chains.map((chain) => (Array.isArray(chain) ? chain : [chain]));
  const inFrame = (ref: string) => frameKeyOfRef(ref) === frame.key;
  let outline: OutlineLine[] | undefined;
  let fallback: Candidate | undefined;
  const invalid: string[] = [];
  for (const chain of list) {
    const last = chain[chain.length - 1]!;
    const aria = parseAriaSelector(last);
    if (aria && chain.length === 1) {
      outline ??= (await state.outline()).lines;
      const { name, role } = aria;
      const hits = outline.filter((line) => {
        const found = roleAndName(line);
        return !!found && found.name === name && (!role || found.role === role) && inFrame(line.ref);
      });
      const candidate = { count: hits.length, selector: last, refs: hits.map((line) => line.ref) };
      if (hits.length === 1) return candidate;
      if (hits.length > 1) fallback ??= candidate;
      continue;
    }
    if (aria) continue;
    const count = await frame.evaluate(matchDomSelector, chain);
    const candidate = { count, selector: chain.join(' >> '), chain };
    if (count < 0) invalid.push(candidate.selector);
    if (count === 1) return candidate;
    if (count > 1) fallback ??= candidate;
  }
  if (!fallback && invalid.length === list.length) throw new InvalidSelectorError(invalid);
  return fallback;
}

/** Keeps a candidate's elements in the page again (for `takeMatched` / `inspectMatched`); returns how many there are now. */
function rematch(frame: FrameDriver, candidate: Candidate): Promise<number> {
  return 'refs' in candidate ? frame.evaluate(matchRefs, candidate.refs) : frame.evaluate(matchDomSelector, candidate.chain);
}

/** Finds a step's element in `frame` (see `decide`); no element when the frame is gone or nothing matches. */
export async function resolveSelectors(state: PageState, chains: (string | string[])[], frame: FrameDriver | undefined): Promise<Resolution> {
  if (!frame) return { count: 0 };
  const candidate = await decide(state, chains, frame);
  if (!candidate) return { count: 0 };
  const { count, selector } = candidate;
  if ('refs' in candidate) return { element: await resolveRef(state.page, candidate.refs[0]!), count, selector };
  // A unique DOM match is still the one kept in the page; a fallback is matched again.
  if (count !== 1 && (await rematch(frame, candidate)) <= 0) return { count: 0 };
  const element = (await frame.evaluateElement(takeMatched)) ?? undefined;
  return element ? { element, count, selector } : { count: 0 };
}

/** How many elements the best selector matches, without fetching any (for element expectations). */
export async function countMatches(state: PageState, chains: (string | string[])[], frame: FrameDriver | undefined = state.page.mainFrame()): Promise<number> {
  if (!frame) return 0;
  return (await decide(state, chains, frame))?.count ?? 0;
}

/** The deciding selector's matches in `frame`, checked for visibility, attributes and properties (for waitForElement). */
export async function inspectMatches(
  state: PageState,
  chains: (string | string[])[],
  frame: FrameDriver | undefined,
  wanted: { properties?: Record<string, unknown>; attributes?: Record<string, string> },
): Promise<Inspection & { selector?: string }> {
  const candidate = frame ? await decide(state, chains, frame) : undefined;
  if (!frame || !candidate) return { visible: 0, total: 0 };
  await rematch(frame, candidate);
  return { ...(await frame.evaluate(inspectMatched, wanted.properties ?? null, wanted.attributes ?? null)), selector: candidate.selector };
}
