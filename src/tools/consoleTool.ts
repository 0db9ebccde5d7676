import { z } from 'zod';
import type { ConsoleEntry, ConsoleLevel } from '../capture/consoleLog.js';
import { formatConsoleEntry } from '../format/consoleFormat.js';
import { plural } from '../util/text.js';
import { defineTool } from './tool.js';

const SEVERITY: Record<ConsoleLevel, number> = { error: 4, warning: 3, info: 2, log: 1, debug: 0 };
const MAX_ENTRIES = 60;

export const consoleTool = defineTool({
  name: 'console',
  title: 'Console',
  description:
    "Console messages and uncaught errors, with stacks; repeats folded; new since the last call unless all.",
  input: {
    level: z.enum(['error', 'warning', 'info', 'log', 'debug']).optional().describe('And worse.'),
    text: z.string().min(1).optional(),
    all: z.boolean().optional(),
  },
  kind: 'read',
  scope: 'page',
  handlesDialogs: true,
  async handle({ params, state, response }) {
    const log = state.console;
    let entries: ConsoleEntry[] = params.all ? log.all() : log.readNew();
    const total = entries.length;
    if (params.level) entries = entries.filter((entry) => SEVERITY[entry.level] >= SEVERITY[params.level!]);
    if (params.text) {
      const needle = params.text.toLowerCase();
      entries = entries.filter((entry) => entry.text.toLowerCase().includes(needle));
    }
    const scope = params.all ? 'since the page opened' : 'new since the last console call';
    if (!entries.length) {
      response.text(`No console messages ${scope}${total ? ` match the filter (${plural(total, 'message')} without it)` : ''}.`);
    } else {
      const shown = entries.slice(-MAX_ENTRIES);
      const base = state.page.url();
      const lines = shown.map((entry) => formatConsoleEntry(entry, { base, stack: entry.level === 'error' }));
      const omitted = entries.length - shown.length;
      response.text(`${plural(entries.length, 'console message')} ${scope}${omitted ? ` (oldest ${omitted} not shown; filter by level or text)` : ''}:`);
      response.text(lines.join('\n'));
    }
    if (log.droppedCount()) response.text(`(${plural(log.droppedCount(), 'older message was', 'older messages were')} dropped from the bounded buffer.)`);
  },
});
