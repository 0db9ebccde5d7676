import { z } from 'zod';
import { LegibleError } from '../util/errors.js';

/**
 * `legible.config.json`: the apps under test of a repository, at its root. Validated here (zod)
 * and shipped as a JSON Schema (`legible.config.schema.json`, made by `npm run docs` from this
 * schema), so editors complete and check it. An app may name a Prometheus endpoint to scrape
 * (`metrics`); later keys (telemetry backends) join `appsConfigSchema` beside `apps`.
 */
export const APPS_CONFIG_FILE = 'legible.config.json';

/** The `{…}` placeholders an app's command, env and url may hold. */
export const PLACEHOLDER = /\{(port|apps\.([A-Za-z][\w-]*)\.(url|port))\}/g;

/**
 * A duration as src/telemetry/time.ts parses it (the apps layer turns it into ms): a pattern here,
 * since config sits below telemetry, and a pattern also lets editors check it.
 */
const duration = z
  .union([z.number().int().positive(), z.string().regex(/^(?:(?:\d+(?:\.\d+)?|\.\d+)(?:ns|us|µs|ms|s|m|h|d|w|y))+$/, 'expected a duration such as "30s", "500ms" or "2m"')])
  .describe('Milliseconds, or a duration such as "30s" or "2m".');

const port = z.number().int().min(1).max(65535);

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, y: 3.1536e10 };

/** A duration that passed the pattern above, in ms (the apps layer parses it with telemetry's parseDuration). */
function durationMs(value: number | string): number {
  if (typeof value === 'number') return value;
  let total = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w|y)/g)) total += Number(match[1]) * DURATION_UNITS[match[2]!]!;
  return total;
}

const readySchema = z
  .strictObject({
    http: z.string().min(1).optional().describe('Ready when GET of this path (or URL) answers `status`; e.g. "/health".'),
    status: z.number().int().min(100).max(599).optional().describe('The HTTP status to wait for (default: any below 400).'),
    log: z.string().min(1).optional().describe('Ready when a line of output matches this regular expression, e.g. "listening on".'),
    tcp: z.union([z.literal(true), port]).optional().describe('Ready when this port (true: the app\'s port) accepts connections.'),
    timeout: duration.optional().describe('How long to wait for readiness (default 30s).'),
  })
  .describe('When the app counts as ready. Default: its port accepts connections (no port: as soon as it runs).');

const metricsSchema = z
  .strictObject({
    path: z.string().min(1).describe('Path (or full URL) of its Prometheus text endpoint, e.g. "/metrics".'),
    interval: duration.optional().describe('How often to scrape it (default 5s; at least 100ms).'),
  })
  .describe('Scrape this Prometheus endpoint while the app runs (the metrics tool answers PromQL over it, and over what the app sends by OTLP).');

export const appSpecSchema = z
  .strictObject({
    command: z
      .union([z.string().min(1, 'give a command line'), z.array(z.string()).min(1, 'name the program to run, e.g. ["node", "server.js"]')])
      .describe('An argv array (["node", "server.js"]), or a shell string ("npm run dev -- --port {port}").'),
    cwd: z.string().min(1).optional().describe('Working directory, relative to the config file (default: its folder).'),
    env: z.record(z.string(), z.string()).optional().describe('Extra environment variables; values may use {port} and {apps.<name>.url}.'),
    port: z
      .union([z.literal('auto'), port])
      .optional()
      .describe('"auto": a free port per Legible server; a number: that port, checked to be free. Given to the app as PORT and {port}.'),
    url: z.string().min(1).optional().describe('The URL the app serves (default http://localhost:{port}).'),
    ready: readySchema.optional(),
    dependsOn: z.array(z.string()).optional().describe('Apps to start (and wait for) first. Using {apps.<name>.url} implies it.'),
    metrics: metricsSchema.optional(),
  })
  .describe('One app: how to start it and how to tell it is ready.');

const appName = z.string().regex(/^[A-Za-z][\w-]{0,39}$/, 'app names are 1-40 letters, digits, "_" or "-", starting with a letter');

const backendUrl = z
  .url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' })
  .refine((value) => {
    const url = new URL(value);
    return !url.username && !url.password && !url.hash;
  }, 'no credentials or #fragment in the URL: put credentials in the LEGIBLE_*_HEADERS environment variables');

/** The team's backends (docs/team-stack.md); the command-line flags of the same names win over these. */
export const backendsSchema = z
  .strictObject({
    metricsUrl: backendUrl.optional().describe('A Prometheus HTTP API (Prometheus, VictoriaMetrics, Mimir, Thanos) the metrics queries go to, e.g. "http://prometheus:9090".'),
    logsUrl: backendUrl.optional().describe('A Loki the logs queries go to, e.g. "http://loki:3100".'),
    tracesUrl: backendUrl.optional().describe('A Tempo (or, with tracesApi "jaeger", a Jaeger) the traces queries go to, e.g. "http://tempo:3200".'),
    tracesApi: z.enum(['tempo', 'jaeger']).optional().describe('The API tracesUrl speaks (default "tempo").'),
    otlpForward: backendUrl.optional().describe('An OTLP/HTTP endpoint (a collector) everything Legible receives is also sent to, e.g. "http://otel-collector:4318".'),
    timeout: duration.optional().describe('The limit for one request to a backend (default 10s).'),
  })
  .describe('The team\'s observability backends. Credentials go in LEGIBLE_METRICS_HEADERS, LEGIBLE_LOGS_HEADERS, LEGIBLE_TRACES_HEADERS and LEGIBLE_OTLP_FORWARD_HEADERS, never here.');

export type BackendsConfig = z.output<typeof backendsSchema>;

export const appsConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    apps: z.record(appName, appSpecSchema).describe('The apps under test, by name.'),
    backends: backendsSchema.optional(),
  })
  .superRefine((config, context) => {
    const names = Object.keys(config.apps);
    // A config may name only backends (the apps then run elsewhere): `"apps": {}`.
    if (!names.length && !config.backends) context.addIssue({ code: 'custom', path: ['apps'], message: 'name at least one app' });
    for (const [name, app] of Object.entries(config.apps)) {
      for (const [index, dependency] of (app.dependsOn ?? []).entries()) {
        if (dependency === name) context.addIssue({ code: 'custom', path: ['apps', name, 'dependsOn', index], message: `${name} cannot depend on itself` });
        else if (!config.apps[dependency]) {
          context.addIssue({ code: 'custom', path: ['apps', name, 'dependsOn', index], message: `no app is named ${JSON.stringify(dependency)} (apps: ${names.join(', ')})` });
        }
      }
      for (const [where, text] of templatesOf(app)) {
        for (const match of text.matchAll(PLACEHOLDER)) {
          if (match[1] === 'port' && app.port === undefined) {
            context.addIssue({ code: 'custom', path: ['apps', name, ...where], message: `{port} needs a port: add "port": "auto"` });
          }
          const other = match[2];
          if (other !== undefined && !config.apps[other]) {
            context.addIssue({ code: 'custom', path: ['apps', name, ...where], message: `${match[0]}: no app is named ${JSON.stringify(other)} (apps: ${names.join(', ')})` });
          } else if (other === name) {
            context.addIssue({ code: 'custom', path: ['apps', name, ...where], message: `${match[0]}: use {${match[3]}} for the app's own ${match[3]}` });
          }
        }
      }
    }
    for (const [name, app] of Object.entries(config.apps)) {
      const ready = app.ready;
      if (!ready) continue;
      const kinds = (['http', 'log', 'tcp'] as const).filter((kind) => ready[kind] !== undefined);
      if (kinds.length > 1) context.addIssue({ code: 'custom', path: ['apps', name, 'ready'], message: `give one of http, log or tcp, not ${kinds.join(' and ')}` });
      if (ready.tcp === true && app.port === undefined) context.addIssue({ code: 'custom', path: ['apps', name, 'ready', 'tcp'], message: 'true means the app\'s port: add "port"' });
      if (ready.http && !/^https?:\/\//.test(ready.http) && app.port === undefined && !app.url) {
        context.addIssue({ code: 'custom', path: ['apps', name, 'ready', 'http'], message: 'a path needs the app\'s "port" or "url" (or give a full URL)' });
      }
      if (ready.status !== undefined && !ready.http) context.addIssue({ code: 'custom', path: ['apps', name, 'ready', 'status'], message: 'status goes with http' });
    }
    for (const [name, app] of Object.entries(config.apps)) {
      const metrics = app.metrics;
      if (!metrics) continue;
      if (!/^https?:\/\//.test(metrics.path) && app.port === undefined && !app.url) {
        context.addIssue({ code: 'custom', path: ['apps', name, 'metrics', 'path'], message: 'a path needs the app\'s "port" or "url" (or give a full URL)' });
      }
      if (metrics.interval !== undefined && durationMs(metrics.interval) < 100) {
        context.addIssue({ code: 'custom', path: ['apps', name, 'metrics', 'interval'], message: 'scrape at most every 100ms' });
      }
    }
    const cycle = findCycle(config.apps);
    if (cycle) context.addIssue({ code: 'custom', path: ['apps', cycle[0]!, 'dependsOn'], message: `the apps depend on each other in a circle: ${cycle.join(' → ')}` });
  });

export type AppSpec = z.output<typeof appSpecSchema>;
export type AppsConfig = z.output<typeof appsConfigSchema>;

/** The strings of an app that may hold placeholders, with their path inside the app. */
export function templatesOf(app: AppSpec): [(string | number)[], string][] {
  const out: [(string | number)[], string][] = [];
  if (typeof app.command === 'string') out.push([['command'], app.command]);
  else app.command.forEach((arg, index) => out.push([['command', index], arg]));
  for (const [key, value] of Object.entries(app.env ?? {})) out.push([['env', key], value]);
  if (app.url) out.push([['url'], app.url]);
  if (app.ready?.http) out.push([['ready', 'http'], app.ready.http]);
  if (app.metrics) out.push([['metrics', 'path'], app.metrics.path]);
  return out;
}

/** What an app needs started before it: its dependsOn and the apps its placeholders name. */
export function dependenciesOf(app: AppSpec): string[] {
  const found = new Set(app.dependsOn ?? []);
  for (const [, text] of templatesOf(app)) for (const match of text.matchAll(PLACEHOLDER)) if (match[2]) found.add(match[2]);
  return [...found];
}

function findCycle(apps: Record<string, AppSpec>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done' || !apps[name]) return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dependency of dependenciesOf(apps[name]!)) {
      if (dependency === name) continue;
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(apps)) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

const EXAMPLE = '{"apps":{"api":{"command":["node","server.js"],"port":"auto","ready":{"http":"/health"}}}}';

/**
 * Parses and validates the text of a legible.config.json. A LegibleError says where (line and
 * column for JSON syntax, the JSON path for a wrong value) and what was expected.
 */
export interface AppsConfigChecks {
  /**
   * Why a readiness log pattern is no regular expression, or undefined. Given by the layer that
   * runs the patterns (telemetry's RE2), so the config is checked with the syntax it runs with.
   */
  regexProblem?: (pattern: string) => string | undefined;
}

export function parseAppsConfig(text: string, file: string, checks: AppsConfigChecks = {}): AppsConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message)?.[1];
    const at = position === undefined ? '' : ` at ${lineAndColumn(text, Number(position))}`;
    throw new LegibleError(`${file} is not valid JSON${at}: ${message.replace(/ in JSON at position \d+.*$/s, '')}.`, `Fix the JSON; a minimal config is ${EXAMPLE}`, { kind: 'usage' });
  }
  const result = appsConfigSchema.safeParse(json);
  const issues = result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path, message: issueMessage(issue) }));
  if (result.success && checks.regexProblem) {
    for (const [name, app] of Object.entries(result.data.apps)) {
      const problem = app.ready?.log === undefined ? undefined : checks.regexProblem(app.ready.log);
      if (problem) issues.push({ path: ['apps', name, 'ready', 'log'], message: `not a regular expression (${problem})` });
    }
  }
  if (result.success && !issues.length) return result.data;
  const problems = issues.slice(0, 6).map((issue) => `${jsonPath(issue.path)}: ${issue.message}`);
  const more = issues.length > 6 ? ` (and ${issues.length - 6} more)` : '';
  throw new LegibleError(`${file} is not a valid Legible config: ${problems.join('; ')}${more}.`, `Fix these; the schema is legible.config.schema.json in the legible-mcp package. A minimal config is ${EXAMPLE}`, {
    kind: 'usage',
  });
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
  if (issue.code === 'invalid_key') return `invalid name: ${issue.issues[0]?.message ?? issue.message}`;
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'port') return 'expected "auto" or a port number from 1 to 65535';
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'command') return 'expected an argv array of strings or a non-empty shell string';
  return issue.message;
}

/** `apps.api.env.PORT`, `apps["my app"]`, `apps.api.command[0]`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  if (!path.length) return '(the whole file)';
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(String(key)) ? `${index ? '.' : ''}${String(key)}` : `[${JSON.stringify(String(key))}]`,
    )
    .join('');
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** The JSON Schema of legible.config.json, for editors. */
export function appsConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(appsConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'Legible apps under test (legible.config.json)' };
}
