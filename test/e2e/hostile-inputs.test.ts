/**
 * Hostile and oversized arguments for every parameter of every tool, made from the schemas the
 * server lists (tools/list), so a new tool or parameter is covered without touching this file.
 * Whatever goes in, the answer comes, is short, quotes at most a bounded part of what it was
 * given, shows no raw control characters, and a refused argument says what to do next.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useLegible } from '../helpers/e2e.js';
import { inputShape, listedSchema } from '../../src/server/toolSchema.js';
import { FAMILIES } from '../../src/tools/registry.js';

/** For a family (record, journey, app): the action that takes a parameter, from the definitions. */
function actionTaking(family: string, parameter: string): string | undefined {
  const actions = FAMILIES.find((candidate) => candidate.name === family)?.actions ?? {};
  return Object.entries(actions).find(([, tool]) => parameter in inputShape(tool))?.[0];
}

const e2e = useLegible({ outputDir: 'hostile' });

interface Property {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  items?: { type?: string };
}
interface ListedTool {
  name: string;
  inputSchema: { properties?: Record<string, Property>; required?: string[] };
}

const HUGE = 'x'.repeat(100_000);
const UNPRINTABLE = '\u001b[31m\u202Eevil\u0007';

/** A value the schema accepts, for the required arguments around the hostile one. */
function plausible(name: string, property: Property): unknown {
  if (property.enum) return property.enum[0];
  if (property.type === 'array') return ['x'];
  if (property.type === 'boolean') return false;
  if (property.type === 'integer' || property.type === 'number') return property.minimum ?? 0;
  return name === 'ref' ? 'e999999' : 'x';
}

/** Values the schema must refuse, and values it lets through that the tool must then handle. */
function hostile(property: Property): { refused: unknown[]; handled: unknown[] } {
  const refused: unknown[] = [null, { nested: HUGE }];
  if (property.enum) return { refused: [...refused, `bogus${'z'.repeat(300)}`, 7], handled: [] };
  switch (property.type) {
    case 'integer':
    case 'number':
      return { refused: [...refused, 1e308, -1, 1.5, 'soon'], handled: [] };
    case 'boolean':
      return { refused: [...refused, 'yes', 1], handled: [] };
    case 'array':
      return { refused: [...refused, 'not a list'], handled: [[HUGE], [UNPRINTABLE]] };
    default:
      return { refused: [...refused, ['x']], handled: [HUGE, UNPRINTABLE] };
  }
}

/** What every answer must be, whatever it was given. */
function expectBounded(label: string, text: string) {
  expect(text.length, `${label}: the answer is ${text.length} characters`).toBeLessThan(5_000);
  const longestRun = Math.max(0, ...[...text.matchAll(/x+/g)].map((match) => match[0].length));
  expect(longestRun, `${label}: echoes ${longestRun} characters of its input:\n${text.slice(0, 600)}`).toBeLessThanOrEqual(300);
  expect(text, `${label}: raw control or bidi characters`).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
  expect(text, `${label}: a raw schema dump`).not.toMatch(/"code":|invalid_type|too_small|Invalid input:/);
  if (text.includes('Invalid arguments for')) expect(text, `${label}: a schema error without a next step`).toMatch(/\nNext: \S/);
}

let tools: ListedTool[];

beforeAll(async () => {
  tools = (await e2e.legible.client.listTools()).tools as unknown as ListedTool[];
  // Page tools act on a real page.
  await e2e.open('/shop.html');
});

describe('schema-derived hostile arguments', () => {
  it('covers every tool and parameter that tools/list shows', () => {
    expect(tools.length).toBeGreaterThanOrEqual(20);
    expect(tools.flatMap((tool) => Object.keys(tool.inputSchema.properties ?? {})).length).toBeGreaterThanOrEqual(40);
  });

  it('refuses what the schema does not allow, with a readable error and a next step, for every parameter', { timeout: 120_000 }, async () => {
    let calls = 0;
    for (const tool of tools) {
      const properties = tool.inputSchema.properties ?? {};
      const base = Object.fromEntries((tool.inputSchema.required ?? []).map((name) => [name, plausible(name, properties[name]!)]));
      for (const [name, property] of Object.entries(properties)) {
        for (const value of hostile(property).refused) {
          // A family's parameter is tried with the action that takes it.
          const action = name === 'action' ? undefined : actionTaking(tool.name, name);
          const label = `${tool.name}${action ? ` ${action}` : ''} {${name}: ${JSON.stringify(value).slice(0, 40)}}`;
          const member = action ? FAMILIES.find((family) => family.name === tool.name)!.actions[action]! : undefined;
          const needed = member ? Object.fromEntries(((listedSchema(member).required ?? []) as string[]).map((key) => [key, plausible(key, properties[key]!)])) : {};
          const result = await e2e.legible.call(tool.name, { ...base, ...(action ? { action } : {}), ...needed, [name]: value });
          calls++;
          expect(result.isError, `${label}: ${result.text}`).toBe(true);
          const who = action ? `${tool.name} \\(action "${action}"\\)` : tool.name;
          expect(result.text, label).toMatch(new RegExp(`^Error: Invalid arguments for ${who}: "${name}`));
          expectBounded(label, result.text);
        }
      }
    }
    expect(calls).toBeGreaterThan(150);
  });

  it('handles oversized and unprintable strings the schema lets through, for every parameter', { timeout: 300_000 }, async () => {
    let calls = 0;
    for (const tool of tools) {
      const properties = tool.inputSchema.properties ?? {};
      const required = Object.fromEntries((tool.inputSchema.required ?? []).map((name) => [name, plausible(name, properties[name]!)]));
      // Waits are kept short: the point is the answer, not the wait.
      const base = 'timeout' in properties ? { ...required, timeout: 0 } : required;
      for (const [name, property] of Object.entries(properties)) {
        for (const value of hostile(property).handled) {
          const label = `${tool.name} {${name}: ${JSON.stringify(value).slice(0, 40)}}`;
          const result = await e2e.legible.call(tool.name, { ...base, [name]: value });
          calls++;
          expectBounded(label, result.text);
        }
      }
    }
    expect(calls).toBeGreaterThan(50);
    // Still serving, on a working page.
    const snapshot = await e2e.legible.call('snapshot', {});
    expect(snapshot.isError, snapshot.text).toBe(false);
  });
});

describe('inputs that are refused though they look well formed', () => {
  it.each(['00x00', '9999x9999', '99x1000', '3840x3840', '99999x1'])('record_start refuses the size %s, with one reason', async (size) => {
    const result = await e2e.legible.call('record', { action: 'start', size });
    expect(result.isError).toBe(true);
    expect(result.text).toContain(`"size" is not valid: each side is 100-3840 px, and the whole at most 3840x2160 (got "${size}")`);
    expect(result.text).not.toContain('1280x720');
  });

  it('record_start says what form a size takes when it has none', async () => {
    const result = await e2e.legible.call('record', { action: 'start', size: 'big' });
    expect(result.text).toContain('"size" is not valid: it is WxH in pixels, such as 1280x720 (got "big").');
    expect(result.text).not.toContain('each side');
  });

  it.each(['.', '..', '..foo', '.hidden'])('refuses the name %j for a recording label, a journey and a report', async (name) => {
    for (const [tool, args] of [
      ['record', { action: 'start', label: name }],
      ['journey', { action: 'run', journey: 'x', record: name }],
      ['report', { name }],
    ] as const) {
      const result = await e2e.legible.call(tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}: ${result.text}`).toBe(true);
      expect(result.text).toMatch(/starting with a letter or digit/);
    }
    await e2e.call('click', { ref: 'e1' }).catch(() => undefined);
    const save = await e2e.legible.call('journey', { action: 'save', name });
    expect(save.isError).toBe(true);
    expect(save.text).toMatch(/is not a journey name|No actions were recorded/);
  });

  it.each(['a\u001b[31mb', 'a\u202Eb', 'a\u0000b'])('refuses control and bidi characters in names and paths (%j)', async (name) => {
    for (const [tool, args] of [
      ['journey', { action: 'run', journey: `${name}.json` }],
      ['record', { action: 'compare', a: name }],
      ['report', { run: name }],
      ['screenshot', { path: `${name}.png` }],
    ] as const) {
      const result = await e2e.legible.call(tool, args);
      expect(result.isError, `${tool}: ${result.text}`).toBe(true);
      expect(result.text).toContain('must not contain control, bidi-override or escape characters');
      expectBounded(tool, result.text);
    }
  });

  it('types a number given as text (schema errors elsewhere read well: empty url, type without text)', async () => {
    const page = await e2e.openAndSnapshot('/form.html');
    const ref = /textbox "Your name" \[ref=(e\d+)\]/.exec(page)![1]!;
    const typed = await e2e.call('type', { ref, text: 42 });
    expect(typed).toContain('Typed "42" into textbox "Your name"');
    const empty = await e2e.legible.call('navigate', { url: '' });
    expect(empty.text).toBe('Error: Invalid arguments for navigate: "url" must not be empty.\nNext: navigate takes url (string), go ("back" | "forward" | "reload"), page (string).');
    const missing = await e2e.legible.call('type', { ref });
    // type also takes files or fields instead of text, so it says so itself (issue 15).
    expect(missing.text).toBe('Error: type needs text (or files, or fields).\nNext: Call type {"ref":"e3","text":"…"}.');
  });
});
