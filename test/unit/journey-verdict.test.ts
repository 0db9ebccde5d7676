import { describe, expect, it } from 'vitest';
import { exitCode } from '../../src/cli/runCommand.js';
import type { ExpectationVerdict } from '../../src/journey/expectations.js';
import { parseExpectation, parseJourney, unknownFields, type Step } from '../../src/journey/schema.js';
import { decideVerdict, type StepVerdict } from '../../src/journey/verdict.js';
import { formatRun } from '../../src/report/runText.js';
import type { RunRecord } from '../../src/report/runs.js';

function step(index: number, status: StepVerdict['status'], extra: Partial<StepVerdict> = {}): StepVerdict {
  return { index, type: 'click', description: `click #b${index}`, status, errors: [], failedRequests: [], ms: 1, ...extra };
}

function check(status: ExpectationVerdict['status'], description = 'no console errors'): ExpectationVerdict {
  return { expectation: { type: 'noConsoleErrors' }, description, status, passed: status === 'passed' };
}

function record(steps: StepVerdict[], expectations: ExpectationVerdict[] = []): RunRecord {
  return { id: 'run-1', title: 't', source: 'j.json', journeyPath: 'j.json', startedAt: 0, endedAt: 1000, url: '', steps, expectations, console: [], network: [], ...decideVerdict(steps, expectations) };
}

describe('decideVerdict', () => {
  it('passes only when everything was checked and held', () => {
    expect(decideVerdict([step(1, 'passed')], [check('passed')]).verdict).toBe('passed');
  });

  it('is failed when a step or an expectation failed, whatever else was not checked', () => {
    expect(decideVerdict([step(1, 'not-found'), step(2, 'skipped')], []).verdict).toBe('failed');
    expect(decideVerdict([step(1, 'passed'), step(2, 'not-run')], [check('failed')]).verdict).toBe('failed');
  });

  it('is incomplete when a step was not run, a field not honoured or an expectation not checked', () => {
    expect(decideVerdict([step(1, 'passed'), step(2, 'not-run', { reason: 'why' })], []).unchecked).toEqual(['step 2 (click): not run: why']);
    expect(decideVerdict([step(1, 'passed', { unchecked: ['deviceType "pen"'] })], []).verdict).toBe('incomplete');
    expect(decideVerdict([step(1, 'passed')], [check('not-checked')]).verdict).toBe('incomplete');
  });

  it('is incomplete when nothing was checked: no steps, only set-up steps, or none that ran', () => {
    for (const steps of [[], [step(1, 'passed', { type: 'setViewport' })], [step(1, 'not-run'), step(2, 'not-run')]]) {
      const summary = decideVerdict(steps, []);
      expect(summary.verdict).toBe('incomplete');
      expect(summary.checkedNothing).toBe(true);
    }
  });

  it('is an error when the app could not be reached, not a failure', () => {
    const summary = decideVerdict([step(1, 'failed', { type: 'navigate', environment: true, reason: 'Nothing is listening' }), step(2, 'skipped')], [check('not-checked')]);
    expect(summary.verdict).toBe('error');
    expect(summary.environment).toBe('Nothing is listening');
  });

  it('counts passed, failed, not run, not checked and skipped steps apart', () => {
    const { counts } = decideVerdict([step(1, 'passed'), step(2, 'passed', { unchecked: ['x'] }), step(3, 'not-run'), step(4, 'failed'), step(5, 'skipped'), step(6, 'skipped')], [check('passed'), check('not-checked')]);
    expect(counts).toEqual({ steps: { passed: 1, failed: 1, notRun: 1, notChecked: 1, skipped: 2 }, expectations: { passed: 1, failed: 0, notChecked: 1 } });
  });
});

describe('formatRun', () => {
  it('never marks a step with an unhonoured field ✓, and lists what was not checked', () => {
    const text = formatRun(record([step(1, 'passed'), step(2, 'passed', { unchecked: ['deviceType "touch"'] })]));
    expect(text).toMatch(/^Journey "t": INCOMPLETE — 1 step passed, 1 not checked \(1\.0 s\)\./);
    expect(text).toContain('  ~ 2. click #b2 — not checked: deviceType "touch"');
    expect(text).toContain('Not checked (each keeps the run from passing):\n  - step 2 (click): not checked: deviceType "touch"');
    expect(formatRun(record([step(1, 'passed'), step(2, 'not-run', { reason: 'r' })]), { allowUnchecked: true })).toContain('Verdict: passes with --allow-unchecked; not checked:\n  - step 2 (click): not run: r');
  });

  it('folds long runs of passed steps, keeping every step that did not pass', () => {
    const steps = Array.from({ length: 100 }, (_, i) => step(i + 1, i === 49 ? 'failed' : i > 49 ? 'skipped' : 'passed'));
    const text = formatRun(record(steps));
    expect(text).toContain('  … 29 steps passed (21–49)');
    expect(text).toContain('  ✗ 50. click #b50 — failed');
    expect(text.split('\n').length).toBeLessThan(90);
  });
});

describe('exitCode', () => {
  it('is 0 passed, 1 failed, 2 for an error or an incomplete run (0 with --allow-unchecked, unless nothing was checked)', () => {
    expect(exitCode(record([step(1, 'passed')]), false)).toBe(0);
    expect(exitCode(record([step(1, 'failed')]), true)).toBe(1);
    expect(exitCode(record([step(1, 'failed', { type: 'navigate', environment: true })]), true)).toBe(2);
    const partial = record([step(1, 'passed'), step(2, 'not-run')]);
    expect(exitCode(partial, false)).toBe(2);
    expect(exitCode(partial, true)).toBe(0);
    expect(exitCode(record([]), true)).toBe(2);
  });
});

describe('expectations are checked when they are written', () => {
  it('refuses a js expression that does not parse and a /regex/ that is not one, in tool strings and in files', () => {
    expect(() => parseExpectation('js:document.title ===')).toThrow(/js expression "document.title ===" does not parse/);
    expect(() => parseExpectation('noFailedRequests:/api(/')).toThrow(/not a valid regular expression/);
    expect(parseExpectation('js:document.title === "Shop"')).toEqual({ type: 'js', expression: 'document.title === "Shop"' });
    expect(parseExpectation('noFailedRequests:/api\\/v\\d/i')).toEqual({ type: 'noFailedRequests', pattern: '/api\\/v\\d/i' });
    const flow = JSON.stringify({ title: 't', steps: [{ type: 'customStep', name: 'legible.expect', parameters: { type: 'js', expression: '1 +' } }] });
    expect(() => parseJourney(flow, 'j.json')).toThrow(/Step 1 of j.json is a Legible expectation that does not parse: The js expression "1 \+" does not parse/);
  });

  it('keeps a flow-level timeout and the fields it does not know, so a run can say so', () => {
    const journey = parseJourney(JSON.stringify({ title: 't', timeout: 2000, steps: [{ type: 'click', selectors: ['#a'], offsetX: 1, offsetY: 1, pressure: 0.5 }] }), 'j.json');
    expect(journey.timeout).toBe(2000);
    expect(unknownFields(journey.steps[0] as Step)).toEqual(['pressure']);
  });
});
