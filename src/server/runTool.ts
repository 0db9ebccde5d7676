import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ToolResponse } from '../tools/response.js';
import type { AnyTool } from '../tools/tool.js';
import { formatExitNotice } from '../format/appsFormat.js';
import { appRestartTool } from '../tools/appTools.js';
import { dialogTool } from '../tools/dialogTool.js';
import { logsTool } from '../tools/logsTool.js';
import { fileSystemHint } from '../util/disk.js';
import { LegibleError } from '../util/errors.js';
import { article } from '../util/text.js';
import { withTimeout } from '../util/time.js';
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
  if (/Target closed|Session closed|Connection closed|Browser has disconnected|Navigating frame was detached/i.test(text)) {
    return new LegibleError(
      `The browser or the tab went away during the call (${text.split('\n')[0]}).`,
      'Call again: Legible launches a new browser if it crashed; take a snapshot to see where things stand.',
    );
  }
  const hint = fileSystemHint(error);
  return hint ? new LegibleError(`A file operation failed: ${text}.`, hint) : error;
}

/** No tool call may take longer than this, whatever goes wrong below. */
const HARD_LIMIT_MS = 120_000;

/**
 * Runs one tool call: finds its page, serialises calls on that page, refuses politely while a
 * dialog is open (unless the tool answers dialogs), and turns every failure into an isError
 * result that says what to do next. Never throws.
 */
export async function runTool(tool: AnyTool, args: Record<string, unknown>, context: ServerContext): Promise<CallToolResult> {
  const response = new ToolResponse();
  const { page: pageId, ...params } = args as { page?: string } & Record<string, unknown>;
  try {
    await withTimeout(
      (async () => {
        if (tool.scope === 'browser') {
          await tool.handle({ params, context, response, state: undefined as never });
          return;
        }
        const state = await context.page(pageId);
        await state.mutex.run(async () => {
          state.page.assertUsable({ allowCrashed: tool.revivesCrashedPage });
          const dialog = state.page.dialog();
          if (dialog && !tool.handlesDialogs) {
            throw new LegibleError(
              `${capitalise(article(dialog.type))} dialog is open on ${state.page.id} (${JSON.stringify(dialog.message)}) and blocks the page.`,
              `Answer it first with ${dialogTool.name} {"accept":true} or {"accept":false}.`,
            );
          }
          await context.session.toFront(state.page);
          await tool.handle({ params, context, response, state });
        });
      })(),
      tool.timeoutMs ?? HARD_LIMIT_MS,
      `The ${tool.name} call`,
      { hint: 'The browser may be stuck; try again, or reload the page with navigate {"go":"reload"}.' },
    );
  } catch (error) {
    response.error(explainFailure(error));
  }
  await context.drainPending();
  for (const notice of context.session.takeNotices()) response.notice(notice);
  const apps = context.apps();
  for (const notice of apps.takeNotices()) response.notice(notice);
  for (const exit of apps.takeExits()) response.notice(formatExitNotice(exit, appRestartTool.name, logsTool.name));
  afterToolCall();
  return response.build();
}
