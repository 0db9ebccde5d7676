import type { RunRecord } from './runs.js';

export type ChangeKind = 'fixed' | 'still failing' | 'newly failing' | 'still passing';

export interface Change {
  what: string;
  kind: ChangeKind;
  before: string;
  after: string;
}

/** A step that was checked either way (not skipped after a failure, not one Legible cannot run). */
const ran = (status: string) => status === 'passed' || status === 'failed' || status === 'not-found';

/**
 * What changed from one run to the other, step by step and expectation by expectation. Only
 * what both runs checked is compared: a step skipped or not run, or an expectation not checked,
 * on either side says nothing about a fix.
 */
export function compareRuns(before: RunRecord, after: RunRecord): Change[] {
  const changes: Change[] = [];
  const kind = (was: boolean, now: boolean): ChangeKind => (was && now ? 'still passing' : !was && now ? 'fixed' : was ? 'newly failing' : 'still failing');
  const afterSteps = new Map(after.steps.map((step) => [step.index, step]));
  for (const step of before.steps) {
    const other = afterSteps.get(step.index);
    // The apps step says where the apps ran, nothing about a fix.
    if (!other || step.setup || !ran(step.status) || !ran(other.status)) continue;
    changes.push({ what: `step ${step.index}: ${step.description}`, kind: kind(step.status === 'passed', other.status === 'passed'), before: step.status, after: other.status });
  }
  const afterChecks = new Map(after.expectations.map((check) => [check.description, check]));
  for (const check of before.expectations) {
    const other = afterChecks.get(check.description);
    if (!other || check.status === 'not-checked' || other.status === 'not-checked') continue;
    changes.push({ what: `expect ${check.description}`, kind: kind(check.passed, other.passed), before: check.passed ? 'passed' : 'failed', after: other.passed ? 'passed' : 'failed' });
  }
  return changes;
}
