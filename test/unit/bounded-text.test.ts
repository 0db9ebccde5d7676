/**
 * Every answer is bounded however large or hostile the text it shows: rejected values are
 * quoted at ~100 characters, names and titles at 200, URLs at 300, unprintable characters shown
 * as escapes, long journey runs summarised, and the response builder caps what is left.
 */
import { describe, expect, it } from 'vitest';
import type { StepVerdict } from '../../src/journey/run.js';
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
    status: 'skipped',
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
    verdict: steps.some((s) => s.status === 'failed') ? 'failed' : 'passed',
    console: [],
    network: [],
  });

  it('lists the first steps and the failing ones of a long run, and counts the rest', () => {
    const steps = Array.from({ length: 100_000 }, (_, i) => step(i + 1));
    steps[70_000] = step(70_001, { status: 'failed', type: 'click', description: 'click button "Pay"', reason: 'it threw' });
    for (let i = 70_001; i < steps.length; i++) steps[i] = step(i + 1, { status: 'not-run', reason: undefined });
    const answer = formatRun(run(steps));
    expect(answer.length).toBeLessThan(5_000);
    expect(answer).toContain('✗ 70001. click button "Pay" — failed: it threw');
    expect(answer).toMatch(/… 99,979 more steps not listed \(69,980 skipped, 29,999 not-run\)/);
  });

  it('shows every step of a short run, each on one printable line of bounded length', () => {
    const answer = formatRun(run([step(1, { description: `type ${'z'.repeat(10_000)}\u001b[2J` })], 'T\u202Eitle'));
    expect(answer.split('\n').every((line) => line.length < 400)).toBe(true);
    expect(answer).toContain('"T\\u202eitle"');
    expect(answer).not.toMatch(/[\u001b\u202e]/);
  });
});
