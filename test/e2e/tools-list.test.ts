import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listingKey, makeToolList, TOOL_LIST_FILE } from '../../src/server/toolListing.js';
import { SERVER_ENTRY, startLegible, type LegibleClient } from '../helpers/mcpClient.js';

const CORE_TOOLS = [
  'navigate',
  'snapshot',
  'click',
  'type',
  'select_option',
  'wait_for',
  'screenshot',
  'console',
  'network',
  'evaluate',
  'pages',
  'dialog',
];

type ListedTool = Awaited<ReturnType<LegibleClient['client']['listTools']>>['tools'][number];

describe('tools/list', () => {
  let legible: LegibleClient;
  let tools: ListedTool[];

  beforeAll(async () => {
    legible = await startLegible();
    tools = (await legible.client.listTools()).tools;
  });
  afterAll(async () => {
    await legible?.close();
  });

  it('offers the 12 browser tools, in registry order, and the families record, journey and app', () => {
    const names = tools.map((tool) => tool.name);
    for (const name of CORE_TOOLS) expect(names).toContain(name);
    expect(names.filter((name) => CORE_TOOLS.includes(name))).toEqual(CORE_TOOLS);
    expect(new Set(names).size).toBe(names.length);
    for (const family of ['record', 'journey', 'app']) expect(names).toContain(family);
    // Their actions are not tools of their own in tools/list.
    for (const action of ['record_start', 'journey_run', 'app_start', 'press_key', 'hover']) expect(names).not.toContain(action);
  });

  // Titles are left out on purpose (optional in MCP; every agent pays for tools/list on every
  // turn). A read-only tool says only readOnlyHint; others say destructiveHint, and openWorldHint
  // when false (its default is true).
  it('gives every tool a real description and annotations', () => {
    for (const tool of tools) {
      expect(tool.description, tool.name).toMatch(/\w+ \w+/);
      expect(tool.description!.length, tool.name).toBeGreaterThan(20);
      expect(tool.annotations, tool.name).toBeDefined();
      if (tool.annotations!.readOnlyHint) {
        expect(tool.annotations, tool.name).toEqual({ readOnlyHint: true });
        continue;
      }
      expect(typeof tool.annotations!.destructiveHint, tool.name).toBe('boolean');
      expect([undefined, false], tool.name).toContain(tool.annotations!.openWorldHint);
    }
  });

  it('marks reads as read-only, evaluate as destructive and navigate as open-world', () => {
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of ['snapshot', 'console', 'screenshot', 'wait_for']) {
      expect(byName.get(name)!.annotations!.readOnlyHint, name).toBe(true);
    }
    // network sets mocks, emulate and storage change the page's world: not read-only.
    for (const name of ['click', 'type', 'navigate', 'dialog', 'network', 'emulate', 'storage']) {
      expect(byName.get(name)!.annotations!.readOnlyHint ?? false, name).toBe(false);
    }
    expect(byName.get('evaluate')!.annotations!.destructiveHint).toBe(true);
    expect(byName.get('click')!.annotations!.destructiveHint).toBe(false);
    // Acting on a page is open-world (the page may call any server): the default, left out.
    expect(byName.get('navigate')!.annotations!.openWorldHint).toBeUndefined();
    expect(byName.get('click')!.annotations!.openWorldHint).toBeUndefined();
    // Local work says so.
    for (const name of ['app', 'record', 'report', 'network']) expect(byName.get(name)!.annotations!.openWorldHint, name).toBe(false);
    for (const name of ['logs', 'traces', 'metrics', 'snapshot']) expect(byName.get(name)!.annotations, name).toEqual({ readOnlyHint: true });
  });

  it('publishes input schemas; page tools take a page argument', () => {
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of CORE_TOOLS) {
      const schema = byName.get(name)!.inputSchema as { type: string; properties?: Record<string, unknown>; required?: string[] };
      expect(schema.type, name).toBe('object');
      if (name !== 'pages') expect(Object.keys(schema.properties ?? {}), name).toContain('page');
    }
    expect(Object.keys((byName.get('pages')!.inputSchema as { properties: object }).properties)).not.toContain('page');
    const click = byName.get('click')!.inputSchema as { required?: string[] };
    expect(click.required).toContain('ref');
    const pages = byName.get('pages')!.inputSchema as { properties: Record<string, { enum?: string[] }> };
    expect(pages.properties.action!.enum).toEqual(['list', 'new', 'select', 'close']);
  });

  /**
   * tools/list is paid for on every turn of every agent. Issue 15 holds it to half of Playwright
   * MCP's (20,286 characters of tools/list JSON with its default options → 10,143), with every
   * tool: the browser's, the apps', logs, traces and metrics (families: tools/family.ts).
   */
  it('stays within its size budget', () => {
    const size = JSON.stringify(tools).length;
    const perTool = tools.map((tool) => `${tool.name} ${JSON.stringify(tool).length}`).join(', ');
    expect(size, `tools/list is ${size} characters, over the budget: compact the descriptions and schemas (issue 15). Per tool: ${perTool}`).toBeLessThanOrEqual(10_143);
  });

  // The server reads tools/list from the file the build wrote next to it (it starts without
  // loading the tools): it must be exactly what the definitions give.
  it('is what the tool definitions give', async () => {
    expect(tools).toEqual(await makeToolList({ evaluate: true }));
  });

  it('rejects an unknown argument with a message naming the known ones', async () => {
    const result = await legible.call('snapshot', { bogus: 1 });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('unknown argument "bogus"');
    expect(result.text).toMatch(/\nNext: snapshot takes ref \(string\), search \(string\), offset \(integer\), page \(string\)\.$/);

    const click = await legible.call('click', { ref: 'e1', force: true });
    expect(click.isError).toBe(true);
    expect(click.text).toContain('unknown argument "force"');
    expect(click.text).toMatch(/click takes ref \(string, required\), hover \(boolean\), double \(boolean\), button \("left" \| "right" \| "middle"\), to \(string\), page \(string\)/);
  });

  it('runs an action of a family, and says what a family takes when the action is missing or wrong or its arguments are another action\'s', async () => {
    const missing = await legible.call('app', {});
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/^Error: Invalid arguments for app: "action" is missing\.\nNext: app \(action "start"\) takes name \(string\)\. app \(action "stop"\) takes name/);
    const wrong = await legible.call('record', { action: 'pause' });
    expect(wrong.text).toContain('Error: Invalid arguments for record: "action" must be "start", "stop" or "compare" (got "pause").');
    const foreign = await legible.call('record', { action: 'stop', label: 'x' });
    expect(foreign.text).toMatch(/^Error: Invalid arguments for record \(action "stop"\): unknown argument "label"\.\nNext: record \(action "stop"\) takes page \(string\)\./);
    const stop = await legible.call('record', { action: 'stop' });
    expect(stop.text).toMatch(/^Error: Nothing is recording on page p1\.\nNext: Start a recording with record \{"action":"start"\} first\./);
  });
});

describe('tools/list with --no-evaluate', () => {
  let legible: LegibleClient;

  beforeAll(async () => {
    legible = await startLegible(['--no-evaluate']);
  });
  afterAll(async () => {
    await legible?.close();
  });

  it('leaves out evaluate and keeps the other tools, as the tool definitions give', async () => {
    const tools = (await legible.client.listTools()).tools;
    expect(tools).toEqual(await makeToolList({ evaluate: false }));
    const names = tools.map((tool) => tool.name);
    expect(names).not.toContain('evaluate');
    for (const name of CORE_TOOLS.filter((n) => n !== 'evaluate')) expect(names).toContain(name);
  });

  it('does not run evaluate when called anyway', async () => {
    const result = await legible.call('evaluate', { function: '() => 1 + 1' });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('Tool evaluate not found');
  });
});

describe('tools/list from the build', () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is read from the file next to the bundle, not made at start-up', async () => {
    // The bundle in another folder (its chunks linked), with a marked copy of the file.
    dir = mkdtempSync(join(tmpdir(), 'legible-tool-list-'));
    const dist = dirname(SERVER_ENTRY);
    copyFileSync(SERVER_ENTRY, join(dir, 'legible.mjs'));
    symlinkSync(join(dist, 'chunks'), join(dir, 'chunks'));
    const lists = JSON.parse(readFileSync(join(dist, TOOL_LIST_FILE), 'utf8')) as Record<string, { name: string; description: string }[]>;
    lists[listingKey({ evaluate: true })]![0]!.description = 'Marked by the test.';
    writeFileSync(join(dir, TOOL_LIST_FILE), JSON.stringify(lists));
    const legible = await startLegible([], {}, undefined, join(dir, 'legible.mjs'));
    try {
      expect((await legible.client.listTools()).tools[0]!.description).toBe('Marked by the test.');
    } finally {
      await legible.close();
    }
  });
});
