/** Who may talk to legible-mcp --port: Host, Origin and token checks (DNS rebinding, other sites, strangers). */
import { describe, expect, it } from 'vitest';
import { checkRequest } from '../../src/http/guard.js';
import { isLoopbackHost } from '../../src/http/loopback.js';

const local = { host: '127.0.0.1', allowedOrigins: ['https://ide.example'] };

describe('checkRequest', () => {
  it('accepts programs (no Origin) and loopback pages on a loopback server', () => {
    expect(checkRequest({ host: '127.0.0.1:4000' }, local)).toBeUndefined();
    expect(checkRequest({ host: 'localhost:4000', origin: 'http://localhost:5173' }, local)).toBeUndefined();
    expect(checkRequest({ host: '[::1]:4000', origin: 'http://127.0.0.1:3000' }, local)).toBeUndefined();
    expect(checkRequest({ host: '127.0.0.1:4000', origin: 'https://ide.example' }, local)).toBeUndefined();
  });

  it('refuses a rebound Host, another site\'s Origin and a broken Origin with 403', () => {
    expect(checkRequest({ host: 'evil.example:4000' }, local)?.status).toBe(403);
    expect(checkRequest({}, local)?.status).toBe(403);
    expect(checkRequest({ host: '127.0.0.1:4000', origin: 'http://evil.example' }, local)?.status).toBe(403);
    expect(checkRequest({ host: '127.0.0.1:4000', origin: 'https://ide.example.evil.com' }, local)?.status).toBe(403);
    expect(checkRequest({ host: '127.0.0.1:4000', origin: 'null' }, local)?.status).toBe(403);
  });

  it('wants the bearer token when there is one (401), compared whole', () => {
    const guarded = { ...local, token: 'abc123' };
    expect(checkRequest({ host: '127.0.0.1' }, guarded)).toEqual({ status: 401, message: expect.stringContaining('Authorization: Bearer') });
    expect(checkRequest({ host: '127.0.0.1', authorization: 'Bearer abc12' }, guarded)?.status).toBe(401);
    expect(checkRequest({ host: '127.0.0.1', authorization: 'Basic abc123' }, guarded)?.status).toBe(401);
    expect(checkRequest({ host: '127.0.0.1', authorization: 'Bearer abc123' }, guarded)).toBeUndefined();
    expect(checkRequest({ host: '127.0.0.1', authorization: 'bearer abc123' }, guarded)).toBeUndefined();
  });

  it('leaves the Host to the token on a public address', () => {
    expect(checkRequest({ host: 'legible.internal:4000', authorization: 'Bearer t' }, { host: '0.0.0.0', token: 't', allowedOrigins: [] })).toBeUndefined();
  });

  it('knows the loopback names', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'app.localhost']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '10.0.0.1', 'localhost.evil.com', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });
});
