/**
 * Every answer is bounded however large or hostile the text it shows: rejected values are
 * quoted at ~100 characters, names and titles at 200, URLs at 300, unprintable characters shown
 * as escapes, long journey runs summarised, and the response builder caps what is left.
 */
import { describe, expect, it } from 'vitest';
import { decideVerdict, type StepVerdict } from '../../src/journey/verdict.js';
import type { RunRecord } from '../../src/report/runs.js';
import { formatRun } from '../../src/report/runText.js';
import { MAX_ANSWER_CHARS, ToolResponse } from '../../src/tools/response.js';
import { LegibleError } from '../../src/util/errors.js';
import { clip, printable, quote, quoteValue, showUrl } from '../../src/util/text.js';

const text = (response: ToolResponse) => (response.build().content[0] as { text: string }).text;

describe('quoting', () => {
  it('quotes a rejected value at about 100 characters and says how long it was', () => {
    const quoted = quoteValue('x'.repeat(100_000));
    expect(quoted.length).toBeLessThan(130);
    expect(quoted).toMatch(/^"x{99}…" \(100,000 characters\)$/);
    expect(quoteValue('short')).toBe('"short"');
    expect(quoteValue({ a: 'b'.repeat(500) }).length).toBeLessThan(130);
  });

  it('shows control, ANSI and bidi-override characters as escapes', () => {
    expect(printable('a\u001b[31mb\u202Ec\u2066d')).toBe('a\\u001b[31mb\\u202ec\\u2066d');
    expect(quote('\u202Egnp.exe')).toBe('"\\u202egnp.exe"');
    expect(quoteValue('\u0007bell')).toBe('"\\u0007bell"');
  });

  it('never cuts a surrogate pair in half', () => {
    expect(clip('ab😀cd', 4)).toBe('ab…');
    expect(clip('abc😀', 5)).toBe('abc😀');
  });

  it('caps URLs and names', () => {
    expect(showUrl(`http://x/${'a'.repeat(2_000_000)}`).length).toBeLessThan(340);
    expect(quote('t'.repeat(20_000_000)).length).toBeLessThan(240);
  });
});

describe('the response builder', () => {
  it('caps an answer that would be too long, and says so', () => {
    const response = new ToolResponse().text('y'.repeat(MAX_ANSWER_CHARS * 3));
    const answer = text(response);
    expect(answer.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
    expect(answer).toMatch(/\[Answer cut at 48,000 of 144,000 characters\. Ask for less/);
  });

  it('leaves answers under the cap as they are', () => {
    expect(text(new ToolResponse().text('fine'))).toBe('fine');
    expect(text(new ToolResponse().error(new LegibleError('Bad.', 'Do this.')))).toBe('Error: Bad.\nNext: Do this.');
  });
});

describe('formatRun', () => {
  const step = (index: number, over: Partial<StepVerdict> = {}): StepVerdict => ({
    index,
    type: 'frobnicate',
    description: 'frobnicate (not supported by Legible)',
    status: 'not-run',
    reason: 'Legible does not run "frobnicate" steps',
    errors: [],
    failedRequests: [],
    ms: 0,
    ...over,
  });
  const run = (steps: StepVerdict[], title = 'long'): RunRecord => ({
    id: 'run-1',
    journeyPath: '/tmp/j.json',
    title,
    source: '/tmp/j.json',
    startedAt: 0,
    endedAt: 1_000,
    url: 'http://x/',
    steps,
    expectations: [],
    console: [],
    network: [],
    ...decideVerdict(steps, []),
  });

  it('folds the steps of a long run that did not run or were skipped, keeping the failing one', () => {
    const steps = Array.from({ length: 100_000 }, (_, i) => step(i + 1));
    steps[70_000] = step(70_001, { status: 'failed', type: 'click', description: 'click button "Pay"', reason: 'it threw' });
    for (let i = 70_001; i < steps.length; i++) steps[i] = step(i + 1, { status: 'skipped', reason: 'step 70001 failed' });
    const answer = formatRun(run(steps));
    expect(answer.length).toBeLessThan(8_000);
    expect(answer).toContain('  … 69,980 steps not run (21–70000): Legible does not run "frobnicate" steps');
    expect(answer).toContain('  ✗ 70001. click button "Pay" — failed: it threw');
    expect(answer).toContain('  … 29,989 steps skipped (70002–99990): step 70001 failed');
  });

  it('lists the first and the failing steps, and counts the rest, when even folded they are too many', () => {
    // Alternating statuses cannot be folded: every step would need its own line.
    const steps = Array.from({ length: 5_000 }, (_, i) => step(i + 1, i % 2 ? { status: 'passed', description: `click #b${i}`, reason: undefined } : {}));
    steps[3_000] = step(3_001, { status: 'failed', description: 'click #pay', reason: 'it threw' });
    const answer = formatRun(run(steps));
    expect(answer.length).toBeLessThan(8_000);
    expect(answer).toContain('… then the failing steps:');
    expect(answer).toContain('✗ 3001. click #pay — failed: it threw');
    expect(answer).toContain('… 4,959 more steps not listed (2,479 not run, 2,480 passed); the run record and the report have them all.');
  });

  it('shows every step of a short run, each on one printable line of bounded length', () => {
    const answer = formatRun(run([step(1, { status: 'passed', reason: undefined, description: `type ${'z'.repeat(10_000)}\u001b[2J` })], 'T\u202Eitle'));
    expect(answer.split('\n').every((line) => line.length < 600)).toBe(true);
    expect(answer).toContain('"T\\u202eitle"');
    expect(answer).not.toMatch(/[\u001b\u202e]/);
  });
});
