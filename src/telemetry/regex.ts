import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';

/**
 * re2js is loaded on the first pattern (synchronously: the engines compile as they parse), not
 * with the server: its 260 KB cost 10-30 ms to load, which initialize and tools/list never wait for.
 */
let engine: typeof RE2JSClass | undefined;
function re2(): typeof RE2JSClass {
  engine ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JSClass }).RE2JS;
  return engine;
}

/**
 * The one place user-supplied regular expressions are compiled: LogQL line filters, label
 * matchers and `| regexp`, PromQL matchers and label_replace, TraceQL `=~`, and the apps'
 * readiness log-line pattern. They run on re2js, a JavaScript port of RE2, for two reasons:
 * - time linear in the input, whatever the pattern: a JavaScript RegExp backtracks, and
 *   `(a+)+$` over a line of 34 a's and a '!' held the event loop (every tool call of every
 *   client) for minutes;
 * - the syntax and semantics of Go's regexp, which Prometheus, Loki and Tempo use (`(?i)`,
 *   `(?P<name>…)`, `\Q…\E`, `[[:alpha:]]`, `\pL`, `.` not matching only `\n`, no lookaround or
 *   backreferences), and its error messages ("error parsing regexp: missing closing ): `(`").
 * It is slower than V8's backtracking engine by a constant factor (measured on the LogQL bench's
 * lines: ARCHITECTURE.md, "The log store and LogQL"), which the shortcuts below narrow.
 */

export interface GoRegex {
  /** The pattern as given. */
  readonly source: string;
  /** Whether the text matches: anywhere in it, or the whole of it when compiled `anchored`. */
  test(text: string): boolean;
  /** The first match with its groups by number and by name (`groups`), shaped as RegExp.exec's, or null. */
  exec(text: string): RegExpExecArray | null;
}

export interface GoRegexOptions {
  /** The whole text must match, as `^(?:pattern)$` (label matchers; TraceQL's `=~`). */
  anchored?: boolean;
  /** `.` matches `\n` too (`(?s)`). */
  dotAll?: boolean;
}

/** A pattern RE2 does not accept; the message is RE2's own ("error parsing regexp: …"). */
export class GoRegexError extends Error {}

/** A pattern with no special character is a literal, matched with `includes` (or `===` when anchored). */
const LITERAL = /^[^\\^$.|?*+()[\]{}]*$/;

/** Values remembered per anchored pattern: label values repeat (level, route, job), lines do not. */
const MEMO_SIZE = 4_096;

/**
 * Compiles an RE2 pattern; throws GoRegexError when RE2 refuses it. Three shortcuts, each
 * measured on the LogQL bench's million lines against re2js alone (ARCHITECTURE.md): a literal
 * pattern is `includes` (25 ms against 46 ms); a pattern every match of which starts with a
 * literal (RE2's own prefix, `upstream (slow|timeout)` → "upstream ") skips lines without it
 * and runs RE2 from its first occurrence on (20 ms against 70-110 ms for 300,000 lines); an
 * anchored pattern (label values) remembers its answers for the last few thousand values.
 */
export function compileGoRegex(pattern: string, options: GoRegexOptions = {}): GoRegex {
  const wrapped = options.anchored ? `^(?:${pattern})$` : pattern;
  const RE2JS = re2();
  let compiled: RE2JSClass;
  try {
    compiled = RE2JS.compile(wrapped, options.dotAll ? RE2JS.DOTALL : 0);
  } catch (error) {
    throw new GoRegexError(error instanceof Error ? error.message : String(error));
  }
  const literal = LITERAL.test(pattern) ? pattern : undefined;
  // Every match starts with this (RE2 computes it for its own search); a line without it cannot match.
  const prefix: unknown = options.anchored ? undefined : (compiled as unknown as { re2Input?: { prefix?: unknown } }).re2Input?.prefix;
  const needs = typeof prefix === 'string' && prefix ? prefix : undefined;
  let test: (text: string) => boolean;
  if (literal !== undefined) test = options.anchored ? (text) => text === literal : (text) => text.includes(literal);
  else if (options.anchored) {
    const memo = new Map<string, boolean>();
    test = (text) => {
      let known = memo.get(text);
      if (known === undefined) {
        known = compiled.test(text);
        if (memo.size >= MEMO_SIZE) memo.clear();
        memo.set(text, known);
      }
      return known;
    };
  } else if (needs) {
    // RE2 runs from the first occurrence on: a match starts with the prefix, and no assertion of
    // the pattern looks back past it (the prefix is consumed first).
    test = (text) => {
      const at = text.indexOf(needs);
      return at >= 0 && compiled.test(at ? text.slice(at) : text);
    };
  } else test = (text) => compiled.test(text);
  return {
    source: pattern,
    test,
    exec: needs ? (text) => (text.includes(needs) ? (compiled.exec(text) as RegExpExecArray | null) : null) : (text) => compiled.exec(text) as RegExpExecArray | null,
  };
}

/** Why RE2 refuses a pattern, or undefined when it compiles (for checks that only validate). */
export function goRegexProblem(pattern: string): string | undefined {
  try {
    compileGoRegex(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
