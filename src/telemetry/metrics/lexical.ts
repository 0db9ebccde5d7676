/**
 * The small lexical pieces of PromQL that follow Go rather than JavaScript: string literals
 * (Go's quoting rules), number literals (Go's strconv: hex, octal, Inf, NaN) and regular
 * expressions (RE2 syntax, fully anchored, as Prometheus compiles them), plus label_replace's
 * `$1` / `${name}` expansion (Go's Regexp.Expand).
 */

/** The value of a PromQL string literal: "…" and '…' with Go's escapes, `…` raw. Throws on a bad escape. */
export function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    switch (next) {
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"':
      case "'":
        if (next !== quote) throw new Error(`unknown escape sequence \\${next}`);
        out += next;
        break;
      case 'x':
      case 'u':
      case 'U': {
        const width = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + width);
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new Error(`invalid escape sequence \\${next}${hex}`);
        const code = parseInt(hex, 16);
        if (next === 'x') out += String.fromCharCode(code);
        else out += String.fromCodePoint(code);
        i += width;
        break;
      }
      default: {
        const octal = body.slice(i, i + 3);
        if (/^[0-7]{3}$/.test(octal) && parseInt(octal, 8) < 256) {
          out += String.fromCharCode(parseInt(octal, 8));
          i += 2;
          break;
        }
        throw new Error(`unknown escape sequence \\${next ?? ''}`);
      }
    }
  }
  return out;
}

/** A PromQL number literal as Prometheus' lexer reads it (strconv.ParseInt base 0, then ParseFloat). */
export function parseNumber(text: string): number {
  // The grammar takes a sign (and the blanks after it) into the number: "- 1".
  const signed = /^([+-])\s*(.*)$/s.exec(text);
  if (signed) return signed[1] === '-' ? -parseNumber(signed[2]!) : parseNumber(signed[2]!);
  const lower = text.toLowerCase();
  if (/^0x[0-9a-f]+$/.test(lower)) return parseInt(lower.slice(2), 16);
  if (/^0[0-7]+$/.test(lower)) return parseInt(lower.slice(1), 8);
  if (lower === 'inf' || lower === 'infinity') return Infinity;
  if (lower === 'nan') return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`bad number or duration syntax: "${text}"`);
  return value;
}

/** POSIX classes RE2 knows inside brackets, as JavaScript ranges. */
const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/**
 * An RE2 pattern (Go's regexp, as Prometheus uses) as a JavaScript RegExp matching the whole
 * string. Translated: leading flag groups `(?i)`, `(?s)`, `(?m)`; `(?P<name>…)`; `\A`, `\z`;
 * `\Q…\E`; POSIX classes `[[:alpha:]]`; `\pL`. Throws with RE2's own words for what JavaScript
 * cannot express (other inline flags such as `(?U)` or flags in the middle).
 */
export function compileRegex(pattern: string, anchored = true): RegExp {
  let flags = '';
  let source = pattern;
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    if (lead[1]!.includes('U')) throw new Error('the (?U) flag (ungreedy) is not supported');
    flags = [...new Set(lead[1]!)].join('');
    source = source.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  let unicode = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      const next = source[i + 1];
      if (next === 'Q') {
        const end = source.indexOf('\\E', i + 2);
        const literal = end < 0 ? source.slice(i + 2) : source.slice(i + 2, end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? source.length : end + 1;
        continue;
      }
      if (next === 'A' && !inClass) { out += '^'; i++; continue; }
      if (next === 'z' && !inClass) { out += '$'; i++; continue; }
      if ((next === 'p' || next === 'P') && source[i + 2] !== '{') {
        unicode = true;
        out += `\\${next}{${source[i + 2] ?? ''}}`;
        i += 2;
        continue;
      }
      if (next === 'p' || next === 'P') unicode = true;
      out += ch + (next ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (ch === '[' && source[i + 1] === ':') {
        const end = source.indexOf(':]', i + 2);
        const name = end < 0 ? '' : source.slice(i + 2, end);
        const negated = name.startsWith('^');
        const range = POSIX[negated ? name.slice(1) : name];
        if (range && !negated) {
          out += range;
          i = end + 1;
          continue;
        }
        if (range) throw new Error(`negated POSIX class [:${name}:] is not supported`);
      }
      if (ch === ']') inClass = false;
      out += ch === '[' ? '\\[' : ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      if (source[i + 1] === '^') { out += '^'; i++; }
      // A ']' first in a class is a literal in RE2.
      if (source[i + 1] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (ch === '(' && source[i + 1] === '?') {
      if (source[i + 2] === 'P' && source[i + 3] === '<') {
        out += '(?<';
        i += 3;
        continue;
      }
      if (/^\(\?[imsU-]+[):]/.test(source.slice(i))) throw new Error('flags in the middle of a pattern are not supported; put (?i) at the very start');
    }
    out += ch;
  }
  if (unicode) flags += 'u';
  return new RegExp(anchored ? `^(?:${out})$` : out, flags);
}

/** Go's Regexp.ExpandString: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to "". */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch !== '$') {
      out += ch;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    if (template[i + 1] === '{') {
      const end = template.indexOf('}', i + 2);
      const inner = end < 0 ? '' : template.slice(i + 2, end);
      if (end >= 0 && /^\w+$/.test(inner)) {
        name = inner;
        i = end;
      }
    } else {
      const word = /^\w+/.exec(template.slice(i + 1));
      if (word) {
        name = word[0];
        i += word[0].length;
      }
    }
    if (name === undefined) {
      // Go copies a malformed $ reference as is.
      out += ch;
      continue;
    }
    if (/^\d+$/.test(name)) out += match[Number(name)] ?? '';
    else out += match.groups?.[name] ?? '';
  }
  return out;
}
