import { z } from 'zod';
import { describeStep } from '../journey/describe.js';
import { checkSelectors, describeExpectation } from '../journey/expectations.js';
import { refusePageScript } from '../journey/pageScript.js';
import { EXPECTATION_HINT, EXPECT_STEP, parseExpectation, type Step } from '../journey/schema.js';
import { protectFlow } from '../journey/secrets.js';
import { checkExpectationQueries } from '../journey/serverKinds.js';
import { formatRun, runFileWarning } from '../report/runText.js';
import { runAndRecord } from '../report/runAndRecord.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { SECRET_REFERENCE } from '../util/redact.js';
import { clip, plural, quote } from '../util/text.js';
import { nameParam, recordingLabel } from './common.js';
import { callText, defineFamily } from './family.js';
import { defineTool } from './tool.js';

const isExpectationStep = (step: Step): boolean => step.type === 'customStep' && step.name === EXPECT_STEP;

/** journey_save lists this many steps of what it saved; the file has them all. */
const MAX_LISTED = 30;

const expectParam = z
  .array(z.string().min(1))
  .optional()
  .describe('text:…, !text:…, element:<css>, !element:…, noConsoleErrors, noFailedRequests[:re], js:<expr>; noServerErrors, [!]log:, [!]trace:, metric:, startup:');

export const journeySaveTool = defineTool({
  name: 'journey_save',
  title: 'Save journey',
  description:
    "Save the steps taken on the page (since the mark) as a replayable Chrome DevTools Recorder journey, with expectations of what \"working\" means.",
  input: {
    name: z.string().optional(),
    expect: expectParam,
    mark: z.boolean().optional().describe('Set the mark only.'),
    overwrite: z.boolean().optional(),
  },
  kind: 'action',
  scope: 'page',
  handlesDialogs: true,
  async handle({ params, state, context, response }) {
    const log = context.journey(state);
    if (params.mark) {
      if (params.name) throw new UsageError('Give mark or name, not both.', `Call ${callText(journeySaveTool, { mark: true })} first, then ${callText(journeySaveTool, { name: '…' })} later.`);
      log.mark();
      response.text(`Marked: the next journey save starts from the next step (${plural(log.size(), 'step')} recorded so far).`);
      return;
    }
    if (!params.name) throw new UsageError('journey save needs a name.', `For example ${callText(journeySaveTool, { name: 'cart-500', expect: ['noFailedRequests'] })}.`);
    const steps = log.sinceMark();
    if (!steps.length) {
      throw new LegibleError(`No actions were recorded on page ${state.page.id}${log.size() ? ' since the mark' : ''}.`, 'Navigate and act on the page first (navigate, click, type, …), then save.');
    }
    const expectations = (params.expect ?? []).map(parseExpectation);
    await checkExpectationQueries(expectations);
    const unprotected = log.toFlow(params.name, expectations, context.apps().origins({ stopped: true }));
    // The file's steps, numbered as the file holds them (its expectations come last: named by what was given).
    if (!context.config.evaluate) refusePageScript({ steps: unprotected.steps.filter((step) => !isExpectationStep(step)) }, expectations);
    // Selectors are checked by the page's own parser now, not at the journey's first run.
    await checkSelectors(state, expectations, EXPECTATION_HINT);
    // The file keeps references to secrets; this session keeps their values, so it can replay at once.
    const { flow, secrets } = protectFlow(unprotected);
    for (const [variable, value] of secrets) context.secrets().remember(variable, value);
    const path = await context.journeys().save(params.name, flow, params.overwrite ?? false);
    // Every step but the expectations (listed below), with its number in the file.
    const saved = (flow as { steps: Step[] }).steps.map((step, i) => ({ step, number: i + 1 })).filter(({ step }) => !isExpectationStep(step));
    const lines = [`Saved journey ${quote(params.name)} with ${plural(saved.length, 'step')} to ${path}:`, ...saved.slice(0, MAX_LISTED).map(({ step, number }) => `  ${number}. ${clip(describeStep(step), 200)}`)];
    if (saved.length > MAX_LISTED) lines.push(`  … ${plural(saved.length - MAX_LISTED, 'more step', 'more steps')} (all in the file).`);
    if (expectations.length) lines.push('Expectations:', ...expectations.slice(0, MAX_LISTED).map((e) => `  - ${clip(describeExpectation(e), 200)}`));
    else lines.push('No expectations: a run passes when every step does. Add some with expect to check the bug itself.');
    const variables = [...new Set([...JSON.stringify(flow).matchAll(SECRET_REFERENCE)].map((match) => match[1]!))];
    if (variables.length) lines.push(`Secrets are kept out of the file: replay reads ${variables.join(', ')} from the environment (this session remembers their values).`);
    lines.push(`Replay: ${callText(journeyRunTool, { journey: params.name })}`);
    response.text(lines.join('\n'));
    response.fileLink(path, 'application/json');
  },
});

export const journeyRunTool = defineTool({
  name: 'journey_run',
  title: 'Run journey',
  description:
    "Replay a journey (name or Recorder JSON path) on a fresh tab, optionally recording it; verdict per step (with errors and failed requests) and per expectation.",
  input: {
    journey: nameParam.describe('Name or file.'),
    record: recordingLabel.optional(),
    expect: z.array(z.string().min(1)).optional(),
    label: recordingLabel.optional().describe('Run label, e.g. before'),
    unsupported: z.enum(['skip', 'fail']).optional(),
  },
  kind: 'action',
  openWorld: true,
  scope: 'browser',
  // A recorded run holds each step for the video; long journeys need more than the default limit.
  timeoutMs: 15 * 60_000,
  async handle({ params, context, response, signal }) {
    const expect = params.expect?.map(parseExpectation);
    if (expect) await checkExpectationQueries(expect);
    const run = await runAndRecord(context, {
      signal,
      journey: params.journey,
      record: params.record,
      label: params.label,
      expect,
      unsupported: params.unsupported ?? 'skip',
    });
    response.text(formatRun(run.record));
    if (run.record.verdict === 'failed') response.verdict('failed');
    else if (run.record.verdict !== 'passed') response.verdict('unchecked');
    if (run.recording) {
      const lead = run.recording.info.blankLeadMs;
      response.text(`Recording ${quote(run.recording.info.label)}: ${run.recording.info.video}${lead ? ` (it starts at the page's first paint, ${(lead / 1000).toFixed(1)} s into the run)` : ''}`);
      response.image(run.recording.filmstrip.data, 'image/webp');
    }
    response.text(`Run id: ${run.record.id}. Report: report {"run":"${run.record.id}"}${run.record.label ? ` (or by label: "${run.record.label}")` : ''}.`);
    if (run.writeError) response.text(runFileWarning(run.writeError));
  },
});

export const journeyFamily = defineFamily({
  name: 'journey',
  description: 'save: the steps taken (since the mark) as a Recorder journey with expectations. run: replay it on a fresh tab (record: a video label); verdicts.',
  actions: { save: journeySaveTool, run: journeyRunTool },
});
