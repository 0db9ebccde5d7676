import { z } from 'zod';
import { renderOutline } from '../snapshot/render.js';
import { searchOutline } from '../snapshot/search.js';
import { frameKeyOfRef } from '../snapshot/refs.js';
import { LegibleError } from '../util/errors.js';
import { quote, showUrl } from '../util/text.js';
import { BUDGET } from './common.js';
import { defineTool } from './tool.js';

export const snapshotTool = defineTool({
  name: 'snapshot',
  title: 'Page outline',
  description:
    "The page as an outline, `- role \"name\" [ref=eN]` with states; other tools act on refs. Iframes included, similar runs collapsed. ref: a subtree; search: matches.",
  input: {
    ref: z.string().optional(),
    search: z.string().min(1).optional(),
    offset: z.number().int().min(0).optional().describe('From a "next:" hint.'),
  },
  kind: 'read',
  scope: 'page',
  async handle({ params, state, response }) {
    if (params.ref) frameKeyOfRef(params.ref);
    const outline = await state.outline(params.ref);
    const title = await state.page.title().catch(() => '');
    response.text(`Page: ${showUrl(state.page.url())}${title ? ` ${quote(title)}` : ''}`);
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
