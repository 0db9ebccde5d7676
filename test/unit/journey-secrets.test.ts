import { describe, expect, it } from 'vitest';
import { pageScriptRoutes, refusePageScript } from '../../src/journey/pageScript.js';
import { parseJourney } from '../../src/journey/schema.js';
import { fillSecrets, missingSecret, protectFlow, secretVariable } from '../../src/journey/secrets.js';
import { LegibleError } from '../../src/util/errors.js';

describe('secret references in journeys', () => {
  it('names a variable after the field or parameter', () => {
    expect(secretVariable('password')).toBe('LEGIBLE_SECRET_PASSWORD');
    expect(secretVariable('current-password')).toBe('LEGIBLE_SECRET_CURRENT_PASSWORD');
    expect(secretVariable('apiKey')).toBe('LEGIBLE_SECRET_API_KEY');
    expect(secretVariable('--')).toBe('LEGIBLE_SECRET_PASSWORD');
  });

  it('fills references in, or names the first variable without a value', () => {
    const lookup = (name: string) => ({ LEGIBLE_SECRET_TOKEN: 't0k' })[name];
    expect(fillSecrets('/a?token=${LEGIBLE_SECRET_TOKEN}&b=1', lookup)).toEqual({ value: '/a?token=t0k&b=1' });
    expect(fillSecrets('${LEGIBLE_SECRET_PASSWORD}', lookup)).toEqual({ missing: 'LEGIBLE_SECRET_PASSWORD' });
    expect(fillSecrets('no reference, ${NOT_OURS}', lookup)).toEqual({ value: 'no reference, ${NOT_OURS}' });
    expect(missingSecret('LEGIBLE_SECRET_PASSWORD')).toMatch(/^the environment variable LEGIBLE_SECRET_PASSWORD is not set/);
  });

  it('takes secrets out of a flow: query values and what is typed into secret-looking fields become references', () => {
    const flow = {
      title: 'login',
      steps: [
        { type: 'navigate', url: 'http://h/login?next=%2F&token=abc&x=1' },
        { type: 'change', selectors: [['aria/User name[role="textbox"]'], ['#user']], value: 'ann' },
        { type: 'change', selectors: [['#api-token']], value: 'k-123' },
        { type: 'change', selectors: [['aria/Password[role="textbox"]']], value: '${LEGIBLE_SECRET_PASSWORD}' },
        { type: 'keyDown', key: 'Enter' },
        { type: 'customStep', name: 'legible.expect', parameters: { type: 'text', text: 'Welcome' } },
        { type: 'customStep', name: 'acme.login', parameters: { password: 'p', user: 'ann' } },
      ],
    };
    const { flow: safe, secrets } = protectFlow(flow);
    const steps = (safe as typeof flow).steps as Record<string, unknown>[];
    expect(steps[0]).toEqual({ type: 'navigate', url: 'http://h/login?next=%2F&token=${LEGIBLE_SECRET_TOKEN}&x=1' });
    expect(steps[1]!.value).toBe('ann');
    expect(steps[2]!.value).toBe('${LEGIBLE_SECRET_API_TOKEN}');
    expect(steps[3]!.value).toBe('${LEGIBLE_SECRET_PASSWORD}');
    expect(steps[4]).toEqual({ type: 'keyDown', key: 'Enter' });
    expect(steps[5]).toEqual(flow.steps[5]);
    expect(steps[6]!.parameters).toEqual({ password: '[redacted]', user: 'ann' });
    expect([...secrets]).toEqual([
      ['LEGIBLE_SECRET_TOKEN', 'abc'],
      ['LEGIBLE_SECRET_API_TOKEN', 'k-123'],
    ]);
    // Protecting twice changes nothing, and the result still parses as a journey.
    expect(protectFlow(safe).flow).toEqual(safe);
    expect(parseJourney(JSON.stringify(safe), 'login.json').steps).toHaveLength(7);
  });

  it('refers by variable to the values of the steps a run found typing into secret fields, whatever their selectors', () => {
    const flow = {
      title: 't',
      steps: [
        { type: 'navigate', url: 'http://h/' },
        { type: 'change', selectors: [['#f1']], value: 'zebra9' },
        { type: 'change', selectors: [['#f2']], value: 'plain' },
        { type: 'change', selectors: [['#f3']], value: '${LEGIBLE_SECRET_OTHER}' },
      ],
    };
    // Step numbers are 1-based, as the run's verdicts count them.
    const { flow: safe, secrets } = protectFlow(flow, new Map([[2, 'LEGIBLE_SECRET_CODE'], [4, 'LEGIBLE_SECRET_F3']]));
    const steps = (safe as typeof flow).steps;
    expect(steps.map((step) => (step as { value?: string }).value)).toEqual([undefined, '${LEGIBLE_SECRET_CODE}', 'plain', '${LEGIBLE_SECRET_OTHER}']);
    expect([...secrets]).toEqual([['LEGIBLE_SECRET_CODE', 'zebra9']]);
  });
});

describe('the --no-evaluate gate', () => {
  const journey = parseJourney(
    JSON.stringify({
      title: 't',
      steps: [
        { type: 'navigate', url: 'http://h/' },
        { type: 'waitForExpression', expression: 'window.ready' },
        { type: 'navigate', url: ' JavaScript:alert(1)' },
        { type: 'customStep', name: 'legible.expect', parameters: { type: 'js', expression: 'true' } },
        { type: 'customStep', name: 'legible.expect', parameters: { type: 'text', text: 'ok' } },
        { type: 'waitForElement', selectors: ['#ok'] },
      ],
    }),
    't.json',
  );

  it('finds every route by which a journey runs page JavaScript', () => {
    expect(pageScriptRoutes(journey, [{ type: 'js', expression: 'document.title' }, { type: 'text', text: 'x' }])).toEqual([
      'step 2 (waitForExpression)',
      'step 3 (navigate to a javascript: URL)',
      'step 4 (a js expectation)',
      'the expectation "js:document.title"',
    ]);
  });

  it('refuses them with an error that names the flag, and lets the rest through', () => {
    expect(() => refusePageScript(journey)).toThrow(LegibleError);
    expect(() => refusePageScript(journey)).toThrow(/^--no-evaluate forbids running JavaScript in the page, and step 2 \(waitForExpression\), step 3 .* would run some; nothing was run\.$/);
    expect(() => refusePageScript({ steps: journey.steps.filter((step) => step.type === 'waitForElement') }, [{ type: 'noConsoleErrors' }])).not.toThrow();
  });
});
