import type { RunRecord } from './runs.js';

export type ChangeKind = 'fixed' | 'still failing' | 'newly failing' | 'still passing';

export interface Change {
  what: string;
  kind: ChangeKind;
  before: string;
  after: string;
}

const ok = (status: string) => status === 'passed' || status === 'skipped';

/** What changed from one run to the other, step by step and expectation by expectation. */
export function compareRuns(before: RunRecord, after: RunRecord): Change[] {
  const changes: Change[] = [];
  const kind = (was: boolean, now: boolean): ChangeKind => (was && now ? 'still passing' : !was && now ? 'fixed' : was ? 'newly failing' : 'still failing');
  const afterSteps = new Map(after.steps.map((step) => [step.index, step]));
  for (const step of before.steps) {
    const other = afterSteps.get(step.index);
    if (!other) continue;
    changes.push({ what: `step ${step.index}: ${step.description}`, kind: kind(ok(step.status), ok(other.status)), before: step.status, after: other.status });
  }
  const afterChecks = new Map(after.expectations.map((check) => [check.description, check]));
  for (const check of before.expectations) {
    const other = afterChecks.get(check.description);
    if (!other) continue;
    changes.push({ what: `expect ${check.description}`, kind: kind(check.passed, other.passed), before: check.passed ? 'passed' : 'failed', after: other.passed ? 'passed' : 'failed' });
  }
  return changes;
}
