import { z } from 'zod';

const viewport = z
  .string()
  .regex(/^\d{2,5}x\d{2,5}$/, 'viewport must look like 1280x720')
  .transform((value) => {
    const [width, height] = value.split('x').map(Number) as [number, number];
    return { width, height };
  });

/** An http(s) URL of a backend, without a fragment; credentials in it are refused (use the *_HEADERS variables). */
const httpUrl = z
  .url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' })
  .refine((value) => {
    const url = new URL(value);
    return !url.username && !url.password;
  }, 'put credentials in the LEGIBLE_*_HEADERS environment variables, not in the URL (the command line is visible to every user)')
  .refine((value) => !new URL(value).hash, 'a backend URL has no #fragment');

export const DEFAULT_BACKEND_TIMEOUT = 10_000;

/** Everything the server can be told at start-up. Parsed once, at the CLI boundary. */
export const configSchema = z
  .object({
    executablePath: z.string().min(1).optional(),
    headed: z.boolean().default(false),
    viewport: viewport.default({ width: 1280, height: 720 }),
    userDataDir: z.string().min(1).optional(),
    chromeArgs: z.array(z.string()).default([]),
    browserUrl: z.url({ protocol: /^https?$/ }).optional(),
    wsEndpoint: z.url({ protocol: /^wss?$/ }).optional(),
    /** Attached to a browser: work in its open tab instead of opening a new one. */
    reuseTab: z.boolean().default(false),
    evaluate: z.boolean().default(true),
    outputDir: z.string().min(1).default('recordings'),
    /** The workspace: where legible.config.json (or package.json) is read and app commands run. */
    root: z.string().min(1).default('.'),
    /** How many log entries of the apps are kept in memory; older ones are dropped and counted. */
    logEntries: z.number().int().min(1_000).default(1_000_000),
    /** The OTLP receiver's port, taken at start-up; without it a free port, taken when first needed. */
    otlpPort: z.number().int().min(1).max(65535).optional(),
    /** How many spans are kept in memory; older ones are dropped and counted. */
    maxSpans: z.number().int().min(1_000).default(100_000),
    /** How many metric samples are kept in memory; older ones are dropped and counted. */
    maxSamples: z.number().int().min(1_000).default(5_000_000),
    /** Upper bound for one navigation's load, in ms. */
    navigationTimeout: z.number().int().positive().default(15_000),
    /** Upper bound for any single call into the page, in ms. */
    pageTimeout: z.number().int().positive().default(10_000),
    /** Timers an action starts with at most this delay (ms) are waited for before its report; 0: none. */
    timerWait: z.number().int().min(0).max(10_000).default(1_000),
    /** Upper bound for one journey run, all steps together, in ms. */
    runTimeout: z.number().int().positive().default(600_000),
    /** Folders besides the output folder and the working folder that journey_run may read journey files from. */
    journeyDirs: z.array(z.string().min(1)).default([]),
    /** A Prometheus HTTP API (Prometheus, VictoriaMetrics, Mimir, Thanos) answering metrics queries instead of the embedded store. */
    metricsUrl: httpUrl.optional(),
    /** A Loki query API answering logs queries instead of the embedded store. */
    logsUrl: httpUrl.optional(),
    /** A Tempo (search + trace by id) or Jaeger query API answering traces queries instead of the embedded store. */
    tracesUrl: httpUrl.optional(),
    /** Which API --traces-url speaks (default tempo). */
    tracesApi: z.enum(['tempo', 'jaeger']).optional(),
    /** An OTLP/HTTP endpoint (base URL) the embedded receiver forwards everything it receives to. */
    otlpForward: httpUrl.optional(),
    /** Upper bound for one request to a remote backend, in ms. */
    backendTimeout: z.number().int().positive().max(120_000).default(DEFAULT_BACKEND_TIMEOUT),
  })
  .refine((c) => !(c.browserUrl && c.wsEndpoint), {
    message: 'give either --browser-url or --ws-endpoint, not both',
  })
  .refine((c) => !c.reuseTab || c.browserUrl || c.wsEndpoint, {
    message: '--reuse-tab goes with --browser-url or --ws-endpoint (a browser Legible launches has no tab of yours)',
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export function parseConfig(input: ConfigInput): Config {
  return configSchema.parse(input);
}
