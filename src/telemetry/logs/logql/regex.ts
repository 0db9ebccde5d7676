import { compileGoRegex, type GoRegex } from '../../regex.js';

/**
 * LogQL's regular expressions are Go's RE2, and so are Legible's (telemetry/regex.ts: RE2's
 * syntax, linear time). Label matchers are anchored (the whole value must match), as Loki
 * anchors them; line filters and `| regexp` are not.
 */
export function compileRegex(pattern: string, anchored: boolean): GoRegex {
  return compileGoRegex(pattern, { anchored });
}
