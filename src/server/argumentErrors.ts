import type { z } from 'zod';
import { displayName } from '../tools/family.js';
import type { AnyTool } from '../tools/tool.js';
import { LegibleError } from '../util/errors.js';
import { plural, quoteValue } from '../util/text.js';
import { listedSchema } from './toolSchema.js';

type Issue = z.core.$ZodIssue;

/** The value at an issue's path in the arguments as given. */
function valueAt(args: Record<string, unknown>, path: PropertyKey[]): unknown {
  let value: unknown = args;
  for (const key of path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  return `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = { string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list ([…])', object: 'an object ({…})' };

/** One issue as a person would say it: `"url" must not be empty`, `"timeout" must be at most 60000 (got 999999)`. */
function describeIssue(issue: Issue, args: Record<string, unknown>): string {
  const name = issue.path.length ? JSON.stringify(issue.path.join('.')) : 'The arguments';
  const value = valueAt(args, issue.path);
  const got = ` (got ${quoteValue(value)})`;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.message;
    case 'invalid_type':
      if (value === undefined) return `${name} is missing`;
      return `${name} must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${kindOf(value)}${got}`;
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'string') return minimum <= 1 ? `${name} must not be empty` : `${name} must have at least ${minimum} characters${got}`;
      if (issue.origin === 'array') return minimum <= 1 ? `${name} must list at least one item` : `${name} must list at least ${minimum} items`;
      return `${name} must be at least ${minimum}${got}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'string') return `${name} must have at most ${plural(maximum, 'character')} (got ${String(value).length.toLocaleString('en-US')})`;
      if (issue.origin === 'array') return `${name} must list at most ${plural(maximum, 'item')}`;
      return `${name} must be at most ${maximum}${got}`;
    }
    case 'invalid_value':
      return `${name} must be ${issue.values.map((v) => JSON.stringify(v)).join(', ').replace(/, ([^,]*)$/, ' or $1')}${got}`;
    case 'invalid_format':
    case 'custom':
      return `${name} is not valid: ${issue.message}${got}`;
    default:
      return `${name}: ${issue.message}${value === undefined ? '' : got}`;
  }
}

/** "navigate takes url (string), go ("back" | "forward" | "reload"), page (string)." from the schema tools/list shows. */
export function describeParameters(tool: AnyTool): string {
  const schema = listedSchema(tool) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const properties = Object.entries(schema.properties ?? {});
  if (!properties.length) return `${displayName(tool)} takes no arguments.`;
  const required = new Set(schema.required ?? []);
  const parts = properties.map(([key, property]) => {
    const values = property.enum as unknown[] | undefined;
    const items = property.items as Record<string, unknown> | undefined;
    const type = values ? values.map((v) => JSON.stringify(v)).join(' | ') : property.type === 'array' ? `list of ${String(items?.type ?? 'values')}` : String(property.type ?? 'value');
    return `${key} (${type}${required.has(key) ? ', required' : ''})`;
  });
  return `${displayName(tool)} takes ${parts.join(', ')}.`;
}

/** A readable error for arguments a tool's schema refused: what was wrong (at most three issues) and what the tool takes. */
export function argumentError(tool: AnyTool, args: Record<string, unknown>, error: z.ZodError): LegibleError {
  const issues = error.issues.slice(0, 3).map((issue) => describeIssue(issue, args));
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return new LegibleError(`Invalid arguments for ${displayName(tool)}: ${issues.join('; ')}${more}.`, describeParameters(tool));
}
