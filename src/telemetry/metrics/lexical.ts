import { compileGoRegex, type GoRegex } from '../regex.js';

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

/**
 * An RE2 pattern (Go's regexp, as Prometheus uses) matching the whole string, as Prometheus
 * anchors label matchers and label_replace: `^(?:pattern)$`, in linear time (telemetry/regex.ts).
 */
export function compileRegex(pattern: string): GoRegex {
  return compileGoRegex(pattern, { anchored: true });
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
