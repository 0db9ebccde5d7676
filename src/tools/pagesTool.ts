import { z } from 'zod';
import { navigate, normaliseUrl } from '../actions/navigation.js';
import { UsageError } from '../util/errors.js';
import { quote, showUrl } from '../util/text.js';
import type { ToolContext } from './context.js';
import type { ToolResponse } from './response.js';
import { urlChecks } from './navigateTools.js';
import { defineTool } from './tool.js';

async function list(context: ToolContext, response: ToolResponse): Promise<void> {
  const pages = await context.pages();
  const selected = context.selectedPageId();
  const lines = await Promise.all(
    pages.map(async (state) => {
      const title = await state.page.title().catch(() => '');
      const dialog = state.page.dialog() ? ` [${state.page.dialog()!.type} dialog open]` : '';
      return `${state.page.id === selected ? '*' : ' '} ${state.page.id} ${showUrl(state.page.url())}${title ? ` ${quote(title)}` : ''}${dialog}`;
    }),
  );
  response.text(lines.length ? `Pages (* = selected):\n${lines.join('\n')}` : 'No pages are open.');
}

export const pagesTool = defineTool({
  name: 'pages',
  title: 'Pages (tabs)',
  description:
    "List, open, select or close tabs (id: p2). Other tools act on the selected tab, or the one their page argument names.",
  input: {
    action: z.enum(['list', 'new', 'select', 'close']),
    id: z.string().optional(),
    url: z.string().min(1).optional(),
  },
  kind: 'action',
  openWorld: true,
  scope: 'browser',
  async handle({ params, context, response }) {
    if ((params.action === 'select' || params.action === 'close') && !params.id) {
      throw new UsageError(`pages ${params.action} needs an id.`, 'List the pages with pages {"action":"list"} to see their ids.');
    }
    if (params.action === 'new') {
      // Checked before the tab opens: a refused URL leaves no empty tab behind.
      const url = params.url === undefined ? undefined : normaliseUrl(params.url, urlChecks(context));
      const state = await context.newPage();
      if (url) {
        const { load } = await navigate(state, { url }, context.config.navigationTimeout);
        response.text(`Opened ${state.page.id} at ${showUrl(state.page.url())}${load?.status ? ` (HTTP ${load.status})` : ''}.`);
      } else {
        response.text(`Opened ${state.page.id}.`);
      }
    } else if (params.action === 'select') {
      const state = await context.selectPage(params.id!);
      response.text(`Selected ${state.page.id}.`);
    } else if (params.action === 'close') {
      const state = await context.page(params.id);
      await state.page.close();
      response.text(`Closed ${params.id}.`);
    }
    await list(context, response);
  },
});
