import type { StepStatus } from '../journey/run.js';
import { plural } from '../util/text.js';
import type { RunRecord } from './runs.js';

const MARKS: Record<StepStatus, string> = { passed: '✓', failed: '✗', 'not-found': '?', skipped: '-', 'not-run': '·' };

/** A run as short text: verdict, steps with their errors, expectations. */
export function formatRun(run: RunRecord): string {
  const failedSteps = run.steps.filter((s) => s.status === 'failed' || s.status === 'not-found').length;
  const failedChecks = run.expectations.filter((e) => !e.passed).length;
  const summary =
    run.verdict === 'passed'
      ? `${plural(run.steps.length, 'step')} and ${plural(run.expectations.length, 'expectation')} passed`
      : [failedSteps && `${failedSteps} step${failedSteps > 1 ? 's' : ''} failed`, failedChecks && `${failedChecks} expectation${failedChecks > 1 ? 's' : ''} failed`].filter(Boolean).join(', ');
  const lines = [`Journey ${JSON.stringify(run.title)}: ${run.verdict.toUpperCase()} — ${summary} (${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s).`, 'Steps:'];
  for (const step of run.steps) {
    lines.push(`  ${MARKS[step.status]} ${step.index}. ${step.description}${step.status === 'passed' ? '' : ` — ${step.status}`}${step.reason ? `: ${step.reason}` : ''}`);
    for (const error of step.errors.slice(0, 3)) lines.push(`      console: ${error.text}`);
    for (const request of step.failedRequests.slice(0, 3)) lines.push(`      ✗ ${request.method} ${request.url} → ${request.failure ?? request.status}`);
  }
  if (run.expectations.length) {
    lines.push('Expectations:');
    for (const check of run.expectations) lines.push(`  ${check.passed ? '✓' : '✗'} ${check.description}${check.detail && !check.passed ? ` — ${check.detail}` : ''}`);
  }
  return lines.join('\n');
}
