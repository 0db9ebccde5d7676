import type { StepStatus, StepVerdict } from '../journey/run.js';
import { plural } from '../util/text.js';
import type { Change } from './changes.js';
import type { RunRecord } from './runs.js';

const MARKS: Record<StepStatus, string> = { passed: '✓', failed: '✗', 'not-found': '?', 'not-run': '-', skipped: '·' };
/** A step that ran but with a field Legible did not honour: never a ✓. */
const NOT_CHECKED_MARK = '~';
const EXPECTATION_MARKS = { passed: '✓', failed: '✗', 'not-checked': '-' } as const;

/** Past this many steps, runs of plain passes in the middle are folded into one line. */
const STEP_LINES = 60;
/** At most this many "not checked" lines; the rest are counted. */
const UNCHECKED_LINES = 20;

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
  return `  ${mark} ${step.index}. ${step.description}${status}${step.reason ? `: ${step.reason}` : ''}`;
}

/** Step lines, with long runs of plain passes folded (the run record and the report have them all). */
function stepLines(steps: StepVerdict[]): string[] {
  const plain = (step: StepVerdict, i: number) => step.status === 'passed' && !step.unchecked?.length && !step.errors.length && !step.failedRequests.length && i >= 20 && i < steps.length - 10;
  const lines: string[] = [];
  let folded: StepVerdict[] = [];
  const flush = () => {
    if (folded.length) lines.push(`  … ${plural(folded.length, 'step')} passed (${folded[0]!.index}–${folded[folded.length - 1]!.index})`);
    folded = [];
  };
  for (const [i, step] of steps.entries()) {
    if (steps.length > STEP_LINES && plain(step, i)) {
      folded.push(step);
      continue;
    }
    flush();
    lines.push(stepLine(step));
    for (const error of step.errors.slice(0, 3)) lines.push(`      console: ${error.text}`);
    for (const request of step.failedRequests.slice(0, 3)) lines.push(`      ✗ ${request.method} ${request.url} → ${request.failure ?? request.status}`);
  }
  flush();
  return lines;
}

/**
 * A run as short text: verdict, steps with their errors, expectations, and what was not
 * checked. With `allowUnchecked` (the CLI's --allow-unchecked), an incomplete run that checked
 * something is said to pass, with the list of what it did not check.
 */
export function formatRun(run: RunRecord, options: { allowUnchecked?: boolean } = {}): string {
  const seconds = ((run.endedAt - run.startedAt) / 1000).toFixed(1);
  const lines = [`Journey ${JSON.stringify(run.title)}: ${run.verdict.toUpperCase()} — ${summary(run)} (${seconds} s).`];
  if (run.steps.length) lines.push('Steps:', ...stepLines(run.steps));
  if (run.expectations.length) {
    lines.push('Expectations:');
    for (const check of run.expectations) {
      const detail = check.status === 'not-checked' ? ` — not checked${check.detail ? `: ${check.detail}` : ''}` : check.detail && check.status === 'failed' ? ` — ${check.detail}` : '';
      lines.push(`  ${EXPECTATION_MARKS[check.status]} ${check.description}${detail}`);
    }
  }
  if (run.verdict === 'incomplete' && run.unchecked.length) {
    lines.push(options.allowUnchecked && !run.checkedNothing ? 'Verdict: passes with --allow-unchecked; not checked:' : 'Not checked (each keeps the run from passing):');
    for (const line of run.unchecked.slice(0, UNCHECKED_LINES)) lines.push(`  - ${line}`);
    if (run.unchecked.length > UNCHECKED_LINES) lines.push(`  … and ${run.unchecked.length - UNCHECKED_LINES} more (all of them are in the run record)`);
  }
  return lines.join('\n');
}

/** "Changes: 1 fixed, 0 still failing, 0 newly failing." and one line per change that is not "still passing". */
export function formatChanges(changes: Change[]): string[] {
  const count = (kind: string) => changes.filter((c) => c.kind === kind).length;
  return [
    `Changes: ${count('fixed')} fixed, ${count('still failing')} still failing, ${count('newly failing')} newly failing.`,
    ...changes.filter((c) => c.kind !== 'still passing').map((change) => `  ${change.kind}: ${change.what}`),
  ];
}
