import { describe, expect, it } from 'vitest';
import { REDACTED, SECRET_REFERENCE, isSecretName, isSecretVariable, maskTyped, redactBody, redactHeaders, redactJson, redactNamedValues, redactText, redactUrl } from '../../src/util/redact.js';

describe('isSecretName', () => {
  it('knows credential headers, parameters and fields in any spelling', () => {
    for (const name of [
      'Authorization',
      'proxy-authorization',
      'Cookie',
      'Set-Cookie',
      'X-Api-Key',
      'x-goog-api-key',
      'apiKey',
      'api_key',
      'access_token',
      'refreshToken',
      'X-CSRF-Token',
      'client_secret',
      'password',
      'newPassword',
      'passwd',
      'pwd',
      'pass',
      'x-auth',
      'auth',
      'PHPSESSID',
      'sessionId',
      'pin',
      'otp_code',
      'X-Amz-Signature',
      'privateKey',
      'credentials',
      'jwt',
    ]) {
      expect(isSecretName(name), name).toBe(true);
    }
  });

  it('leaves ordinary names alone, also ones that merely contain a short secret word', () => {
    for (const name of ['content-type', 'user', 'author', 'authenticated', 'passed', 'passenger', 'bypass', 'spin', 'footprint', 'key', 'keyCode', 'WWW-Authenticate', 'referer', 'q', 'next', 'value', 'selectors']) {
      expect(isSecretName(name), name).toBe(false);
    }
  });
});

describe('redactText', () => {
  it('redacts query and fragment values, URL passwords and bearer credentials', () => {
    expect(redactUrl('http://h/login?next=%2Fhome&token=abc123&x=1#access_token=zz')).toBe(`http://h/login?next=%2Fhome&token=${REDACTED}&x=1#access_token=${REDACTED}`);
    expect(redactUrl('https://ann:hunter2@example.com/a')).toBe(`https://ann:${REDACTED}@example.com/a`);
    expect(redactUrl('http://h/a?api%5Fkey=k')).toBe(`http://h/a?api%5Fkey=${REDACTED}`);
    expect(redactText('sending Authorization: Bearer eyJhbGciOi.J9x-y')).toBe(`sending Authorization: Bearer ${REDACTED}`);
    expect(redactText('Basic dXNlcjpwYXNz')).toBe(`Basic ${REDACTED}`);
  });

  it('redacts form and text/plain pairs and JSON-looking pairs in log lines', () => {
    expect(redactText('user=ann&password=hunter2')).toBe(`user=ann&password=${REDACTED}`);
    expect(redactText('user=ann\r\npassword=hunter2\r\n')).toBe(`user=ann\r\npassword=${REDACTED}\r\n`);
    expect(redactText('login {"user":"ann","password":"hun\\"ter2"}')).toBe(`login {"user":"ann","password":"${REDACTED}"}`);
    expect(redactText("{apiKey: 'k-1', n: 2}")).toBe(`{apiKey: '${REDACTED}', n: 2}`);
    expect(redactText('{"pin": 1234}')).toBe(`{"pin": "${REDACTED}"}`);
  });

  it('keeps prose, references to secrets and what is already redacted', () => {
    for (const text of ['Password: required', 'Basic authentication failed', 'text "Signed in" is visible', 'token=${LEGIBLE_SECRET_TOKEN}', `password=${REDACTED}`, 'http://h/a?q=red+shoes', 'navigate to http://127.0.0.1:4000/x']) {
      expect(redactText(text)).toBe(text);
    }
  });

  it('is idempotent', () => {
    const once = redactText('a?token=1&b=2 Bearer abcdefgh1 {"secret":"x"}');
    expect(redactText(once)).toBe(once);
  });
});

describe('redactNamedValues', () => {
  it('redacts secret header values in name/value lists and secrets in strings, and keeps a schema\'s keys', () => {
    const event = {
      name: 'ResourceReceiveResponse',
      args: { data: { sessionId: 'S1', url: 'http://a.test/?token=abc123', headers: [{ name: 'X-Auth-Token', value: 'hdrSECRET' }, { name: 'Content-Type', value: 'text/html' }] } },
    };
    expect(redactNamedValues(event)).toEqual({
      name: 'ResourceReceiveResponse',
      args: { data: { sessionId: 'S1', url: `http://a.test/?token=${REDACTED}`, headers: [{ name: 'X-Auth-Token', value: REDACTED }, { name: 'Content-Type', value: 'text/html' }] } },
    });
  });
});

describe('redactBody and redactJson', () => {
  it('redacts secret fields of JSON bodies at any depth, whatever their value', () => {
    const body = JSON.stringify({ user: 'ann', password: 'hunter2', profile: { apiKey: 'k', tags: ['a'] }, credentials: { a: 1 }, list: [{ token: 't' }] });
    expect(JSON.parse(redactBody(body, 'application/json'))).toEqual({ user: 'ann', password: REDACTED, profile: { apiKey: REDACTED, tags: ['a'] }, credentials: REDACTED, list: [{ token: REDACTED }] });
  });

  it('redacts form-encoded and text/plain bodies, and text that only looks like JSON', () => {
    expect(redactBody('user=ann&password=x&token=y', 'application/x-www-form-urlencoded')).toBe(`user=ann&password=${REDACTED}&token=${REDACTED}`);
    expect(redactBody('user=ann\npassword=x', 'text/plain')).toBe(`user=ann\npassword=${REDACTED}`);
    expect(redactBody('{not json, "password": "x"', 'application/json')).toBe(`{not json, "password": "${REDACTED}"`);
    expect(redactBody('plain text', 'text/plain')).toBe('plain text');
  });

  it('keeps secret references in JSON', () => {
    expect(redactJson({ password: '${LEGIBLE_SECRET_PASSWORD}', url: 'http://h/?token=${LEGIBLE_SECRET_TOKEN}' })).toEqual({
      password: '${LEGIBLE_SECRET_PASSWORD}',
      url: 'http://h/?token=${LEGIBLE_SECRET_TOKEN}',
    });
  });
});

describe('redactHeaders', () => {
  it('redacts credential headers and secrets inside other headers, keeping the rest', () => {
    expect(
      redactHeaders({ Authorization: 'Bearer x', cookie: 'sid=1', 'Set-Cookie': 'a=1', 'X-Api-Key': 'k', 'x-auth-token': 't', Referer: 'http://h/login?token=abc', 'content-type': 'application/json; charset=utf-8' }),
    ).toEqual({
      Authorization: REDACTED,
      cookie: REDACTED,
      'Set-Cookie': REDACTED,
      'X-Api-Key': REDACTED,
      'x-auth-token': REDACTED,
      Referer: `http://h/login?token=${REDACTED}`,
      'content-type': 'application/json; charset=utf-8',
    });
  });
});

describe('maskTyped', () => {
  it('shows a password as up to eight bullets, as the snapshot does', () => {
    expect(maskTyped('hunter2')).toBe('•••••••');
    expect(maskTyped('a much longer passphrase')).toBe('••••••••');
  });
});

describe('secret references', () => {
  it('knows the variables a reference may name, and nothing else (a run record read back may hold anything)', () => {
    expect(isSecretVariable('LEGIBLE_SECRET_CODE')).toBe(true);
    for (const text of ['LEGIBLE_SECRET_', 'LEGIBLE_SECRET_a', 'LEGIBLE_SECRET_X} "x', 'PATH', 42, undefined]) expect(isSecretVariable(text), String(text)).toBe(false);
    expect('a ${LEGIBLE_SECRET_PASSWORD} b'.replace(SECRET_REFERENCE, '<$1>')).toBe('a <LEGIBLE_SECRET_PASSWORD> b');
  });
});
