import { z } from 'zod';
import { performAction } from '../actions/perform.js';
import { LegibleError } from '../util/errors.js';
import { quote } from '../util/text.js';
import { reportEffects } from './common.js';
import { defineTool } from './tool.js';

export const dialogTool = defineTool({
  name: 'dialog',
  title: 'Answer dialog',
  description:
    "Answer the open alert, confirm, prompt or beforeunload (accept: OK or Cancel); reports what that set off.",
  input: {
    accept: z.boolean(),
    text: z.string().optional(),
  },
  kind: 'action',
  openWorld: true,
  scope: 'page',
  handlesDialogs: true,
  async handle({ params, state, response }) {
    const open = state.page.dialog();
    if (!open) throw new LegibleError('No dialog is open on this page.', 'Dialogs are reported by the action that opened them.');
    const effects = await performAction(state, () => state.page.handleDialog(params.accept, params.text), { what: 'Answering the dialog' });
    reportEffects(response, `${params.accept ? 'Accepted' : 'Dismissed'} the ${open.type} ${quote(open.message)}.`, effects);
  },
});
