import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { groupOf, refOf, useLegible } from '../helpers/e2e.js';
import { logins } from '../helpers/fixtureServer.js';
import { SERVER_ENTRY } from '../helpers/mcpClient.js';

const run = promisify(execFile);

/** Every credential test/fixtures/login.html (and the fixture server behind it) plants, by where it travels. */
const SECRETS = {
  typedPassword: 'typedpwSECRET0d5a',
  // What login.html logs as the password is typed, one key short of it.
  typedPasswordPrefix: 'typedpwSECRET0d5',
  navigationToken: 'navtokenSECRET1e2f',
  bearer: 'bearerSECRET7f3a',
  cookie: 'cookieSECRET81c2',
  setCookie: 'setcookieSECRET5d9e',
  nestedApiKey: 'nestedkeySECRET2b6c',
  xApiKey: 'xapikeySECRET9e4d',
  queryToken: 'querytokenSECRET3a8f',
  formPassword: 'formpwSECRET6c1b',
  plainTextPassword: 'plainpwSECRET4f7e',
  responseToken: 'resptokenSECRET8a1c',
  failedResponseToken: 'failtokenSECRET7b3d',
  keyByKeyPassword: 'KeyPw-SECRET9d1',
  // Typed by a hand-written journey into test/fixtures/member.html's fields, which only the page calls secret.
  memberCode: 'membercodeSECRET3c7e',
  revealedPassword: 'revealedpwSECRET5a2d',
};

/** Videos and images hold pixels, not text: they are the only files the scan skips. */
const BINARY = /\.(mp4|webm|webp|png|jpe?g)$/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** `file: secret` for each planted secret found in a text file under `dir`. */
function leaks(dir: string): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir).filter((f) => !BINARY.test(f))) {
    const text = readFileSync(file, 'utf8');
    for (const [kind, secret] of Object.entries(SECRETS)) if (text.includes(secret)) found.push(`${relative(dir, file)}: ${kind}`);
  }
  return found;
}

function leaksIn(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, secret]) => text.includes(secret))
    .map(([kind]) => kind);
}

describe('secrets stay out of what Legible writes and shares', () => {
  const e2e = useLegible({ outputDir: 'secrets' });

  it('a session full of credentials leaves none in the report folder, runs/, sidecars or saved journeys', async () => {
    const answers: Record<string, string> = {};
    await e2e.call('record', { action: 'start', label: 'manual' });
    // The agent gave this URL itself, so navigate's answer may show it; what follows may not.
    await e2e.open(`/login.html?token=${SECRETS.navigationToken}`);
    const page = await e2e.snapshot();
    await e2e.call('type', { ref: refOf(page, 'textbox', 'User name'), text: 'ann' });
    answers.type = await e2e.call('type', { ref: refOf(page, 'textbox', 'Password'), text: SECRETS.typedPassword });
    answers.click = await e2e.call('click', { ref: refOf(page, 'button', 'Sign in') });
    expect(answers.click).toContain('Signed in as ann');
    answers.recordStop = await e2e.call('record', { action: 'stop' });
    expect(logins.at(-1)?.password).toBe(SECRETS.typedPassword);

    const list = await e2e.call('network', { all: true });
    const loginId = groupOf(list, /(r\d+) POST \/api\/login/);
    answers.networkDetails = await e2e.call('network', { id: loginId, saveBody: true });
    for (const [id, path] of [[groupOf(list, /(r\d+) POST \/api\/form-login/), 'form'], [groupOf(list, /(r\d+) POST \/api\/notes/), 'notes']]) {
      answers[`network ${path}`] = await e2e.call('network', { id });
    }
    answers.saved = await e2e.call('journey', { action: 'save', name: 'login', expect: ['text:Signed in as ann'] });
    answers.run = await e2e.call('journey', { action: 'run', journey: 'login', record: 'login' });
    answers.report = await e2e.call('report', { run: 'login', name: 'login-report' });

    // Files first: the report folder, runs/, the recordings' sidecars, the saved journey, a saved body.
    const files = filesUnder(e2e.outputDir).map((file) => relative(e2e.outputDir, file));
    for (const expected of [/^reports\/login-report\/journey\.json$/, /^reports\/login-report\/login\.har$/, /^reports\/login-report\/login-run\.json$/, /^reports\/login-report\/login-console\.log$/, /^reports\/login-report\/report\.html$/, /^runs\/run-1-\d+\.json$/, /^journeys\/login\.json$/, /^manual-.*\.recording\.json$/, /^login-.*\.recording\.json$/, /^body-r\d+-.*\.json$/]) {
      expect(files.some((file) => expected.test(file)), `${expected} among ${files.join(', ')}`).toBe(true);
    }
    expect(leaks(e2e.outputDir)).toEqual([]);
    // The failed request's body is kept in the report's HAR (so the scan above looked at it), redacted.
    const har = JSON.parse(readFileSync(join(e2e.outputDir, 'reports', 'login-report', 'login.har'), 'utf8'));
    const audit = har.log.entries.find((entry: { request: { url: string } }) => entry.request.url.endsWith('/api/audit'));
    expect(JSON.parse(audit.response.content.text)).toEqual({ error: 'audit service down', session_token: '[redacted]' });

    // The answers an agent shares (pasted into an issue, a chat) carry none either.
    for (const [tool, text] of Object.entries(answers)) expect(leaksIn(text), `${tool}:\n${text}`).toEqual([]);
    expect(answers.type).toMatch(/Typed "•+" into textbox "Password"/);
    expect(answers.networkDetails).toContain('showSecrets');

    // The journey still replays: it names the secrets by environment variable, filled in this session.
    expect(answers.run, answers.run).toContain('PASSED');
    expect(logins.at(-1)?.password).toBe(SECRETS.typedPassword);
    const flow = readFileSync(join(e2e.outputDir, 'journeys', 'login.json'), 'utf8');
    expect(flow).toContain('"value": "${LEGIBLE_SECRET_PASSWORD}"');
    expect(flow).toContain('?token=${LEGIBLE_SECRET_TOKEN}');
    expect(answers.saved).toContain('LEGIBLE_SECRET_PASSWORD');
  });

  it('shows the credentials in the live network answer only when asked with showSecrets', async () => {
    const list = await e2e.call('network', { all: true });
    const loginId = groupOf(list, /(r\d+) POST \/api\/login/);
    const shown = await e2e.call('network', { id: loginId, showSecrets: true });
    for (const secret of [SECRETS.bearer, SECRETS.xApiKey, SECRETS.queryToken, SECRETS.nestedApiKey, SECRETS.typedPassword, SECRETS.setCookie, SECRETS.responseToken]) expect(shown).toContain(secret);
  });

  it('replays a saved password from its environment variable, and names the variable when it is missing', async () => {
    const journey = join(e2e.outputDir, 'journeys', 'login.json');
    const missing = await run(process.execPath, [SERVER_ENTRY, 'run', journey, '--output-dir', e2e.outputDir]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(missing.code, missing.stdout).toBe(1);
    expect(missing.stdout).toMatch(/the environment variable LEGIBLE_SECRET_TOKEN is not set/);

    const env = { ...process.env, LEGIBLE_SECRET_TOKEN: 'from-env-token', LEGIBLE_SECRET_PASSWORD: 'from-env-password' };
    const passed = await run(process.execPath, [SERVER_ENTRY, 'run', journey, '--output-dir', e2e.outputDir], { env });
    expect(passed.stdout).toContain('PASSED');
    expect(logins.at(-1)?.password).toBe('from-env-password');
    expect(passed.stdout).not.toContain('from-env');
    const written = filesUnder(e2e.outputDir).filter((file) => !BINARY.test(file) && readFileSync(file, 'utf8').includes('from-env-password'));
    expect(written).toEqual([]);
  });

  it('masks a password typed key by key with press_key, and journals it as one change step naming the secret', async () => {
    await e2e.call('journey', { action: 'save', mark: true });
    await e2e.open('/login.html');
    const page = await e2e.snapshot();
    await e2e.call('type', { ref: refOf(page, 'textbox', 'User name'), text: 'bob' });
    await e2e.call('click', { ref: refOf(page, 'textbox', 'Password') });
    await e2e.call('record', { action: 'start', label: 'keys' });
    const pressed: string[] = [];
    for (const key of SECRETS.keyByKeyPassword) pressed.push(await e2e.call('type', { key }));
    pressed.push(await e2e.call('type', { key: 'Backspace' }));
    // Keys named by their code type characters too ("KeyQ" types q): masked all the same.
    for (const key of ['7', 'KeyQ', 'Digit4', 'Shift+KeyZ', 'Space']) pressed.push(await e2e.call('type', { key }));
    const stop = await e2e.call('record', { action: 'stop' });
    await e2e.call('click', { ref: refOf(page, 'button', 'Sign in') });
    const typed = `${SECRETS.keyByKeyPassword.slice(0, -1)}7q4Z `;
    expect(logins.at(-1)?.password).toBe(typed);
    for (const answer of pressed.filter((_, i) => i !== SECRETS.keyByKeyPassword.length)) expect(answer).toMatch(/^Pressed • in a password field \(a password: journeys keep \$\{LEGIBLE_SECRET_PASSWORD\} instead\)\./);
    expect(pressed[SECRETS.keyByKeyPassword.length]).toMatch(/^Pressed Backspace in a password field/);
    // The recording's action list (its captions and filmstrip) shows only the mask.
    expect(stop).toMatch(/Pressing • in a password field/);
    expect(stop).not.toMatch(/Pressing [^•B]/);
    for (const answer of pressed) expect(answer).not.toMatch(/KeyQ|Digit4|KeyZ|Space/);

    const saved = await e2e.call('journey', { action: 'save', name: 'login-keys', expect: ['text:Signed in as bob'] });
    const flow = JSON.parse(readFileSync(groupOf(saved, /to (\S+\.json):/), 'utf8')) as { steps: { type: string; key?: string; value?: string }[] };
    // No key steps spell the password out; one change step refers to it.
    expect(flow.steps.filter((step) => step.type === 'keyDown' || step.type === 'keyUp')).toEqual([]);
    expect(flow.steps.filter((step) => step.value === '${LEGIBLE_SECRET_PASSWORD}')).toHaveLength(1);
    expect(leaks(e2e.outputDir)).toEqual([]);
    // Replayed in this session, the field gets what was typed (with the Backspace applied).
    expect(await e2e.call('journey', { action: 'run', journey: 'login-keys' })).toContain('PASSED');
    expect(logins.at(-1)?.password).toBe(typed);
  });

  it('masks what a hand-written journey types into fields only the page calls secret, in every file and answer', async () => {
    // The journey file itself holds the secrets, as written by hand: the scan below looks at every other file.
    const dir = join(e2e.outputDir, 'hand-written');
    mkdirSync(dir);
    try {
      const journey = join(dir, 'member.json');
      const steps = [
        { type: 'navigate', url: `${e2e.fixtures.url}/member.html` },
        { type: 'change', selectors: [['#f1']], value: SECRETS.memberCode },
        { type: 'change', selectors: [['#f2']], value: SECRETS.revealedPassword },
        { type: 'click', selectors: [['#go']] },
      ];
      writeFileSync(journey, JSON.stringify({ title: 'member', steps }));
      const answers: Record<string, string> = {};
      answers.run = await e2e.call('journey', { action: 'run', journey, record: 'member', expect: ['text:Inside with 20 and 20 characters'] });
      expect(answers.run).toContain('PASSED');
      expect(answers.run).toMatch(/change #f1 to "•+"/);
      expect(answers.run).toMatch(/change #f2 to "•+"/);
      answers.report = await e2e.call('report', { run: 'member', name: 'member-report' });
      // The report's copy of the journey refers to them by variable, named after the fields, as a recorded journey does.
      const copy = join(e2e.outputDir, 'reports', 'member-report', 'journey.json');
      const kept = (JSON.parse(readFileSync(copy, 'utf8')) as { steps: { value?: string }[] }).steps.map((step) => step.value);
      expect(kept).toEqual([undefined, '${LEGIBLE_SECRET_CODE}', '${LEGIBLE_SECRET_WORDS}', undefined]);
      // This session remembers what the run typed, so the report's copy replays here.
      expect(await e2e.call('journey', { action: 'run', journey: copy, expect: ['text:Inside with 20 and 20 characters'] })).toContain('PASSED');
      // A step that fails to type (the field is disabled) still has its value in the file: masked all the same.
      const failing = join(dir, 'member-old.json');
      writeFileSync(failing, JSON.stringify({ title: 'member-old', steps: [steps[0], { type: 'change', selectors: [['#f3']], value: SECRETS.memberCode }] }));
      answers.failed = await e2e.call('journey', { action: 'run', journey: failing });
      expect(answers.failed).toMatch(/✗ 2\. change #f3 to "•+" — failed: That field is disabled/);
      expect(leaks(e2e.outputDir).filter((found) => !/^hand-written\/member(-old)?\.json:/.test(found))).toEqual([]);
      for (const [tool, text] of Object.entries(answers)) expect(leaksIn(text), `${tool}:\n${text}`).toEqual([]);

      // The agent's own typing into the revealed password: masked in the answer and the outline, as a password input is.
      const page = await e2e.openAndSnapshot('/member.html');
      answers.type = await e2e.call('type', { ref: refOf(page, 'textbox', 'Phrase'), text: SECRETS.revealedPassword });
      expect(answers.type).toMatch(/Typed "•+" into textbox "Phrase" \[e\d+\] \(a password: journeys keep \$\{LEGIBLE_SECRET_WORDS\} instead\)/);
      expect(await e2e.snapshot()).toMatch(/textbox "Phrase" \[ref=e\d+\] \[value="•+"\]/);
      expect(leaksIn(answers.type)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
