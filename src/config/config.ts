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
    evaluate: z.boolean().default(true),
    outputDir: z.string().min(1).default('recordings'),
    /** Upper bound for one navigation's load, in ms. */
    navigationTimeout: z.number().int().positive().default(15_000),
    /** Upper bound for any single call into the page, in ms. */
    pageTimeout: z.number().int().positive().default(10_000),
    /** Upper bound for one journey run, all steps together, in ms. */
    runTimeout: z.number().int().positive().default(600_000),
    /** Folders besides the output folder and the working folder that journey_run may read journey files from. */
    journeyDirs: z.array(z.string().min(1)).default([]),
  })
  .refine((c) => !(c.browserUrl && c.wsEndpoint), {
    message: 'give either --browser-url or --ws-endpoint, not both',
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export function parseConfig(input: ConfigInput): Config {
  return configSchema.parse(input);
}
