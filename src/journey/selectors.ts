import type { ElementRef } from '../cdp/elementRef.js';
import type { PageState } from '../actions/pageState.js';
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
  const dom = await element.evaluate(domSelectorsFor);
  const list: string[][] = [];
  if (aria?.name) list.push([ariaSelector(aria.role, aria.name)]);
  list.push([dom.css], [`xpath/${dom.xpath}`]);
  if (dom.text) list.push([`text/${dom.text}`]);
  return list;
}

/** Runs in the page: the elements a non-ARIA selector chain matches (CSS through shadow roots, xpath/, text/, pierce/). */
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
    const css = selector.startsWith('pierce/') ? selector.slice(7) : selector;
    try {
      return Array.from(root.querySelectorAll(css));
    } catch {
      return [];
    }
  };
  let roots: ParentNode[] = [document];
  let found: Element[] = [];
  for (const [i, selector] of chain.entries()) {
    found = roots.flatMap((root) => find(root, selector));
    if (i < chain.length - 1) roots = found.map((el) => (el.shadowRoot ?? el) as ParentNode);
  }
  Object.defineProperty(window, Symbol.for('legible.matched'), { value: found, configurable: true, enumerable: false });
  return found.length;
}

/** Runs in the page: the first element of the last matchDomSelector call. */
export function takeMatched(): Element | null {
  const matched = (window as unknown as Record<symbol, Element[] | undefined>)[Symbol.for('legible.matched')];
  return matched?.[0] ?? null;
}

export interface Resolution {
  element?: ElementRef;
  /** How many elements the selector that decided matched (0 when none did). */
  count: number;
  selector?: string;
}

/**
 * Finds a step's element: ARIA selectors through the page outline (role and accessible name),
 * the others in the page. The first selector that matches exactly one element wins; if none is
 * unique, the first that matches any.
 */
export async function resolveSelectors(state: PageState, chains: (string | string[])[], framePath: readonly number[] = [], options: { count?: boolean } = {}): Promise<Resolution> {
  // Counting only (waitForElement): the deciding selector and its count, no element fetched.
  const counting = options.count ?? false;
  const list = chains.map((chain) => (Array.isArray(chain) ? chain : [chain]));
  // A step inside an iframe names the frame; its selectors hold in that frame's document.
  const frame = state.page.frameAtPath(framePath);
  if (!frame) return { count: 0 };
  const inFrame = (ref: string) => frameKeyOfRef(ref) === frame.key;
  let outline: OutlineLine[] | undefined;
  // The first selector that matched more than one element, kept (as a ref or a chain) in case
  // no selector matches exactly one; resolved only then, so nothing is fetched and left behind.
  let fallback: { count: number; selector: string; resolve: () => Promise<ElementRef | null> } | undefined;
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
      if (hits.length === 1) return counting ? { count: 1, selector: last } : { element: await resolveRef(state.page, hits[0]!.ref), count: 1, selector: last };
      if (hits.length > 1) fallback ??= { count: hits.length, selector: last, resolve: () => resolveRef(state.page, hits[0]!.ref) };
      continue;
    }
    if (aria) continue;
    const count = await frame.evaluate(matchDomSelector, chain);
    if (count === 1 && counting) return { count, selector: chain.join(' >> ') };
    if (count === 1) {
      const element = await frame.evaluateElement(takeMatched);
      if (element) return { element, count, selector: chain.join(' >> ') };
    }
    if (count > 1) {
      fallback ??= {
        count,
        selector: chain.join(' >> '),
        resolve: async () => ((await frame.evaluate(matchDomSelector, chain)) > 0 ? frame.evaluateElement(takeMatched) : null),
      };
    }
  }
  if (!fallback) return { count: 0 };
  if (counting) return { count: fallback.count, selector: fallback.selector };
  const element = (await fallback.resolve()) ?? undefined;
  return element ? { element, count: fallback.count, selector: fallback.selector } : { count: 0 };
}

/** How many elements the best selector matches, without fetching any (for waitForElement). */
export async function countMatches(state: PageState, chains: (string | string[])[], framePath: readonly number[] = []): Promise<number> {
  return (await resolveSelectors(state, chains, framePath, { count: true })).count;
}
