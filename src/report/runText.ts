import type { StepStatus, StepVerdict } from '../journey/run.js';
import { clip, plural, printable, quote, shortUrl } from '../util/text.js';

/** Text from a journey file or a page, as one line of the answer (and of a terminal, for `legible-mcp run`). */
const line = (text: string, max: number) => printable(clip(text, max));
import type { RunRecord } from './runs.js';

const MARKS: Record<StepStatus, string> = { passed: '✓', failed: '✗', 'not-found': '?', skipped: '-', 'not-run': '·' };

/** A run with more steps than this lists the first ones, then what went wrong, then counts. */
const MAX_STEP_LINES = 30;
const MAX_EXPECTATION_LINES = 20;

function stepLines(step: StepVerdict): string[] {
  const lines = [`  ${MARKS[step.status]} ${step.index}. ${line(step.description, 200)}${step.status === 'passed' ? '' : ` — ${step.status}`}${step.reason ? `: ${line(step.reason, 300)}` : ''}`];
  for (const error of step.errors.slice(0, 3)) lines.push(`      console: ${line(error.text, 200)}`);
  for (const request of step.failedRequests.slice(0, 3)) lines.push(`      ✗ ${request.method} ${printable(shortUrl(request.url))} → ${request.failure ?? request.status}`);
  return lines;
}

/** The steps of a long run: the first ones, every one that failed (up to a limit), and counts of the rest. */
function longRunLines(steps: StepVerdict[]): string[] {
  const head = steps.slice(0, MAX_STEP_LINES - 10);
  const failing = steps.slice(head.length).filter((step) => step.status === 'failed' || step.status === 'not-found');
  const shownFailing = failing.slice(0, 10);
  const shown = new Set([...head, ...shownFailing]);
  const counts = new Map<StepStatus, number>();
  for (const step of steps) if (!shown.has(step)) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
  const rest = [...counts].map(([status, count]) => `${count.toLocaleString('en-US')} ${status}`).join(', ');
  const lines = head.flatMap(stepLines);
  if (shownFailing.length) lines.push(`  … then the ${shownFailing.length === failing.length ? '' : `first ${shownFailing.length} of ${failing.length} `}failing steps:`, ...shownFailing.flatMap(stepLines));
  const hidden = steps.length - shown.size;
  if (rest) lines.push(`  … ${hidden.toLocaleString('en-US')} more step${hidden === 1 ? '' : 's'} not listed (${rest}); the run's file in runs/ and its report have them all.`);
  return lines;
}

/** A run as short text: verdict, steps with their errors, expectations — bounded however long the journey. */
export function formatRun(run: RunRecord): string {
  const failedSteps = run.steps.filter((s) => s.status === 'failed' || s.status === 'not-found').length;
  const failedChecks = run.expectations.filter((e) => !e.passed).length;
  const summary =
    run.verdict === 'passed'
      ? `${plural(run.steps.length, 'step')} and ${plural(run.expectations.length, 'expectation')} passed`
      : [failedSteps && `${failedSteps} step${failedSteps > 1 ? 's' : ''} failed`, failedChecks && `${failedChecks} expectation${failedChecks > 1 ? 's' : ''} failed`].filter(Boolean).join(', ');
  const lines = [`Journey ${quote(run.title)}: ${run.verdict.toUpperCase()} — ${summary} (${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s).`, 'Steps:'];
  lines.push(...(run.steps.length > MAX_STEP_LINES ? longRunLines(run.steps) : run.steps.flatMap(stepLines)));
  if (run.expectations.length) {
    lines.push('Expectations:');
    const shown = run.expectations.slice(0, MAX_EXPECTATION_LINES);
    for (const check of shown) lines.push(`  ${check.passed ? '✓' : '✗'} ${line(check.description, 200)}${check.detail && !check.passed ? ` — ${line(check.detail, 300)}` : ''}`);
    const hidden = run.expectations.slice(shown.length);
    if (hidden.length) lines.push(`  … ${plural(hidden.length, 'more expectation')} (${hidden.filter((check) => !check.passed).length} failed); the report has them all.`);
  }
  return lines.join('\n');
}
