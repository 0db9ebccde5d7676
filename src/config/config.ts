import { z } from 'zod';

const viewport = z
  .string()
  .regex(/^\d{2,5}x\d{2,5}$/, 'viewport must look like 1280x720')
  .transform((value) => {
    const [width, height] = value.split('x').map(Number) as [number, number];
    return { width, height };
  });

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
