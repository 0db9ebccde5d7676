import { describe, expect, it } from 'vitest';
import { protectFlow, SessionSecrets } from '../../src/journey/secrets.js';
import { REDACTED, redactBody, redactText } from '../../src/util/redact.js';

// Module state: this file's own (vitest runs each test file in its own module graph).
describe('a secret known by its value', () => {
  const secrets = new SessionSecrets();

  it('is redacted wherever it appears, whatever the name around it, in each way a page or server writes it', () => {
    secrets.remember('LEGIBLE_SECRET_CODE', `ab c&d"e/f!'(x)~`);
    expect(redactText(`checking ab c&d"e/f!'(x)~ now`)).toBe(`checking ${REDACTED} now`);
    // encodeURIComponent's, and a form post's / URLSearchParams' (which also encodes !'()~, and a space as +).
    expect(redactText(`q=${encodeURIComponent(`ab c&d"e/f!'(x)~`)}&x=1`)).toBe(`q=${REDACTED}&x=1`);
    expect(redactText(`u=ann&q=${new URLSearchParams({ q: `ab c&d"e/f!'(x)~` }).toString().slice(2)}`)).toBe(`u=ann&q=${REDACTED}`);
    expect(redactBody(JSON.stringify({ echo: `ab c&d"e/f!'(x)~`, other: 'kept' }), 'application/json')).toBe(JSON.stringify({ echo: REDACTED, other: 'kept' }));
    // In a JSON string not parsed (a log line), with "\/" as PHP writes it, and HTML-escaped.
    expect(redactText(`{"v":"ab c&d\\"e\\/f!'(x)~"}`)).toBe(`{"v":"${REDACTED}"}`);
    expect(redactText(`<p>ab c&amp;d&quot;e/f!&#39;(x)~</p>`)).toBe(`<p>${REDACTED}</p>`);
  });

  it('is not remembered when short: a few characters would blank ordinary words and numbers', () => {
    secrets.remember('LEGIBLE_SECRET_PIN', '1234');
    expect(redactText('order 1234 shipped')).toBe('order 1234 shipped');
  });

  it('matches whole: not inside a longer word or number', () => {
    secrets.remember('LEGIBLE_SECRET_NUMBER', '123456');
    expect(redactText('id 1712345678, code 123456.')).toBe(`id 1712345678, code ${REDACTED}.`);
  });

  it('is known with the prefixes a page may log as it is typed, and stays known when typed key by key', () => {
    for (const value of ['hunter', 'hunter2', 'hunter2!x']) secrets.remember('LEGIBLE_SECRET_PASSWORD', value);
    expect(redactText('typed so far: hunter2!')).toBe(`typed so far: ${REDACTED}`);
    expect(redactText('pw hunter2!x!')).toBe(`pw ${REDACTED}!`);
    expect(redactText('the hunters went home')).toBe('the hunters went home');
    // Another session typing the same value and more takes nothing away.
    new SessionSecrets().remember('LEGIBLE_SECRET_PASSWORD', 'hunter2!xy');
    expect(redactText('pw hunter2!x')).toBe(`pw ${REDACTED}`);
  });

  it('does not make ordinary words of its prefixes secret', () => {
    secrets.remember('LEGIBLE_SECRET_WORDS', 'password123');
    secrets.remember('LEGIBLE_SECRET_NEXT', 'javascript:alert(document.cookie)');
    expect(redactText('the password field; javascript is off')).toBe('the password field; javascript is off');
    expect(redactText('typed password12')).toBe(`typed ${REDACTED}`);
    expect(redactText('go javascript:alert(1)')).toBe('go javascript:alert(1)');
  });

  it('filled in from the environment at replay is known too', () => {
    process.env.LEGIBLE_SECRET_KNOWN_TEST = 'from-the-env-42';
    try {
      expect(secrets.lookup('LEGIBLE_SECRET_KNOWN_TEST')).toBe('from-the-env-42');
      expect(redactText('sent from-the-env-42')).toBe(`sent ${REDACTED}`);
    } finally {
      delete process.env.LEGIBLE_SECRET_KNOWN_TEST;
    }
  });

  it('treats regular-expression characters in a value as themselves', () => {
    secrets.remember('LEGIBLE_SECRET_X', 'a.b*c(d)[e]');
    expect(redactText('axb*c(d)[e] a.b*c(d)[e]')).toBe(`axb*c(d)[e] ${REDACTED}`);
  });

  it('is left in a saved journey outside its secret fields: a user name equal to the password, a selector naming it', () => {
    secrets.remember('LEGIBLE_SECRET_PASSWORD', 'tester1');
    secrets.remember('LEGIBLE_SECRET_PASSWORD', 'password');
    const flow = { title: 't', steps: [
      { type: 'change', selectors: [['#user']], value: 'tester1' },
      { type: 'click', selectors: [['#password']] },
    ] };
    const saved = JSON.stringify(protectFlow(flow).flow);
    expect(saved).toContain('"value":"tester1"');
    expect(saved).toContain('"#password"');
  });
});
