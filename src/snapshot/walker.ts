/**
 * The in-page outline walker. It is serialised and run inside each frame, so it must not refer to
 * anything outside its own body. It walks the DOM once (linear in page size, unlike
 * Accessibility.getFullAXTree, which is superlinear), computes an ARIA role, an accessible name
 * and the states that matter for each meaningful element, and gives each element a ref that stays
 * the same for as long as the element lives.
 *
 * Why hand-written instead of the browser's accessibility tree: one pass over the DOM in the page
 * costs a few milliseconds per thousand elements, while getFullAXTree costs seconds on large
 * pages. The role and name rules below follow HTML-AAM and accname closely enough for an agent to
 * find and act on elements; they are not a full accname implementation.
 */

/** One outline line: [depth, ref ('' for text), role, body (the line without "- ")]. */
export type WalkNode = [number, string, string, string];

export interface WalkOptions {
  /** Frame prefix for refs: '' for the main frame, `f2` for others. */
  prefix: string;
  /** First ref number to hand out if this document has none yet (so refs are never reused). */
  start: number;
  /** Walk only this element's subtree. */
  rootRef?: string;
}

export interface WalkResult {
  /** The nodes, one per line, fields joined by tabs (one string crosses CDP much faster than 30k arrays). */
  lines: string;
  /** Highest ref number handed out in this document so far. */
  maxRef: number;
  /** False when rootRef no longer resolves. */
  found: boolean;
}

export function walkPage(options: WalkOptions): WalkResult {
  type Registry = { refs: Map<string, WeakRef<Element>>; ids: WeakMap<Element, string>; next: number; prefix: string };
  const key = Symbol.for('legible.refs');
  const host = window as unknown as Record<symbol, Registry | undefined>;
  let registry = host[key];
  if (!registry) {
    registry = { refs: new Map(), ids: new WeakMap(), next: options.start, prefix: options.prefix };
    Object.defineProperty(window, key, { value: registry, enumerable: false, configurable: true });
  }
  const reg = registry;
  const refOf = (el: Element): string => {
    let ref = reg.ids.get(el);
    if (!ref) {
      ref = `${reg.prefix}e${reg.next++}`;
      reg.ids.set(el, ref);
      reg.refs.set(ref, new WeakRef(el));
    }
    return ref;
  };

  const NAME_MAX = 100;
  const TEXT_MAX = 200;
  const squash = (text: string | null | undefined): string => (text ?? '').replace(/\s+/g, ' ').trim();
  const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  const q = (text: string): string => JSON.stringify(text);

  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'META', 'LINK', 'TITLE']);
  const FROM_CONTENT = new Set([
    'button', 'link', 'heading', 'option', 'tab', 'menuitem', 'menuitemcheckbox', 'menuitemradio',
    'treeitem', 'checkbox', 'radio', 'switch', 'tooltip', 'cell', 'gridcell', 'columnheader', 'rowheader',
  ]);
  const CELL = new Set(['cell', 'gridcell', 'columnheader', 'rowheader']);
  const VALUED = new Set(['textbox', 'searchbox', 'spinbutton', 'slider', 'combobox']);
  const LANDMARK_PARENTS = 'article,aside,main,nav,section,[role=article],[role=complementary],[role=main],[role=navigation],[role=region]';
  const INPUT_ROLES: Record<string, string> = {
    button: 'button', submit: 'button', reset: 'button', image: 'button', file: 'button',
    checkbox: 'checkbox', radio: 'radio', range: 'slider', number: 'spinbutton', search: 'searchbox',
    color: 'button',
  };
  const TAG_ROLES: Record<string, string> = {
    BUTTON: 'button', SUMMARY: 'button', TEXTAREA: 'textbox', OPTION: 'option', OPTGROUP: 'group',
    H1: 'heading', H2: 'heading', H3: 'heading', H4: 'heading', H5: 'heading', H6: 'heading',
    UL: 'list', OL: 'list', MENU: 'list', LI: 'listitem', TABLE: 'table', TR: 'row', TD: 'cell',
    NAV: 'navigation', MAIN: 'main', ASIDE: 'complementary', ARTICLE: 'article', DIALOG: 'dialog',
    FIELDSET: 'group', DETAILS: 'group', PROGRESS: 'progressbar', METER: 'meter', P: 'paragraph',
    BLOCKQUOTE: 'blockquote', FIGURE: 'figure', HR: 'separator', IFRAME: 'iframe', FRAME: 'iframe',
    OUTPUT: 'status', DL: 'list', DT: 'term', DD: 'definition', CAPTION: 'caption', CODE: 'code',
    PRE: 'code', LABEL: '', FORM: 'form', SVG: '', svg: '',
  };

  const implicitRole = (el: Element): string => {
    const tag = el.tagName;
    switch (tag) {
      case 'A':
      case 'AREA':
        return el.hasAttribute('href') ? 'link' : '';
      case 'INPUT': {
        const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
        if (type === 'hidden') return 'none';
        if (INPUT_ROLES[type]) return INPUT_ROLES[type]!;
        return el.hasAttribute('list') ? 'combobox' : 'textbox';
      }
      case 'SELECT': {
        const select = el as HTMLSelectElement;
        return select.multiple || select.size > 1 ? 'listbox' : 'combobox';
      }
      case 'IMG':
        return el.getAttribute('alt') === '' ? 'none' : 'img';
      case 'TH':
        return el.getAttribute('scope') === 'row' ? 'rowheader' : 'columnheader';
      case 'HEADER':
        return el.parentElement?.closest(LANDMARK_PARENTS) ? '' : 'banner';
      case 'FOOTER':
        return el.parentElement?.closest(LANDMARK_PARENTS) ? '' : 'contentinfo';
      case 'SECTION':
        return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : '';
      default:
        if ((el as HTMLElement).isContentEditable && !el.parentElement?.isContentEditable) return 'textbox';
        return TAG_ROLES[tag] ?? '';
    }
  };

  const roleOf = (el: Element): string => {
    const explicit = el.getAttribute('role');
    if (explicit) {
      const first = explicit.trim().split(/\s+/)[0]!.toLowerCase();
      if (first === 'presentation') return 'none';
      if (first) return first;
    }
    return implicitRole(el);
  };

  /** What aria-labelledby takes from an element: its text even when hidden (as the spec says). */
  const textOf = (el: Element): string => {
    if (el.tagName === 'IMG') return el.getAttribute('alt') ?? '';
    if (el.tagName === 'INPUT') return (el as HTMLInputElement).value;
    return el.textContent ?? '';
  };

  /**
   * The text an element shows, for names from content: its text nodes, minus hidden parts
   * (display:none, visibility:hidden, aria-hidden, script/style), with an image counted by its
   * alt text and a labelled child by its label. Not innerText: that needs layout per call and
   * made big pages 2x slower; this looks at styles only below elements that have children.
   */
  const contentText = (el: Element): string => {
    let text = '';
    for (let node = el.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === Node.TEXT_NODE) {
        text += (node as Text).data;
        continue;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const child = node as Element;
      if (SKIP.has(child.tagName) || child.tagName === 'INPUT' || child.tagName === 'SELECT' || child.tagName === 'TEXTAREA') continue;
      if (child.tagName.toLowerCase() === 'title' && child.parentElement?.tagName.toLowerCase() === 'svg') {
        // An icon's <title> has no box of its own, yet names the icon (and so its button).
        if (child.parentElement.getAttribute('aria-hidden') !== 'true') text += ` ${child.textContent ?? ''} `;
        continue;
      }
      if (!visible(child) && getComputedStyle(child).display !== 'contents') continue;
      const label = child.getAttribute('aria-label');
      if (label) text += ` ${label} `;
      else if (child.tagName === 'IMG') text += ` ${child.getAttribute('alt') ?? ''} `;
      else text += contentText(child);
    }
    return text;
  };

  const byIds = (ids: string): string =>
    ids
      .split(/\s+/)
      .map((id) => document.getElementById(id))
      .filter((node): node is HTMLElement => !!node)
      .map((node) => node.getAttribute('aria-label') || textOf(node))
      .join(' ');

  const meaningfulInside = 'a[href],button,input,select,textarea,img,[role],[tabindex],h1,h2,h3,h4,h5,h6,iframe';

  const nameOf = (el: Element, role: string): string => {
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) {
      const text = squash(byIds(labelledBy));
      if (text) return text;
    }
    const label = squash(el.getAttribute('aria-label'));
    if (label) return label;
    const tag = el.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      const input = el as HTMLInputElement;
      const type = (input.type || '').toLowerCase();
      if (type === 'submit' || type === 'reset' || type === 'button') {
        return squash(input.value) || (type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : '');
      }
      if (type === 'image') return squash(input.alt) || 'Submit';
      const labels = input.labels ? Array.from(input.labels).map((l) => squash(contentText(l))).filter(Boolean) : [];
      if (labels.length) return labels.join(' ');
      return squash(el.getAttribute('title')) || squash(el.getAttribute('placeholder'));
    }
    if (tag === 'IMG' || tag === 'AREA') return squash(el.getAttribute('alt')) || squash(el.getAttribute('title'));
    if (tag === 'FIELDSET') {
      const legend = el.querySelector(':scope > legend');
      if (legend) return squash(legend.textContent);
    }
    if (tag === 'TABLE') {
      const caption = (el as HTMLTableElement).caption;
      if (caption) return squash(caption.textContent);
    }
    if (tag === 'FIGURE') {
      const caption = el.querySelector(':scope > figcaption');
      if (caption) return squash(caption.textContent);
    }
    if (tag === 'IFRAME') return squash(el.getAttribute('title')) || squash(el.getAttribute('name'));
    if (FROM_CONTENT.has(role)) {
      if (!CELL.has(role) || !el.querySelector(meaningfulInside)) {
        const text = squash(contentText(el));
        if (text) return text;
      }
    }
    return squash(el.getAttribute('title'));
  };

  // Read once: document.activeElement is costly enough to dominate the walk when read per element.
  let focused: Element | null = document.activeElement;
  while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
  if (focused === document.body) focused = null;

  const origin = location.origin;

  const states = (el: Element, role: string): string => {
    const out: string[] = [];
    const aria = (name: string) => el.getAttribute(name);
    const input = el as HTMLInputElement;
    if (role === 'heading') {
      const level = (aria('aria-level') ?? /^H([1-6])$/.exec(el.tagName)?.[1] ?? '').replace(/\D/g, '').slice(0, 2);
      if (level) out.push(`[level=${level}]`);
    }
    if (role === 'checkbox' || role === 'radio' || role === 'switch' || role.startsWith('menuitem')) {
      const checked = el.tagName === 'INPUT' ? (input.indeterminate ? 'mixed' : String(input.checked)) : aria('aria-checked');
      if (checked === 'true') out.push('[checked]');
      else if (checked === 'mixed') out.push('[checked=mixed]');
    }
    if (aria('aria-pressed') === 'true') out.push('[pressed]');
    const expanded = aria('aria-expanded') ?? (el.tagName === 'DETAILS' ? String((el as HTMLDetailsElement).open) : null);
    if (expanded === 'true') out.push('[expanded]');
    else if (expanded === 'false') out.push('[collapsed]');
    if ((el as HTMLOptionElement).selected === true || aria('aria-selected') === 'true') out.push('[selected]');
    if ((input.disabled === true) || aria('aria-disabled') === 'true') out.push('[disabled]');
    if (input.required === true || aria('aria-required') === 'true') out.push('[required]');
    if (aria('aria-invalid') === 'true') out.push('[invalid]');
    if (VALUED.has(role)) {
      let value = '';
      if (el.tagName === 'SELECT') {
        value = Array.from((el as HTMLSelectElement).selectedOptions).map((o) => squash(o.text)).join(', ');
      } else if ('value' in el && typeof input.value === 'string') {
        // A secret field's value is masked: what journey/secrets.ts (passwordFieldName) calls one,
        // a password input or one whose autocomplete names a password or one-time code.
        const tokens = el.tagName === 'INPUT' ? (el.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/) : [];
        const secret = input.type === 'password' || tokens.some((token) => token === 'current-password' || token === 'new-password' || token === 'one-time-code');
        value = secret ? '•'.repeat(Math.min(input.value.length, 8)) : input.value;
      } else {
        value = squash(aria('aria-valuenow') ?? (el as HTMLElement).innerText);
      }
      if (value) out.push(`[value=${q(cut(value, NAME_MAX))}]`);
    } else if (role === 'progressbar' || role === 'meter') {
      const value = cut(squash(aria('aria-valuenow') ?? String((el as HTMLProgressElement).value ?? '')), 20);
      if (value) out.push(`[value=${q(value)}]`);
    }
    if (role === 'link') {
      const href = (el as HTMLAnchorElement).href;
      if (href) {
        let shown = href;
        try {
          const url = new URL(href);
          if (url.origin === origin) shown = url.pathname + url.search + url.hash;
        } catch {
          // keep the raw href
        }
        out.push(`[url=${cut(shown, 120)}]`);
      }
    }
    if (el === focused) out.push('[focused]');
    return out.length ? ` ${out.join(' ')}` : '';
  };

  const visible = (el: Element): boolean => {
    if (el.getAttribute('aria-hidden') === 'true') return false;
    if (typeof el.checkVisibility === 'function') {
      return el.checkVisibility({ visibilityProperty: true } as CheckVisibilityOptions);
    }
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden';
  };

  const out: WalkNode[] = [];
  // Text directly under an element whose name already says it (a button's label) is not repeated.
  const walkChildren = (parent: Node, depth: number, quiet: boolean): void => {
    let children: ArrayLike<Node> = parent.childNodes;
    if (parent instanceof Element && parent.shadowRoot) children = parent.shadowRoot.childNodes;
    if (parent instanceof HTMLSlotElement) {
      const assigned = parent.assignedNodes({ flatten: true });
      if (assigned.length) children = assigned;
    }
    for (let i = 0; i < children.length; i++) walkNode(children[i]!, depth, quiet);
  };

  const walkNode = (node: Node, depth: number, quiet: boolean): void => {
    if (node.nodeType === Node.TEXT_NODE) {
      if (quiet) return;
      const text = squash(node.textContent);
      if (!text) return;
      const last = out[out.length - 1];
      if (last && last[1] === '' && last[0] === depth && last[2] === 'text' && !last[3].endsWith('…')) {
        last[3] = `text: ${cut(`${last[3].slice(6)} ${text}`, TEXT_MAX)}`;
      } else {
        out.push([depth, '', 'text', `text: ${cut(text, TEXT_MAX)}`]);
      }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const el = node as Element;
    if (SKIP.has(el.tagName)) return;
    if (!visible(el)) {
      // display:contents and similar have no box of their own but show their children.
      if (getComputedStyle(el).display !== 'contents') return;
    }
    const role = roleOf(el);
    if (el.tagName === 'LABEL' && (el as HTMLLabelElement).control) return walkChildren(el, depth, true);
    if (!role || role === 'none' || role === 'generic' || role === 'rowgroup' || role === 'presentation') {
      if (role === 'none' && el.tagName === 'INPUT') return;
      return walkChildren(el, depth, quiet);
    }
    if (quiet && !['button', 'link', 'textbox', 'checkbox', 'radio', 'combobox', 'heading', 'searchbox', 'slider', 'switch'].includes(role)) {
      return walkChildren(el, depth, quiet);
    }
    const name = nameOf(el, role);
    const ref = refOf(el);
    const index = out.length;
    const head = `${role}${name ? ` ${q(cut(name, NAME_MAX))}` : ''} [ref=${ref}]${states(el, role)}`;
    out.push([depth, ref, role, head]);
    if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') return;
    if (el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || el.tagName === 'INPUT') return;
    walkChildren(el, depth + 1, quiet || (!!name && FROM_CONTENT.has(role)));
    // A node whose only child is one short text line reads better on one line: `- paragraph: Hi`.
    if (out.length === index + 2 && out[index + 1]![2] === 'text') {
      const text = out.pop()!;
      out[index]![3] = `${head}: ${text[3].slice(6)}`;
    }
  };

  let root: Node | null = document.body ?? document.documentElement;
  let found = true;
  if (options.rootRef) {
    const el = reg.refs.get(options.rootRef)?.deref();
    found = !!el && el.isConnected;
    root = found ? el! : null;
  }
  if (root) {
    if (options.rootRef) walkNode(root, 0, false);
    else walkChildren(root, 0, false);
  }
  return { lines: out.map((node) => node.join('\t')).join('\n'), maxRef: reg.next - 1, found };
}

/** Finds the element behind a ref in this frame, or null when it is gone. */
export function lookupRef(ref: string): Element | null {
  const registry = (window as unknown as Record<symbol, { refs: Map<string, WeakRef<Element>> } | undefined>)[
    Symbol.for('legible.refs')
  ];
  const el = registry?.refs.get(ref)?.deref();
  return el && el.isConnected ? el : null;
}

/**
 * Why a ref does not resolve in this document: 'no-snapshot' (no snapshot was taken of it, so it
 * has no refs), 'unknown' (this document never had that ref) or 'gone' (its element was removed).
 */
export function refProblem(ref: string): 'no-snapshot' | 'unknown' | 'gone' {
  const registry = (window as unknown as Record<symbol, { refs: Map<string, WeakRef<Element>> } | undefined>)[
    Symbol.for('legible.refs')
  ];
  if (!registry) return 'no-snapshot';
  return registry.refs.has(ref) ? 'gone' : 'unknown';
}

/** The ref of an element (the <iframe> that holds a child frame), if it has one. */
export function refOfElement(el: Element): string | null {
  const registry = (window as unknown as Record<symbol, { ids: WeakMap<Element, string> } | undefined>)[
    Symbol.for('legible.refs')
  ];
  return registry?.ids.get(el) ?? null;
}
