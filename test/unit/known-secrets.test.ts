import { describe, expect, it } from 'vitest';
import { SessionSecrets } from '../../src/journey/secrets.js';
import { REDACTED, redactBody, redactText } from '../../src/util/redact.js';

// Module state: this file's own (vitest runs each test file in its own module graph).
describe('a secret known by its value', () => {
  const secrets = new SessionSecrets();

  it('is redacted wherever it appears, whatever the name around it, in each way a page sends it', () => {
    secrets.remember('LEGIBLE_SECRET_CODE', 'ab c&d"e/f');
    expect(redactText('checking ab c&d"e/f now')).toBe(`checking ${REDACTED} now`);
    expect(redactText('q=ab%20c%26d%22e%2Ff&x=1')).toBe(`q=${REDACTED}&x=1`);
    expect(redactText('q=ab+c%26d%22e%2Ff')).toBe(`q=${REDACTED}`);
    expect(redactBody(JSON.stringify({ echo: 'ab c&d"e/f', other: 'kept' }), 'application/json')).toBe(JSON.stringify({ echo: REDACTED, other: 'kept' }));
  });

  it('is not remembered when short: a few characters would blank ordinary words and numbers', () => {
    secrets.remember('LEGIBLE_SECRET_PIN', '1234');
    expect(redactText('order 1234 shipped')).toBe('order 1234 shipped');
  });

  it('typed key by key, is known as the whole value, not by each shorter prefix', () => {
    for (const value of ['hunter', 'hunter2', 'hunter22']) secrets.remember('LEGIBLE_SECRET_PASSWORD', value);
    expect(redactText('the hunter went home')).toBe('the hunter went home');
    expect(redactText('pw hunter22!')).toBe(`pw ${REDACTED}!`);
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
});
