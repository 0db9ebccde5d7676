import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ToolResponse } from '../tools/response.js';
import { displayName } from '../tools/family.js';
import type { AnyTool } from '../tools/tool.js';
import { dialogTool } from '../tools/dialogTool.js';
import { fileSystemHint } from '../util/disk.js';
import { BROWSER_GONE, CancelledError, LegibleError } from '../util/errors.js';
import { article, clip, quote } from '../util/text.js';
import { abortable, withTimeout } from '../util/time.js';
import { afterToolCall } from './idleGc.js';
import type { ServerContext } from './serverContext.js';

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Gives a failure that is not a LegibleError a next step: the browser died while the call was
 * talking to it (the next call recovers), or the file system refused a write (full, read-only).
 */
function explainFailure(error: unknown): unknown {
  if (error instanceof LegibleError) return error;
  const text = error instanceof Error ? error.message : String(error);
  if (BROWSER_GONE.test(text)) {
    return new LegibleError(
      `The browser or the tab went away during the call (${clip(text.split('\n')[0] ?? '', 200)}).`,
      'Call again: Legible launches a new browser if it crashed; take a snapshot to see where things stand.',
      { kind: 'environment' },
    );
  }
  const hint = fileSystemHint(error);
  return hint ? new LegibleError(`A file operation failed: ${clip(text, 300)}.`, hint, { kind: 'environment' }) : error;
}

/** No tool call may take longer than this, whatever goes wrong below. */
const HARD_LIMIT_MS = 120_000;

/**
 * Runs one tool call: finds its page, serialises calls on that page, refuses politely while a
 * dialog is open (unless the tool answers dialogs), and turns every failure into an isError
 * result that says what to do next. Never throws.
 *
 * `signal` is the request's (the client cancelled it): the call stops waiting at once and lets go
 * of its tab. The same signal aborts when the hard limit is reached, so nothing keeps running.
 */
export async function runTool(tool: AnyTool, args: Record<string, unknown>, context: ServerContext, cancel?: AbortSignal): Promise<CallToolResult> {
  const response = new ToolResponse();
  const { page: pageId, ...params } = args as { page?: string } & Record<string, unknown>;
  const stop = new AbortController();
  const onCancel = () => stop.abort(new CancelledError());
  if (cancel?.aborted) onCancel();
  cancel?.addEventListener('abort', onCancel, { once: true });
  const signal = stop.signal;
  try {
    await withTimeout(
      abortable(
        (async () => {
          if (tool.scope === 'browser') {
            await tool.handle({ params, context, response, state: undefined as never, signal });
            return;
          }
          const state = await context.page(pageId);
          await state.mutex.run(async () => {
            // Cancelled while waiting for the tab: do not start.
            if (signal.aborted) throw new CancelledError();
            state.page.assertUsable({ allowCrashed: tool.revivesCrashedPage });
            const dialog = state.page.dialog();
            if (dialog && !tool.handlesDialogs) {
              throw new LegibleError(
                `${capitalise(article(dialog.type))} dialog is open on ${state.page.id} (${quote(dialog.message)}) and blocks the page.`,
                `Answer it first with ${dialogTool.name} {"accept":true} or {"accept":false}.`,
              );
            }
            await context.session.toFront(state.page);
            // Long waits on the tab (actions, settling, journeys) stop when the call is cancelled.
            const outer = state.signal;
            state.signal = signal;
            try {
              await tool.handle({ params, context, response, state, signal });
            } finally {
              state.signal = outer;
            }
          });
        })(),
        signal,
      ),
      tool.timeoutMs ?? HARD_LIMIT_MS,
      `The ${displayName(tool)} call`,
      { hint: 'The browser may be stuck; try again, or reload the page with navigate {"go":"reload"}.', onTimeout: () => stop.abort(new Error('the time limit of the call was reached')) },
    );
  } catch (error) {
    // The tab may have lost the front without Legible seeing it (an action then finds it not
    // rendering): the next call brings it back rather than trusting what it last knew.
    context.session.frontUnknown();
    response.error(explainFailure(error));
  }
  cancel?.removeEventListener('abort', onCancel);
  await context.drainPending();
  for (const notice of context.session.takeNotices()) response.notice(notice);
  for (const notice of context.appNotices()) response.notice(notice);
  afterToolCall();
  return response.build();
}
