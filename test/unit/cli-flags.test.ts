import { describe, expect, it } from 'vitest';
import { parseFlags, USAGE } from '../../src/cli/flags.js';
import { backendHeaders } from '../../src/config/backendHeaders.js';
import { LegibleError } from '../../src/util/errors.js';

function failure(argv: string[]): LegibleError {
  try {
    parseFlags(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(LegibleError);
    return error as LegibleError;
  }
  throw new Error(`parseFlags(${JSON.stringify(argv)}) should have failed`);
}

function config(argv: string[]) {
  const command = parseFlags(argv);
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command.config;
}

describe('parseFlags', () => {
  it('serves with the defaults when given nothing', () => {
    expect(config([])).toEqual({
      headed: false,
      viewport: { width: 1280, height: 720 },
      chromeArgs: [],
      evaluate: true,
      outputDir: 'recordings',
      root: '.',
      logEntries: 1_000_000,
      maxSpans: 100_000,
      maxSamples: 5_000_000,
      navigationTimeout: 15_000,
      pageTimeout: 10_000,
      backendTimeout: 10_000,
      timerWait: 1_000,
      reuseTab: false,
      runTimeout: 600_000,
      journeyDirs: [],
    });
  });

  it('reads every browser and server flag', () => {
    expect(
      config([
        '--executable-path', '/usr/bin/chromium',
        '--headed',
        '--viewport', '800x600',
        '--user-data-dir', '/tmp/profile',
        '--chrome-arg=--lang=de',
        '--chrome-arg', 'ignore-certificate-errors',
        '--no-evaluate',
        '--output-dir', 'out',
        '--navigation-timeout', '30000',
        '--page-timeout', '2500',
        '--root', 'test',
        '--log-entries', '5000',
        '--otlp-port', '4318',
        '--max-spans', '2000',
        '--max-samples', '30000',
        '--timer-wait', '0',
        '--run-timeout', '60000',
        '--journey-dir', 'flows',
        '--journey-dir', '/srv/flows',
      ]),
    ).toEqual({
      executablePath: '/usr/bin/chromium',
      headed: true,
      viewport: { width: 800, height: 600 },
      userDataDir: '/tmp/profile',
      chromeArgs: ['--lang=de', 'ignore-certificate-errors'],
      evaluate: false,
      outputDir: 'out',
      root: 'test',
      logEntries: 5_000,
      otlpPort: 4318,
      maxSpans: 2_000,
      maxSamples: 30_000,
      navigationTimeout: 30_000,
      pageTimeout: 2_500,
      backendTimeout: 10_000,
      timerWait: 0,
      reuseTab: false,
      runTimeout: 60_000,
      journeyDirs: ['flows', '/srv/flows'],
    });
  });

  it('reads the team backends: URLs, the traces API, forwarding, the time limit', () => {
    expect(
      config([
        '--metrics-url', 'http://prometheus:9090',
        '--logs-url', 'https://loki.example.com/',
        '--traces-url', 'http://jaeger:16686',
        '--traces-api', 'jaeger',
        '--otlp-forward', 'http://collector:4318',
        '--backend-timeout', '2500',
      ]),
    ).toMatchObject({ metricsUrl: 'http://prometheus:9090', logsUrl: 'https://loki.example.com/', tracesUrl: 'http://jaeger:16686', tracesApi: 'jaeger', otlpForward: 'http://collector:4318', backendTimeout: 2_500 });
    expect(failure(['--traces-api', 'zipkin']).message).toContain('--traces-api takes tempo or jaeger');
    expect(failure(['--metrics-url', 'prometheus:9090']).message).toContain('--metrics-url: expected an http:// or https:// URL');
    expect(failure(['--backend-timeout', '0']).message).toContain('--backend-timeout takes a whole number');
  });

  it('refuses credentials in a backend URL and says where they go instead, without echoing them', () => {
    const error = failure(['--logs-url', 'http://admin:hunter2@loki:3100']);
    expect(error.message).toContain('--logs-url: put credentials in the LEGIBLE_*_HEADERS environment variables');
    expect(error.message).not.toContain('hunter2');
  });

  it('reads backend headers from the environment only, and refuses a malformed variable at start-up without echoing its value', () => {
    const env = { LEGIBLE_METRICS_HEADERS: 'Authorization=Bearer%20s3cret-token,X-Scope-OrgID=team-a' };
    expect(backendHeaders('metrics', env)).toEqual({ Authorization: 'Bearer s3cret-token', 'X-Scope-OrgID': 'team-a' });
    expect(() => parseFlags(['--metrics-url', 'http://prom:9090'], env)).not.toThrow();
    for (const bad of ['Authorization Bearer s3cret-token', 'Bad Name=s3cret-token', 'X=%zzs3cret-token']) {
      const error = (() => {
        try {
          parseFlags(['--metrics-url', 'http://prom:9090'], { LEGIBLE_METRICS_HEADERS: bad });
        } catch (caught) {
          return caught as LegibleError;
        }
        throw new Error(`${bad} should have been refused`);
      })();
      expect(error).toBeInstanceOf(LegibleError);
      expect(error.message).toContain('LEGIBLE_METRICS_HEADERS, pair 1 of 1');
      expect(`${error.message} ${error.hint}`).not.toContain('s3cret');
    }
    // Only the variables of the backends in use are read.
    expect(() => parseFlags([], { LEGIBLE_METRICS_HEADERS: 'no equals sign' })).not.toThrow();
  });

  it('attaches to a running browser by URL or WebSocket', () => {
    expect(config(['--browser-url', 'http://127.0.0.1:9222']).browserUrl).toBe('http://127.0.0.1:9222');
    expect(config(['--browser-url', 'http://127.0.0.1:9222', '--reuse-tab']).reuseTab).toBe(true);
    expect(failure(['--reuse-tab']).message).toContain('--reuse-tab goes with --browser-url or --ws-endpoint');
    expect(config(['--ws-endpoint', 'ws://127.0.0.1:9222/devtools/browser/abc']).wsEndpoint).toBe('ws://127.0.0.1:9222/devtools/browser/abc');
  });

  it('answers --help and --version', () => {
    expect(parseFlags(['--help'])).toEqual({ kind: 'help' });
    expect(parseFlags(['-h'])).toEqual({ kind: 'help' });
    expect(parseFlags(['--version'])).toEqual({ kind: 'version' });
    expect(parseFlags(['-v'])).toEqual({ kind: 'version' });
  });

  it('refuses a bad viewport, naming the flag and the expected form', () => {
    for (const viewport of ['800by600', '800x', 'x600', '1x1']) {
      const error = failure(['--viewport', viewport]);
      expect(error.message).toBe('Invalid options: --viewport: viewport must look like 1280x720.');
      expect(error.hint).toBe('Run legible-mcp --help for the options.');
    }
  });

  it('refuses an unknown flag and points to --help', () => {
    const error = failure(['--frobnicate']);
    expect(error.message).toBe('Unknown option --frobnicate.');
    expect(error.hint).toBe('Run legible-mcp --help for the options.');
  });

  it('refuses positional arguments', () => {
    expect(failure(['http://localhost:3000']).message).toMatch(/positional/);
  });

  it('refuses a log size that is not a whole number of at least 1000', () => {
    for (const value of ['many', '10', '1e9.5']) {
      expect(failure([`--log-entries=${value}`]).message).toBe(`--log-entries takes a whole number of at least 1000, not ${JSON.stringify(value)}.`);
    }
  });

  it('refuses an OTLP port that is not a port, and caps below 1000', () => {
    for (const value of ['0', '65536', 'x', '-1', '4318.5']) {
      expect(failure([`--otlp-port=${value}`]).message).toBe(`--otlp-port takes a port number from 1 to 65535, not ${JSON.stringify(value)}.`);
    }
    expect(failure(['--max-spans=999']).message).toBe('--max-spans takes a whole number of at least 1000, not "999".');
    expect(failure(['--max-samples=lots']).message).toBe('--max-samples takes a whole number of at least 1000, not "lots".');
  });

  it('says which option it does not know, in a sentence with balanced quotes', () => {
    expect(failure(['run', 'x.json', '--bogus']).message).toBe('Unknown option --bogus.');
    expect(failure(['--bogus=1']).message).toBe('Unknown option --bogus.');
    expect(failure(['--viewport']).message).toBe('--viewport needs a value (write --viewport=VALUE when the value starts with a dash).');
    expect(failure(['--headed=yes']).message).toBe('--headed takes no value.');
  });

  it('refuses a --root that is missing or not a folder, at start-up', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'legible-flags-'));
    try {
      const missing = join(dir, 'nonexistent');
      expect(failure(['--root', missing]).message).toBe(`--root: there is no folder ${JSON.stringify(missing)}.`);
      expect(failure(['--root', 'no-such-folder']).message).toBe(`--root: there is no folder "no-such-folder" (${join(process.cwd(), 'no-such-folder')}).`);
      expect(failure(['--root', missing]).hint).toContain('the folder of the app under test');
      expect(failure(['--port', '0', '--root', missing]).message).toContain('--root: there is no folder');
      expect(failure(['daemon', '--root', missing]).message).toContain('--root: there is no folder');
      const file = join(dir, 'legible.config.json');
      writeFileSync(file, '{}');
      expect(failure(['--root', file]).message).toBe(`--root: ${JSON.stringify(file)} is a file, not a folder.`);
      expect(config(['--root', dir]).root).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an output folder that is a file, or lies under one', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'legible-flags-'));
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'x');
      expect(failure(['--output-dir', file]).message).toBe(`--output-dir: ${JSON.stringify(file)} is a file, not a folder.`);
      expect(failure(['--output-dir', join(file, 'inside')]).message).toBe(`--output-dir: ${JSON.stringify(file)}, on the way to ${JSON.stringify(join(file, 'inside'))}, is a file.`);
      expect(config(['--output-dir', join(dir, 'new', 'folder')]).outputDir).toBe(join(dir, 'new', 'folder'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses timeouts that are not whole positive numbers', () => {
    for (const value of ['abc', '0', '-5', '1.5']) {
      expect(failure([`--page-timeout=${value}`]).message).toBe(`--page-timeout takes a whole number of milliseconds, not ${JSON.stringify(value)}.`);
    }
    expect(failure(['--navigation-timeout', 'soon']).message).toContain('--navigation-timeout');
    expect(failure(['--timer-wait=-1']).message).toBe('--timer-wait takes a whole number of milliseconds (0 or more), not "-1".');
    expect(failure(['--timer-wait', '20000']).message).toMatch(/^Invalid options: --timer-wait: /);
  });

  it('refuses both ways of attaching at once, and endpoints of the wrong kind', () => {
    expect(failure(['--browser-url', 'http://127.0.0.1:9222', '--ws-endpoint', 'ws://127.0.0.1:9222/x']).message).toBe(
      'Invalid options: give either --browser-url or --ws-endpoint, not both.',
    );
    expect(failure(['--ws-endpoint', 'http://127.0.0.1:9222']).message).toMatch(/^Invalid options: --ws-endpoint: /);
    expect(failure(['--browser-url', 'ws://127.0.0.1:9222']).message).toMatch(/^Invalid options: --browser-url: /);
  });

  it('parses the run command: one journey file, --record, --report, and the browser flags', () => {
    expect(parseFlags(['run', 'j.json', '--record', '--report', 'out', '--headed'])).toMatchObject({
      kind: 'run',
      journey: 'j.json',
      run: { record: true, report: 'out', allowUnchecked: false },
      config: { headed: true },
    });
    expect(() => parseFlags(['run'])).toThrow(/run needs a journey file/);
    expect(() => parseFlags(['run', 'a.json', 'b.json'])).toThrow(/one journey file, not 2/);
    expect(() => parseFlags(['--record'])).toThrow(/--record goes with the run command/);
    expect(() => parseFlags(['--label', 'x', '--allow-unchecked'])).toThrow(/--label, --allow-unchecked go with the run command/);
  });

  it('parses a labelled run compared with an earlier one, and refuses what cannot work', () => {
    expect(parseFlags(['run', 'j.json', '--label', 'after', '--compare-with', 'before-report', '--report', 'cmp', '--allow-unchecked'])).toMatchObject({
      kind: 'run',
      run: { label: 'after', compareWith: 'before-report', report: 'cmp', allowUnchecked: true, record: false },
    });
    expect(failure(['run', 'j.json', '--compare-with', 'before-report']).message).toMatch(/--report DIR is missing/);
    expect(failure(['run', 'j.json', '--label', 'a/b']).message).toMatch(/--label takes 1-40 letters/);
  });

  it('lets run read its journey file wherever it is (journey_run reads only from known folders)', () => {
    const command = parseFlags(['run', '/srv/flows/checkout.json', '--journey-dir', 'more']);
    expect(command.kind === 'run' && command.config.journeyDirs).toEqual(['more', '/srv/flows']);
  });

  it('takes the apps a run starts: --app (repeatable) or --apps, not both', () => {
    expect((parseFlags(['run', 'j.json', '--app', 'api', '--app', 'web']) as { run: { apps?: unknown } }).run.apps).toEqual(['api', 'web']);
    expect((parseFlags(['run', 'j.json', '--apps']) as { run: { apps?: unknown } }).run.apps).toBe('all');
    expect((parseFlags(['run', 'j.json']) as { run: { apps?: unknown } }).run.apps).toBeUndefined();
    expect(() => parseFlags(['run', 'j.json', '--apps', '--app', 'api'])).toThrow(/--app NAME .* or --apps .*, not both/);
    expect(() => parseFlags(['run', 'j.json', '--app', 'a b'])).toThrow(/--app takes an app's name/);
    expect(() => parseFlags(['--apps'])).toThrow(/--apps goes with the run command/);
  });

  it('accepts every flag that USAGE lists', () => {
    const flags = [...USAGE.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)(?: ([A-Za-z]+))?/gm)].map((match) => ({ flag: match[1]!, value: match[2] }));
    expect(flags.length).toBeGreaterThan(10);
    const samples: Record<string, string> = { WxH: '1024x768', MS: '1000', URL: 'http://127.0.0.1:9222', PATH: '/bin/sh', DIR: 'out', ARG: '--lang=en', N: '5000', TIME: '30m', ORIGIN: 'https://ide.example', HOST: '127.0.0.1', TOKEN: 't', API: 'jaeger' };
    // These need a companion: HTTP options go with --port, --session with --daemon.
    const companion: Record<string, string[]> = { '--host': ['--port', '0'], '--token': ['--port', '0'], '--allowed-origin': ['--port', '0'], '--idle-timeout': ['--port', '0'], '--max-sessions': ['--port', '0'], '--session': ['--daemon'] };
    for (const { flag, value } of flags) {
      const url = flag === '--ws-endpoint' ? 'ws://127.0.0.1:9222/devtools/browser/x' : undefined;
      // --root must exist; the others' folders are made when needed.
      const folder = flag === '--root' ? 'test' : undefined;
      const given = value ? [`${flag}=${url ?? folder ?? samples[value] ?? 'x'}`] : [flag];
      // These belong to the run command (and --compare-with needs a report to write into); --reuse-tab goes with attaching.
      const runOnly = ['--record', '--report', '--label', '--compare-with', '--allow-unchecked', '--app', '--apps'];
      const argv = runOnly.includes(flag)
        ? ['run', 'journey.json', ...given, ...(flag === '--compare-with' ? ['--report', 'out'] : [])]
        : flag === '--reuse-tab'
          ? ['--browser-url=http://127.0.0.1:9222', ...given]
          : [...given, ...(companion[flag] ?? [])];
      expect(() => parseFlags(argv), `${argv.join(' ')} is in USAGE but parseFlags refuses it`).not.toThrow();
    }
  });
});

describe('the serving modes', () => {
  const mode = (...argv: string[]) => parseFlags(argv) as { kind: string } & Record<string, unknown>;
  const refused = (...argv: string[]) => {
    try {
      parseFlags(argv);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${argv.join(' ')} was accepted`);
  };

  it('serves HTTP with --port, on loopback unless a token is set', () => {
    expect(mode('--port', '0')).toMatchObject({ kind: 'http', http: { port: 0, host: '127.0.0.1', allowedOrigins: [], idleTimeoutMs: 1_800_000 } });
    expect(mode('--port', '8080', '--allowed-origin', 'https://ide.example/path', '--idle-timeout', '90s')).toMatchObject({ http: { allowedOrigins: ['https://ide.example'], idleTimeoutMs: 90_000 } });
    expect(refused('--port', '0', '--host', '0.0.0.0')).toContain('Refusing to serve on 0.0.0.0 without a token');
    expect(mode('--port', '0', '--host', '0.0.0.0', '--token', 'secret')).toMatchObject({ http: { host: '0.0.0.0', token: 'secret' } });
    expect(refused('--port', 'eighty')).toContain('--port takes a port number');
    expect(refused('--allowed-origin', 'x', '--port', '0')).toContain('--allowed-origin takes an origin');
    expect(refused('--host', '127.0.0.1')).toContain('--host goes with --port');
    expect(refused('--idle-timeout', 'soon', '--port', '0')).toContain('--idle-timeout takes a duration');
  });

  it('proxies to the daemon with --daemon, passing it the browser flags', () => {
    expect(mode('--daemon', '--headed', '--session', 'review')).toEqual({ kind: 'proxy', session: 'review', daemonArgs: ['--headed'] });
    expect(refused('--daemon', '--port', '0')).toContain('--daemon serves over stdio');
    expect(refused('--session', 'x')).toContain('--session goes with --daemon');
    expect(refused('run', 'j.json', '--daemon')).toContain('it does not take --daemon');
  });

  it('runs the daemon itself with `daemon`', () => {
    expect(mode('daemon', '--workspace', '/tmp', '--session', 's1', '--idle-timeout', '10')).toMatchObject({ kind: 'daemon', session: 's1', idleTimeoutMs: 600_000 });
    expect(refused('daemon', '--port', '0')).toContain('legible-mcp daemon does not take --port');
    expect(refused('--workspace', '/tmp')).toContain('--workspace goes with legible-mcp daemon');
  });
});
