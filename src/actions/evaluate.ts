import { frameKeyOfRef } from '../snapshot/refs.js';
import { staleRef } from '../snapshot/outline.js';
import { errorMessage, LegibleError, UsageError } from '../util/errors.js';
import { clip } from '../util/text.js';
import { guard } from './guard.js';
import type { PageState } from './pageState.js';

/**
 * Builds the expression that runs the caller's function in the page. It is evaluated through
 * DevTools (so the page's CSP does not block it) and returns JSON text: elements become a short
 * tag description, cycles "[Circular]", functions "[Function]".
 */
function expressionFor(source: string, ref: string | undefined): string {
  return `(async () => {
  const fn = (${source}\n);
  if (typeof fn !== 'function') throw new TypeError('evaluate expects a function, such as () => document.title, not ' + typeof fn);
  let el;
  if (${JSON.stringify(ref ?? null)} !== null) {
    const registry = window[Symbol.for('legible.refs')];
    el = registry && registry.refs.get(${JSON.stringify(ref ?? '')})?.deref();
    if (!el || !el.isConnected) return { stale: true };
  }
  const value = await fn(el);
  const seen = new WeakSet();
  const json = JSON.stringify(value, (key, v) => {
    if (typeof Element !== 'undefined' && v instanceof Element) {
      return '<' + v.tagName.toLowerCase() + (v.id ? '#' + v.id : '') + (v.classList.length ? '.' + [...v.classList].join('.') : '') + '>';
    }
    if (typeof v === 'bigint') return v.toString() + 'n';
    if (typeof v === 'function') return '[Function]';
    if (v && typeof v === 'object') { if (seen.has(v)) return '[Circular]'; seen.add(v); }
    return v;
  });
  return { json: json === undefined ? 'undefined' : json };
})()`;
}

/**
 * Why the source does not parse as a JavaScript expression, if it does not: compiled here (by
 * V8, never run) once the page has failed it, so a typo reads as one rather than as something the
 * function threw. Only asked after a failure: this Node's V8 may be older than the page's.
 */
function syntaxError(source: string): string | undefined {
  try {
    // The page runs the source inside an async function, so `await` is fine in it.
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as FunctionConstructor;
    new AsyncFunction(`return (${source}\n);`);
    return undefined;
  } catch (error) {
    return error instanceof SyntaxError ? error.message : undefined;
  }
}

/** Runs a function source in the page (optionally with an element by ref) and returns its JSON. */
export async function evaluateFunction(state: PageState, source: string, ref?: string): Promise<string> {
  const frame = state.page.frame(ref ? frameKeyOfRef(ref) : '');
  if (!frame) throw staleRef(ref ?? '');
  let result: { stale?: boolean; json?: string };
  try {
    result = (await guard(state.page, frame.evaluateExpression(expressionFor(source, ref)), state.callTimeout, 'The evaluated function', {
      waiting: {
        message: 'Its result (a promise) never settled.',
        hint: 'Make the function resolve or reject on its own, for example with Promise.race and a timeout, or return without awaiting.',
      },
    })) as typeof result;
  } catch (error) {
    if (error instanceof LegibleError) throw error;
    const message = errorMessage(error).split('\n')[0] ?? '';
    const invalid = syntaxError(source);
    if (invalid) throw new UsageError(`The function is not valid JavaScript: ${clip(invalid, 200)}.`, 'Pass a function expression such as () => document.title or (el) => el.value.');
    throw new LegibleError(
      `The function threw: ${clip(message, 300)}`,
      'Fix the function and call again: an element it looked for may not be there (snapshot shows the page; guard with ?.), and the page\'s own errors are in console.',
    );
  }
  if (result.stale) throw staleRef(ref ?? '');
  return result.json ?? 'undefined';
}
