import { z } from 'zod';
import { renderOutline } from '../snapshot/render.js';
import { searchOutline } from '../snapshot/search.js';
import { frameKeyOfRef } from '../snapshot/refs.js';
import { LegibleError } from '../util/errors.js';
import { quote } from '../util/text.js';
import { BUDGET } from './common.js';
import { defineTool } from './tool.js';

export const snapshotTool = defineTool({
  name: 'snapshot',
  title: 'Page outline',
  description:
    'The page as a compact accessibility outline: one line per meaningful element, `- role "name" [ref=eN]` plus states and values, indented by nesting; iframes included. Use the refs with click, type and the other tools. Output is bounded: long runs of similar items are collapsed with a count. To see more, scope to an element with ref (lists all its children, page by page with offset), or search for text to get the matching elements and their refs.',
  input: {
    ref: z.string().optional().describe('Only this element and its descendants, uncollapsed.'),
    search: z.string().min(1).optional().describe('Find elements whose line contains this text (case-insensitive); shows each with its ancestors and children.'),
    offset: z.number().int().min(0).optional().describe('First line to show, from a previous "next:" hint.'),
  },
  kind: 'read',
  scope: 'page',
  async handle({ params, state, response }) {
    if (params.ref) frameKeyOfRef(params.ref);
    const outline = await state.outline(params.ref);
    const title = await state.page.title().catch(() => '');
    response.text(`Page: ${state.page.url()}${title ? ` ${quote(title)}` : ''}`);
    if (params.search) {
      const result = searchOutline(outline.lines, params.search, BUDGET.search);
      if (!result.matches) {
        throw new LegibleError(
          `Nothing on the page${params.ref ? ` inside ${params.ref}` : ''} matches ${quote(params.search)}.`,
          'Try a shorter or different text, or take a snapshot without search to see the page.',
        );
      }
      response.text(`${result.matches} ${result.matches === 1 ? 'match' : 'matches'} for ${quote(params.search)}:`);
      response.text(result.text);
      return;
    }
    if (!outline.lines.length) {
      response.text('The page shows nothing (it is empty, or everything on it is hidden).');
      return;
    }
    const rendered = renderOutline(outline.lines, {
      budget: BUDGET.snapshot,
      offset: params.offset,
      collapse: !params.ref,
      scopeRef: params.ref,
    });
    response.text(rendered.text);
  },
});
