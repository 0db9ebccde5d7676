import { z } from 'zod';
import { waitInPage } from '../actions/elements.js';
import { performAction } from '../actions/perform.js';
import type { PageState } from '../actions/pageState.js';
import { staleRef } from '../snapshot/outline.js';
import { frameKeyOfRef, resolveRef } from '../snapshot/refs.js';
import { LegibleError, errorMessage, UsageError } from '../util/errors.js';
import { quote } from '../util/text.js';
import { journeyTarget, reportEffects, type StepLocator } from './common.js';
import { defineTool } from './tool.js';

/** Selectors for a ref's element if it is still there (a "gone" wait may have outlived it). */
async function locatorOfRef(state: PageState, ref: string): Promise<StepLocator | undefined> {
  const element = await resolveRef(state.page, ref).catch(() => undefined);
  if (!element) return undefined;
  try {
    return await journeyTarget(state, ref, element);
  } finally {
    await element.dispose();
  }
}

export const waitForTool = defineTool({
  name: 'wait_for',
  title: 'Wait for',
  description:
    "Wait until text or a ref shows (or, with gone, disappears); reports what changed.",
  input: {
    text: z.string().min(1).optional(),
    ref: z.string().optional(),
    gone: z.boolean().optional(),
    timeout: z.number().int().min(0).max(60_000).optional().describe('ms, default 5000.'),
  },
  kind: 'read',
  scope: 'page',
  async handle({ params, state, context, response }) {
    if (!params.text === !params.ref) {
      throw new UsageError('Give exactly one of "text" or "ref".', 'For example wait_for {"text":"Saved"} or wait_for {"ref":"e12","gone":true}.');
    }
    // A ref waits in its own frame (an iframe's refs start with f); text in the main frame.
    const frame = params.ref ? state.page.frame(frameKeyOfRef(params.ref)) : state.page.mainFrame();
    if (!frame && !params.gone) throw staleRef(params.ref!);
    const timeout = params.timeout ?? 5_000;
    const gone = params.gone ?? false;
    const what = params.text ? `text ${quote(params.text)}` : `element ${params.ref}`;
    // Taken before waiting: an element waited on to disappear may be gone afterwards.
    const locator = params.text ? { selectors: [[`text/${params.text}`]] } : await locatorOfRef(state, params.ref!);
    let met = false;
    const effects = await performAction(
      state,
      async () => {
        // A frame that went away (or navigated while waiting) took its elements with it.
        met = frame
          ? await frame.evaluate(waitInPage, { text: params.text, ref: params.ref, gone }, timeout).catch((error: unknown) => {
              if (gone && params.ref && /context was destroyed|detached|Cannot find context/i.test(errorMessage(error))) return true;
              throw error;
            })
          : gone;
      },
      { timeoutMs: timeout + state.callTimeout, what: `Waiting for ${what}` },
    );
    if (!met && !effects.dialog) {
      throw new LegibleError(
        `The ${what} was still ${gone ? 'there' : 'not there'} after ${timeout} ms.`,
        'Take a snapshot to see the page, check the console and network tools for errors, or wait longer.',
      );
    }
    if (locator) context.journey(state).add({ type: 'waitForElement', ...locator, ...(gone ? { operator: '==' as const, count: 0 } : {}), timeout });
    reportEffects(response, effects.dialog ? `Stopped waiting: a dialog opened.` : `The ${what} ${gone ? 'is gone' : 'is there'}.`, effects);
  },
});
