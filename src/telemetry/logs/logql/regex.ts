/**
 * LogQL's regular expressions are Go's RE2; Legible runs them as JavaScript RegExps. The common
 * RE2 spellings are translated: a leading `(?i)` or `(?s)` becomes a flag, `(?P<name>` a named
 * group. Label matchers are anchored (the whole value must match), line filters are not.
 */
export function compileRegex(pattern: string, anchored: boolean): RegExp {
  let flags = '';
  let body = pattern;
  const leading = /^\(\?([is]+)\)/.exec(body);
  if (leading) {
    flags += [...new Set(leading[1])].join('');
    body = body.slice(leading[0].length);
  }
  body = body.replace(/\(\?P</g, '(?<');
  return new RegExp(anchored ? `^(?:${body})$` : body, flags);
}
