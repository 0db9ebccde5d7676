import type { ConsoleEntry } from '../capture/consoleLog.js';
import type { NetworkEntry } from '../capture/networkLog.js';
import type { ExpectationVerdict } from './expectations.js';
import type { StepServer } from './serverRecord.js';

/**
 * passed; failed or not-found (a bug, or a journey that no longer fits the app); not-run (Legible
 * cannot run this step: the reason says why); skipped (not reached: an earlier step failed).
 */
export type StepStatus = 'passed' | 'failed' | 'not-found' | 'not-run' | 'skipped';

export interface StepVerdict {
  index: number;
  type: string;
  description: string;
  status: StepStatus;
  reason?: string;
  /** Fields of the step that Legible did not honour ("deviceType \"touch\""): the step is not a ✓. */
  unchecked?: string[];
  /** The step failed because the app could not be reached at all (not a bug in it). */
  environment?: boolean;
  /** Console errors and failed requests that came during this step. */
  errors: ConsoleEntry[];
  failedRequests: NetworkEntry[];
  ms: number;
  /** When the step began, epoch ms. */
  at?: number;
  /** What the apps did for it: its trace, spans and log lines (a run with apps). */
  server?: StepServer;
  /** A change step whose own value went into a secret field: the variable written files refer to it by (never the value). */
  secret?: string;
}

/**
 * passed: everything the journey asks was checked and held. failed: a step or an expectation
 * failed (a bug was found). error: the journey never reached its first page (the environment,
 * not the app). incomplete: nothing failed, but something was not checked or not run, or
 * nothing was checked at all.
 */
export type Verdict = 'passed' | 'failed' | 'error' | 'incomplete';

export interface Counts {
  steps: { passed: number; failed: number; notRun: number; notChecked: number; skipped: number };
  expectations: { passed: number; failed: number; notChecked: number };
}

export interface VerdictSummary {
  verdict: Verdict;
  counts: Counts;
  /** Everything that was not checked, one line each ("step 2 (customStep lighthouse): not run: …"). */
  unchecked: string[];
  /** True when no step acted or asserted and no expectation was checked. */
  checkedNothing: boolean;
  /** Why the run could not start, for an `error` verdict. */
  environment?: string;
}

function stepName(step: StepVerdict): string {
  const custom = /^custom step (.+)$/.exec(step.description)?.[1];
  return `step ${step.index} (${step.type}${custom ? ` ${custom}` : ''})`;
}

/** Steps that check nothing about the app when they pass. */
const SETUP = new Set(['setViewport', 'emulateNetworkConditions']);

/** The run's verdict from its steps and expectations (see `Verdict`). */
export function decideVerdict(steps: StepVerdict[], expectations: ExpectationVerdict[]): VerdictSummary {
  const counts: Counts = {
    steps: { passed: 0, failed: 0, notRun: 0, notChecked: 0, skipped: 0 },
    expectations: { passed: 0, failed: 0, notChecked: 0 },
  };
  const unchecked: string[] = [];
  for (const step of steps) {
    if (step.status === 'failed' || step.status === 'not-found') counts.steps.failed++;
    else if (step.status === 'skipped') counts.steps.skipped++;
    else if (step.status === 'not-run') {
      counts.steps.notRun++;
      unchecked.push(`${stepName(step)}: not run: ${step.reason ?? 'Legible cannot run it'}`);
    } else if (step.unchecked?.length) {
      counts.steps.notChecked++;
      unchecked.push(`${stepName(step)}: not checked: ${step.unchecked.join(', ')}`);
    } else counts.steps.passed++;
  }
  for (const check of expectations) {
    if (check.status === 'passed') counts.expectations.passed++;
    else if (check.status === 'failed') counts.expectations.failed++;
    else {
      counts.expectations.notChecked++;
      unchecked.push(`expectation ${check.description}: not checked${check.detail ? `: ${check.detail}` : ''}`);
    }
  }
  const environment = steps.find((step) => step.environment);
  const bug = steps.some((step) => (step.status === 'failed' || step.status === 'not-found') && !step.environment) || counts.expectations.failed > 0;
  const checkedNothing =
    !steps.some((step) => step.status === 'passed' && !SETUP.has(step.type)) && !expectations.some((check) => check.status !== 'not-checked');
  const verdict: Verdict = bug ? 'failed' : environment ? 'error' : unchecked.length || checkedNothing ? 'incomplete' : 'passed';
  return { verdict, counts, unchecked, checkedNothing, environment: environment ? `${environment.reason ?? 'it could not be loaded'}` : undefined };
}
