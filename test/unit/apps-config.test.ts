import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfigSchema } from '../../scripts/gen-config-schema.mjs';
import { appNameOf, loadApps } from '../../src/apps/appSource.js';
import { expandTemplate } from '../../src/apps/template.js';
import * as appsConfig from '../../src/config/appsConfig.js';
import { dependenciesOf, jsonPath, parseAppsConfig } from '../../src/config/appsConfig.js';
import { goRegexProblem } from '../../src/telemetry/regex.js';
import { LegibleError } from '../../src/util/errors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function problem(config: unknown): LegibleError {
  try {
    parseAppsConfig(typeof config === 'string' ? config : JSON.stringify(config), 'legible.config.json', { regexProblem: goRegexProblem });
  } catch (error) {
    expect(error).toBeInstanceOf(LegibleError);
    return error as LegibleError;
  }
  throw new Error('the config was accepted');
}

describe('legible.config.json', () => {
  it('accepts apps with commands, ports, readiness, env templates and dependencies', () => {
    const config = parseAppsConfig(
      JSON.stringify({
        $schema: './node_modules/legible-mcp/legible.config.schema.json',
        apps: {
          api: { command: ['node', 'server.js'], port: 'auto', ready: { http: '/health', status: 200, timeout: '20s' } },
          web: { command: 'vite --port {port}', port: 5173, env: { VITE_API: '{apps.api.url}' }, ready: { log: 'ready in' } },
          worker: { command: ['node', 'worker.js'], dependsOn: ['api'], ready: { timeout: 5000 } },
        },
      }),
      'x',
    );
    expect(Object.keys(config.apps)).toEqual(['api', 'web', 'worker']);
    expect(dependenciesOf(config.apps.web!)).toEqual(['api']);
  });

  it('takes a Prometheus endpoint to scrape per app, and says what is wrong with one', () => {
    const config = parseAppsConfig(JSON.stringify({ apps: { api: { command: ['node', 's.js'], port: 'auto', metrics: { path: '/metrics', interval: '2s' } }, other: { command: 'x', metrics: { path: 'http://127.0.0.1:9100/metrics' } } } }), 'x');
    expect(config.apps.api!.metrics).toEqual({ path: '/metrics', interval: '2s' });
    expect(problem({ apps: { api: { command: 'x', metrics: { path: '/metrics' } } } }).message).toContain('apps.api.metrics.path: a path needs the app\'s "port" or "url" (or give a full URL)');
    expect(problem({ apps: { api: { command: 'x', port: 'auto', metrics: { path: '/m', interval: '50ms' } } } }).message).toContain('apps.api.metrics.interval: scrape at most every 100ms');
    expect(problem({ apps: { api: { command: 'x', port: 'auto', metrics: { path: '/m', every: '5s' } } } }).message).toContain('apps.api.metrics: unknown key "every"');
    expect(problem({ apps: { api: { command: 'x', port: 'auto', metrics: { path: '{apps.db.url}/m' } } } }).message).toContain('no app is named "db"');
  });

  it('says where the JSON is broken', () => {
    const error = problem('{\n  "apps": {\n    "api": { "command": "x", }\n  }\n}');
    expect(error.message).toMatch(/legible.config.json is not valid JSON at line 3, column \d+/);
    expect(error.hint).toContain('a minimal config is {"apps":');
  });

  it('names the JSON path and what was expected', () => {
    expect(problem({ apps: { api: { command: ['node'], port: 'any' } } }).message).toContain('apps.api.port: expected "auto" or a port number from 1 to 65535');
    expect(problem({ apps: { api: { command: [] } } }).message).toContain('apps.api.command: name the program to run');
    expect(problem({ apps: { api: { command: 'x', prot: 3 } } }).message).toContain('apps.api: unknown key "prot"');
    expect(problem({ apps: { api: { command: 'x', ready: { timeout: 'soon' } } } }).message).toMatch(/apps\.api\.ready\.timeout: .*expected a duration/);
    expect(problem({ apps: { '1x': { command: 'x' } } }).message).toContain('apps["1x"]: invalid name: app names are 1-40 letters');
    expect(problem({ apps: {} }).message).toContain('apps: name at least one app');
    expect(problem({ apps: { api: { command: 'x', ready: { http: '/h', log: 'y' } } } }).message).toContain('apps.api.ready: give one of http, log or tcp, not http and log');
    expect(problem({ apps: { api: { command: 'x', ready: { log: '(' } } } }).message).toContain('apps.api.ready.log: not a regular expression (error parsing regexp: missing closing ): `(`)');
    // RE2's syntax, which the pattern runs with: a lookahead is refused, a (?P<name>) group is fine.
    expect(problem({ apps: { api: { command: 'x', ready: { log: 'ready(?= now)' } } } }).message).toContain('apps.api.ready.log: not a regular expression (error parsing regexp: invalid or unsupported Perl syntax');
    expect(parseAppsConfig(JSON.stringify({ apps: { api: { command: 'x', ready: { log: 'listening on (?P<port>\\d+)' } } } }), 'f', { regexProblem: goRegexProblem }).apps.api!.ready!.log).toBe('listening on (?P<port>\\d+)');
  });

  it('checks names across apps: dependencies, placeholders, cycles', () => {
    expect(problem({ apps: { api: { command: 'x', dependsOn: ['db'] } } }).message).toContain('apps.api.dependsOn[0]: no app is named "db" (apps: api)');
    expect(problem({ apps: { web: { command: 'x', env: { API: '{apps.ap.url}' } } } }).message).toContain('apps.web.env.API: {apps.ap.url}: no app is named "ap"');
    expect(problem({ apps: { web: { command: 'serve --port {port}' } } }).message).toContain('apps.web.command: {port} needs a port');
    expect(
      problem({ apps: { a: { command: 'x', dependsOn: ['b'] }, b: { command: 'x', env: { A: '{apps.a.url}' } } } }).message,
    ).toContain('the apps depend on each other in a circle: a → b → a');
  });

  it('writes JSON paths as JavaScript would', () => {
    expect(jsonPath(['apps', 'api', 'command', 0])).toBe('apps.api.command[0]');
    expect(jsonPath(['apps', 'my app'])).toBe('apps["my app"]');
  });

  it('ships a JSON Schema that matches the zod schema', () => {
    const shipped = readFileSync(join(ROOT, 'legible.config.schema.json'), 'utf8');
    expect(shipped, 'legible.config.schema.json is stale: run `npm run docs` and commit it.').toBe(renderConfigSchema(appsConfig));
    const schema = JSON.parse(shipped) as { properties: { apps: { additionalProperties: { properties: Record<string, { description?: string }> } } } };
    for (const [key, property] of Object.entries(schema.properties.apps.additionalProperties.properties)) expect(property.description, key).toBeTruthy();
  });
});

describe('templates', () => {
  it('fills in the port and other apps, and leaves other braces alone', () => {
    const values = { port: 4100, apps: { api: { url: 'http://localhost:4000', port: 4000 } } };
    expect(expandTemplate('serve --port {port} --api {apps.api.url} ${HOME} {a,b}', values)).toBe('serve --port 4100 --api http://localhost:4000 ${HOME} {a,b}');
    expect(expandTemplate('{apps.api.port}', values)).toBe('4000');
  });
});

describe('the package.json fallback', () => {
  it('runs the dev script (then start) as one app named after the package', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legible-fallback-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@acme/shop-web', scripts: { start: 'node server.js', dev: 'vite' } }));
    const source = await loadApps(dir);
    expect(source.kind).toBe('package.json');
    expect([...source.apps]).toEqual([['shop-web', { command: 'vite', port: 'auto' }]]);
    expect(source.note).toContain('ran the "dev" script of package.json ("vite") as app "shop-web"');
    expect(source.note).toContain('write legible.config.json');
  });

  it('says what is missing when there is neither a config nor a script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legible-fallback-'));
    await expect(loadApps(dir)).rejects.toThrow(/No legible.config.json in .*, and no package.json either/);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', scripts: { test: 'vitest' } }));
    await expect(loadApps(dir)).rejects.toThrow(/has no "dev" or "start" script/);
  });

  it('never falls back past a config file that does not validate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legible-fallback-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { dev: 'vite' } }));
    writeFileSync(join(dir, 'legible.config.json'), '{"apps":{"api":{}}}');
    await expect(loadApps(dir)).rejects.toThrow(/apps\.api\.command/);
  });

  it('names apps after packages', () => {
    expect(appNameOf('@scope/my.app')).toBe('my-app');
    expect(appNameOf(undefined)).toBe('app');
    expect(appNameOf('123')).toBe('app');
  });
});

describe('the team backends in legible.config.json', () => {
  const workspace = (config: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'legible-backends-'));
    writeFileSync(join(dir, 'legible.config.json'), JSON.stringify(config));
    return dir;
  };

  it('are read beside the apps (or alone), checked, and the flags win over them', async () => {
    const { backendSettings } = await import('../../src/telemetry/remote/backends.js');
    const { parseConfig } = await import('../../src/config/config.js');
    const backends = { metricsUrl: 'http://prometheus:9090', tracesUrl: 'http://jaeger:16686', tracesApi: 'jaeger', otlpForward: 'http://collector:4318', timeout: '2.5s' };
    const root = workspace({ apps: { api: { command: ['node', 'server.js'] } }, backends });
    expect(await backendSettings(parseConfig({ root }))).toMatchObject({ metricsUrl: 'http://prometheus:9090', tracesUrl: 'http://jaeger:16686', tracesApi: 'jaeger', otlpForward: 'http://collector:4318', backendTimeout: 2_500 });
    const flags = parseConfig({ root, metricsUrl: 'http://victoria:8428', tracesApi: 'tempo', backendTimeout: 4_000 });
    expect(await backendSettings(flags)).toMatchObject({ metricsUrl: 'http://victoria:8428', tracesUrl: 'http://jaeger:16686', tracesApi: 'tempo', backendTimeout: 4_000 });
    // No file, or a file without backends: the flags alone.
    expect(await backendSettings(parseConfig({ root: mkdtempSync(join(tmpdir(), 'legible-none-')) }))).toMatchObject({ backendTimeout: 10_000 });
    // A config may name only backends; starting its apps then says there are none.
    const only = workspace({ apps: {}, backends: { logsUrl: 'http://loki:3100' } });
    expect((await backendSettings(parseConfig({ root: only }))).logsUrl).toBe('http://loki:3100');
    await expect(loadApps(only)).rejects.toThrow('names no apps (only backends)');
  });

  it('refuses credentials in a URL, an unknown API or key, naming the JSON path', () => {
    expect(problem({ apps: {}, backends: { logsUrl: 'http://admin:pw@loki:3100' } }).message).toContain('backends.logsUrl: no credentials or #fragment in the URL');
    expect(problem({ apps: {}, backends: { tracesApi: 'zipkin' } }).message).toContain('backends.tracesApi:');
    expect(problem({ apps: {}, backends: { metricsURL: 'http://p:9090' } }).message).toContain('backends: unknown key "metricsURL"');
    expect(problem({ apps: {} }).message).toContain('apps: name at least one app');
  });
});
