import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { isFailed, type NetworkEntry, type NetworkLog } from '../capture/networkLog.js';
import { redactRequest } from '../capture/redactEntries.js';
import { formatBytes, formatRequest } from '../format/networkFormat.js';
import { UsageError } from '../util/errors.js';
import { REDACTED, redactBody } from '../util/redact.js';
import { clip, plural, quoteValue, showUrl, truncate } from '../util/text.js';
import { addMock, mockSpecSchema, mocksOf, SCRIPTLESS_MOCKS, type MockSpec } from '../actions/mocks.js';
import type { PageState } from '../actions/pageState.js';
import { MOCK_STEP, UNMOCK_STEP } from '../journey/legibleSteps.js';
import type { ToolContext } from './context.js';
import type { ToolResponse } from './response.js';
import { defineTool } from './tool.js';

const MAX_LIST = 80;
const BODY_PREVIEW = 2_000;

function formatHeaders(headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([name, value]) => `  ${name}: ${truncate(value, 300)}`);
  return lines.length ? lines.join('\n') : '  (none)';
}

function isText(mimeType: string | undefined): boolean {
  return !mimeType || /^text\/|json|xml|javascript|ecmascript|x-www-form-urlencoded|svg/.test(mimeType);
}

/**
 * One request in full. Credentials (secret-looking headers, query values, body fields) are
 * redacted through util/redact unless `reveal` (showSecrets) asks for this answer; a saved body
 * is a file, so it is always redacted.
 */
async function showDetails(entry: NetworkEntry, log: NetworkLog, options: { reveal: boolean; save: boolean }, context: ToolContext, response: ToolResponse) {
  await log.completeHeaders(entry);
  const requestBody = await log.requestBody(entry);
  const raw = requestBody !== undefined ? { ...entry, postData: requestBody } : entry;
  const shown = options.reveal ? raw : redactRequest(raw);
  response.text(formatRequest(shown));
  response.text(`URL: ${showUrl(shown.url, 2_000)}`);
  response.text(`Request headers:\n${formatHeaders(shown.requestHeaders)}`);
  if (shown.postData !== undefined) response.text(`Request body (${formatBytes(Buffer.byteLength(requestBody ?? ''))}):\n${truncate(shown.postData, BODY_PREVIEW)}`);
  response.text(`Response headers:\n${formatHeaders(shown.responseHeaders)}`);
  const redactedNote = () => {
    if (!options.reveal) response.text(`Credentials are shown as ${REDACTED}: pass showSecrets to see them.`);
  };
  if (!entry.endedAt) {
    response.text('Response body: not available yet (the request is still loading).');
    redactedNote();
    return;
  }
  const body = await log.responseBody(entry);
  if (!body) {
    response.text('Response body: not available (none, a redirect, or the browser no longer keeps it).');
    redactedNote();
    return;
  }
  const text = isText(entry.mimeType) ? body.body.toString('utf8') : undefined;
  if (text !== undefined) {
    response.text(`Response body (${formatBytes(body.body.length)}, ${entry.mimeType ?? 'unknown type'}):\n${truncate(options.reveal ? text : redactBody(text, entry.mimeType), BODY_PREVIEW)}`);
  } else {
    response.text(`Response body: ${formatBytes(body.body.length)} of ${entry.mimeType} (binary; save it to a file with saveBody).`);
  }
  redactedNote();
  if (options.save) {
    const extension = entry.mimeType?.includes('json') ? 'json' : entry.mimeType?.includes('html') ? 'html' : isText(entry.mimeType) ? 'txt' : 'bin';
    const file = await context.outputPath(`body-${entry.id}`, extension);
    await writeFile(file, text !== undefined ? redactBody(text, entry.mimeType) : body.body);
    response.text(`Saved the whole body to ${file}${text !== undefined ? ` (credentials ${REDACTED}: files get shared)` : ''}`);
    response.fileLink(file, entry.mimeType ?? 'application/octet-stream');
  }
}

const MOCK_HINT = 'Mock like {"url":"**/api/cart","status":500} or {"url":"/\\/api\\//","fail":"timeout"}; url is a glob or a /regex/.';

/** Adds or removes mocks (journaled as Legible custom steps, so a replay forces the same answers) and lists them. */
async function changeMocks(params: { mock?: MockSpec; unmock?: string }, state: PageState, context: ToolContext, response: ToolResponse): Promise<void> {
  const journey = context.journey(state);
  if (params.mock) {
    if (params.mock.fail && (params.mock.status !== undefined || params.mock.body !== undefined)) throw new UsageError('A mock either fails the request or answers it, not both.', MOCK_HINT);
    const id = await addMock(state.page, params.mock, { scriptless: !context.config.evaluate });
    journey.add({ type: 'customStep', name: MOCK_STEP, parameters: params.mock });
    response.text(`Mock ${id} set: requests it decides show "mock ${id}" in reports and in this list.`);
    if (!context.config.evaluate && !params.mock.fail && (params.mock.status !== undefined || params.mock.body !== undefined || params.mock.headers !== undefined)) response.text(SCRIPTLESS_MOCKS);
  }
  if (params.unmock) {
    const mocks = mocksOf(state.page);
    const ids = params.unmock === 'all' ? mocks.map((rule) => rule.id) : [params.unmock];
    const known = mocks.filter((rule) => ids.includes(rule.id));
    if (!known.length && params.unmock !== 'all') {
      throw new UsageError(`There is no mock ${quoteValue(params.unmock)} on this page.`, `Mocks here: ${mocks.map((rule) => rule.id).join(', ') || 'none'}; or unmock "all".`);
    }
    await state.page.interceptor.remove(known.map((rule) => rule.id));
    for (const rule of known) journey.add({ type: 'customStep', name: UNMOCK_STEP, parameters: { url: rule.key } });
    response.text(known.length ? `Removed ${known.map((rule) => rule.id).join(', ')}.` : 'No mocks to remove.');
  }
  listMocks(state, response);
}

function listMocks(state: PageState, response: ToolResponse): void {
  const mocks = mocksOf(state.page);
  if (mocks.length) response.text(`Mocks (newest first; the first that matches decides):\n${mocks.map((rule) => `  ${truncate(rule.label, 200)}`).join('\n')}`);
}

export const networkTool = defineTool({
  name: 'network',
  title: 'Network',
  description:
    "Requests, new since the last call unless all (failed: ✗). id (r12): headers, bodies, redacted unless showSecrets. mock: fake answers (unmock: id or all).",
  input: {
    id: z.string().regex(/^r\d+$/, 'request ids look like r12').optional(),
    failed: z.boolean().optional(),
    filter: z.string().min(1).optional().describe('URL contains.'),
    all: z.boolean().optional(),
    showSecrets: z.boolean().optional(),
    saveBody: z.boolean().optional(),
    // Listed as an object (cheaper than its schema in tools/list); checked as a mock on the way in.
    mock: z.record(z.string(), z.unknown()).pipe(mockSpecSchema).optional().describe('{url: glob|/re/, status, body, headers, delay; or fail: refused|timeout}'),
    unmock: z.string().min(1).optional(),
  },
  kind: 'action',
  scope: 'page',
  handlesDialogs: true,
  async handle({ params, state, context, response }) {
    const log = state.network;
    if (params.mock || params.unmock) {
      await changeMocks(params, state, context, response);
      return;
    }
    if (params.id) {
      const entry = log.get(params.id);
      if (!entry) {
        throw new UsageError(`There is no request ${clip(params.id, 100)} on this page (ids are per page; old ones may have been dropped).`, 'List requests with network {"all":true} to see the ids.');
      }
      await showDetails(entry, log, { reveal: params.showSecrets ?? false, save: params.saveBody ?? false }, context, response);
      return;
    }
    if (params.saveBody) throw new UsageError('saveBody needs the id of one request.', 'Call network {"id":"r12","saveBody":true}.');
    let entries = params.all ? log.all() : log.readNew();
    const total = entries.length;
    if (params.failed) entries = entries.filter(isFailed);
    if (params.filter) entries = entries.filter((entry) => entry.url.includes(params.filter!));
    const scope = params.all ? 'since the page opened' : 'new since the last network call';
    if (!entries.length) {
      response.text(`No requests ${scope}${total ? ` match the filter (${plural(total, 'request')} without it)` : ''}.`);
    } else {
      const failed = entries.filter(isFailed).length;
      const shown = entries.slice(-MAX_LIST);
      const base = state.page.url();
      response.text(`${plural(entries.length, 'request')} ${scope}${failed ? `, ${failed} failed` : ''}${entries.length > shown.length ? ` (oldest ${entries.length - shown.length} not shown)` : ''}:`);
      response.text(shown.map((entry) => formatRequest(entry, base)).join('\n'));
      response.text('Details of one: network {"id":"r…"}.');
    }
    if (log.droppedCount()) response.text(`(${plural(log.droppedCount(), 'older request was', 'older requests were')} dropped from the bounded buffer.)`);
    listMocks(state, response);
  },
});
