import { z } from 'zod';
import { navigate, normaliseUrl, type UrlChecks } from '../actions/navigation.js';
import { UsageError } from '../util/errors.js';
import { quote, showUrl } from '../util/text.js';
import { reportEffects } from './common.js';
import type { ToolContext } from './context.js';
import { evaluateTool } from './evaluateTool.js';
import { callText } from './family.js';
import { defineTool } from './tool.js';

/** How the tools check a URL they are given (normaliseUrl): as this server's mode allows, naming the evaluate tool only where it is offered. */
export function urlChecks(context: ToolContext): UrlChecks {
  return context.config.evaluate ? { evaluate: true, evaluateCall: callText(evaluateTool, { function: '…' }) } : { evaluate: false };
}

export const navigateTool = defineTool({
  name: 'navigate',
  title: 'Navigate',
  description:
    "Open a URL, or go back/forward/reload; waits for the load. Returns title, URL, status, console errors, failed requests.",
  input: {
    url: z.string().min(1).optional(),
    go: z.enum(['back', 'forward', 'reload']).optional(),
  },
  kind: 'action',
  openWorld: true,
  scope: 'page',
  handlesDialogs: true,
  revivesCrashedPage: true,
  async handle({ params, state, context, response }) {
    if (!params.url === !params.go) {
      throw new UsageError('Give exactly one of "url" or "go".', 'For example navigate {"url":"http://localhost:3000/"} or navigate {"go":"back"}.');
    }
    if (state.page.dialog()) {
      // Leaving the page answers its dialog: dismiss it so the navigation can go ahead.
      await state.page.handleDialog(false).catch(() => undefined);
    }
    const target = params.url ? { url: normaliseUrl(params.url, urlChecks(context)) } : { go: params.go! };
    // A hung renderer (chrome://hang) takes no navigation, not even a reload: start a new one, as after a crash.
    const hung = await state.page.isHung();
    if (hung) await state.page.crashRenderer();
    const { effects, load } = await navigate(state, target, context.config.navigationTimeout);
    // History moves are replayed as a navigation to where they led (Recorder has no back step).
    context.journey(state).add({ type: 'navigate', url: effects.urlAfter || state.page.url() });
    const status = load?.status ? ` (HTTP ${load.status})` : '';
    const title = effects.titleAfter ? ` ${quote(effects.titleAfter)}` : '';
    // The headline already gives the document's status; the report lists the rest of the load.
    const network = effects.network.filter((entry) => !(entry.resourceType === 'Document' && entry.url === effects.urlAfter && !entry.failure));
    reportEffects(response, `Loaded ${showUrl(effects.urlAfter)}${title}${status}.`, {
      ...effects,
      network,
      urlBefore: effects.urlAfter,
      titleBefore: effects.titleAfter,
      navigated: false,
    });
    if (hung) response.text(`Note: the tab's renderer was hung (it answered nothing, even with its script stopped); Legible restarted it before loading.`);
    if (load?.status && load.status >= 400) {
      response.text(`Note: the server answered ${load.status}; the page shows its error page.`);
    }
  },
});
