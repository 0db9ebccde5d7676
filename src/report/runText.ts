import type { StepStatus, StepVerdict } from '../journey/run.js';
import { clip, plural, printable, quote, shortUrl } from '../util/text.js';
import type { Change } from './changes.js';
import { RUNS_IN_MEMORY, type RunRecord } from './runs.js';
import { appsLine, stepServerLine } from './serverText.js';

const MARKS: Record<StepStatus, string> = { passed: '✓', failed: '✗', 'not-found': '?', 'not-run': '-', skipped: '·' };
/** A step that ran but with a field Legible did not honour: never a ✓. */
const NOT_CHECKED_MARK = '~';
const EXPECTATION_MARKS = { passed: '✓', failed: '✗', 'not-checked': '-' } as const;

/** Past this many steps, runs of plain passes in the middle are folded into one line. */
const STEP_LINES = 60;
/** At most this many "not checked" lines; the rest are counted. */
const UNCHECKED_LINES = 20;
/** A run whose steps still need more lines than this once passes are folded lists the first ones, the failing ones, and counts. */
const MAX_STEP_LINES = 60;
const EXPECTATION_LINES = 20;

/** Text from a journey file or a page, as one line of the answer (and of a terminal, for `legible-mcp run`). */
const line = (text: string, max: number) => printable(clip(text, max));

/** "1 step passed, 2 failed": the counts that are not zero, the noun on the first. */
function counted(noun: string, counts: [number, string][]): string {
  return counts
    .filter(([count]) => count > 0)
    .map(([count, what], i) => (i === 0 ? `${plural(count, noun)} ${what}` : `${count} ${what}`))
    .join(', ');
}

function summary(run: RunRecord): string {
  const { steps, expectations } = run.counts;
  if (run.verdict === 'error') return `the journey never reached its first page: ${run.environment}`;
  if (run.checkedNothing) {
    const why = counted('step', [[steps.notRun, 'not run'], [steps.skipped, 'skipped']]);
    return `nothing was checked: ${why || (run.steps.length ? 'no step acted or asserted anything' : 'the journey has no steps')}`;
  }
  const stepText = counted('step', [[steps.passed, 'passed'], [steps.failed, 'failed'], [steps.notChecked, 'not checked'], [steps.notRun, 'not run'], [steps.skipped, 'skipped']]);
  const checkText = counted('expectation', [[expectations.passed, 'passed'], [expectations.failed, 'failed'], [expectations.notChecked, 'not checked']]);
  return [stepText, checkText].filter(Boolean).join('; ');
}

function stepLine(step: StepVerdict): string {
  const unchecked = step.status === 'passed' && step.unchecked?.length;
  const mark = unchecked ? NOT_CHECKED_MARK : MARKS[step.status];
  const status = unchecked ? ` — not checked: ${step.unchecked!.join(', ')}` : step.status === 'passed' ? '' : ` — ${step.status.replace('-', ' ')}`;
  return `  ${mark} ${step.index}. ${line(step.description, 200)}${line(status, 300)}${step.reason ? `: ${line(step.reason, 300)}` : ''}`;
}

/** Step lines, with long runs of plain passes folded (the run record and the report have them all). */
function stepLines(steps: StepVerdict[]): string[] {
  // Folded in the middle of a long run: plain passes, and steps that did not run or were skipped
  // (thousands of unsupported steps, or everything after a failure).
  const foldable = (step: StepVerdict, i: number) =>
    i >= 20 &&
    i < steps.length - 10 &&
    !step.errors.length &&
    !step.failedRequests.length &&
    ((step.status === 'passed' && !step.unchecked?.length) || step.status === 'skipped' || step.status === 'not-run');
  const lines: string[] = [];
  let folded: StepVerdict[] = [];
  const flush = () => {
    if (folded.length) {
      const first = folded[0]!;
      const last = folded[folded.length - 1]!;
      const sameReason = first.reason && folded.every((step) => step.reason === first.reason) ? `: ${line(first.reason, 200)}` : '';
      lines.push(`  … ${folded.length.toLocaleString('en-US')} step${folded.length === 1 ? '' : 's'} ${first.status.replace('-', ' ')} (${first.index}–${last.index})${sameReason}`);
    }
    folded = [];
  };
  for (const [i, step] of steps.entries()) {
    if (steps.length > STEP_LINES && foldable(step, i)) {
      if (folded.length && folded[0]!.status !== step.status) flush();
      folded.push(step);
      continue;
    }
    flush();
    lines.push(...stepDetail(step));
  }
  flush();
  return lines;
}

/** One step's line, with the first of its console errors and failed requests. */
function stepDetail(step: StepVerdict): string[] {
  const lines = [stepLine(step)];
  for (const error of step.errors.slice(0, 3)) lines.push(`      console: ${line(error.text, 200)}`);
  for (const request of step.failedRequests.slice(0, 3)) lines.push(`      ✗ ${request.method} ${printable(shortUrl(request.url))} → ${request.failure ?? request.status}`);
  const server = stepServerLine(step.server);
  if (server) lines.push(`      ${server}`);
  return lines;
}

/**
 * The steps of a run too long to list even with its passes folded (thousands of unsupported
 * steps): the first ones, the failing ones (up to ten), and counts of the rest by status.
 */
function longRunLines(steps: StepVerdict[]): string[] {
  const head = steps.slice(0, MAX_STEP_LINES - 20);
  const failing = steps.slice(head.length).filter((step) => step.status === 'failed' || step.status === 'not-found');
  const shownFailing = failing.slice(0, 10);
  const shown = new Set([...head, ...shownFailing]);
  const counts = new Map<StepStatus, number>();
  for (const step of steps) if (!shown.has(step)) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
  const rest = [...counts].map(([status, count]) => `${count.toLocaleString('en-US')} ${status.replace('-', ' ')}`).join(', ');
  const lines = head.flatMap(stepDetail);
  if (shownFailing.length) lines.push(`  … then the ${shownFailing.length === failing.length ? '' : `first ${shownFailing.length} of ${failing.length} `}failing steps:`, ...shownFailing.flatMap(stepDetail));
  const hidden = steps.length - shown.size;
  if (rest) lines.push(`  … ${hidden.toLocaleString('en-US')} more step${hidden === 1 ? '' : 's'} not listed (${rest}); the run record and the report have them all.`);
  return lines;
}

/**
 * A run as short text: verdict, steps with their errors, expectations, and what was not
 * checked. With `allowUnchecked` (the CLI's --allow-unchecked), an incomplete run that checked
 * something is said to pass, with the list of what it did not check.
 */
export function formatRun(run: RunRecord, options: { allowUnchecked?: boolean } = {}): string {
  const seconds = ((run.endedAt - run.startedAt) / 1000).toFixed(1);
  const lines = [`Journey ${quote(run.title)}: ${run.verdict.toUpperCase()} — ${line(summary(run), 500)} (${seconds} s).`];
  if (run.steps.length) {
    const folded = stepLines(run.steps);
    lines.push('Steps:', ...(folded.length > MAX_STEP_LINES ? longRunLines(run.steps) : folded));
  }
  if (run.expectations.length) {
    lines.push('Expectations:');
    for (const check of run.expectations.slice(0, EXPECTATION_LINES)) {
      const detail = check.status === 'not-checked' ? ` — not checked${check.detail ? `: ${check.detail}` : ''}` : check.detail && check.status === 'failed' ? ` — ${check.detail}` : '';
      lines.push(`  ${EXPECTATION_MARKS[check.status]} ${line(check.description, 200)}${line(detail, 300)}`);
      // What a failing server expectation found: spans and lines with their trace ids (bounded by its check).
      if (check.status === 'failed') for (const found of check.found ?? []) lines.push(`      ${line(found, 300)}`);
    }
    const hidden = run.expectations.slice(EXPECTATION_LINES);
    if (hidden.length) lines.push(`  … ${plural(hidden.length, 'more expectation')} (${hidden.filter((check) => check.status === 'failed').length} failed); the report has them all.`);
  }
  const apps = run.server ? appsLine(run.server) : undefined;
  if (apps) lines.push(line(apps, 600));
  if (run.verdict === 'incomplete' && run.unchecked.length) {
    lines.push(options.allowUnchecked && !run.checkedNothing ? 'Verdict: passes with --allow-unchecked; not checked:' : 'Not checked (each keeps the run from passing):');
    for (const text of run.unchecked.slice(0, UNCHECKED_LINES)) lines.push(`  - ${line(text, 300)}`);
    if (run.unchecked.length > UNCHECKED_LINES) lines.push(`  … and ${run.unchecked.length - UNCHECKED_LINES} more (all of them are in the run record)`);
  }
  return lines.join('\n');
}

/** Said after a run whose record could not be written to runs/ (it is then only in memory, and only while it is among the newest). */
export function runFileWarning(writeError: string): string {
  return `Warning: the run record could not be written to the runs folder (${clip(writeError, 200)}); it is kept in memory only while it is among the ${RUNS_IN_MEMORY} newest runs. Check that the output folder (--output-dir) is writable.`;
}

/** "Changes: 1 fixed, 0 still failing, 0 newly failing." and one line per change that is not "still passing". */
export function formatChanges(changes: Change[]): string[] {
  const count = (kind: string) => changes.filter((c) => c.kind === kind).length;
  return [
    `Changes: ${count('fixed')} fixed, ${count('still failing')} still failing, ${count('newly failing')} newly failing.`,
    ...changes.filter((c) => c.kind !== 'still passing').map((change) => `  ${change.kind}: ${change.what}`),
  ];
}
