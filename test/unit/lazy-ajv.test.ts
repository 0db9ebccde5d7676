/**
 * scripts/lazyAjv.mjs, the esbuild plugin scripts/bundle.mjs builds the server with: the MCP SDK's
 * Server, bundled with it, makes no Ajv at construction, and its validator, on first use, is the
 * SDK's own (same answers for valid and invalid data).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lazyAjv } from '../../scripts/lazyAjv.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'legible-lazy-ajv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Marks ajv's main module: a global is set when it is evaluated. */
const markAjv: Plugin = {
  name: 'mark-ajv',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]node_modules[\\/]ajv[\\/]dist[\\/]ajv\.js$/ }, (args) => ({ contents: `${readFileSync(args.path, 'utf8')}\nglobalThis.__legibleAjvLoaded = true;`, loader: 'js' }));
  },
};
const ajvLoaded = () => (globalThis as { __legibleAjvLoaded?: boolean }).__legibleAjvLoaded === true;

const SCHEMA = { type: 'object', properties: { count: { type: 'integer', minimum: 1 }, at: { type: 'string', format: 'date-time' } }, required: ['count'] };
const SAMPLES = [{ count: 2, at: '2024-01-02T03:04:05Z' }, { count: 0 }, { count: 'two' }, { at: 'yesterday', count: 1 }, {}];

describe('the lazy Ajv plugin', () => {
  it('loads no Ajv until the first validation, then validates as the SDK does', async () => {
    await build({
      // Resolved from the repository's node_modules; the bundle needs none to run.
      stdin: {
        contents: `import { Server } from '@modelcontextprotocol/sdk/server/index.js';
export function make() { return new Server({ name: 'test', version: '1.0.0' }, { capabilities: {} }); }`,
        resolveDir: ROOT,
        loader: 'js',
      },
      outfile: join(dir, 'out.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      plugins: [lazyAjv, markAjv],
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    const { make } = (await import(pathToFileURL(join(dir, 'out.mjs')).href)) as { make: () => unknown };
    const validator = (make() as { _jsonSchemaValidator: { getValidator(schema: unknown): (data: unknown) => unknown } })._jsonSchemaValidator;
    expect(ajvLoaded(), 'ajv was loaded with the SDK Server: the stand-in is not in place').toBe(false);

    const lazy = validator.getValidator(SCHEMA);
    const sdk = new AjvJsonSchemaValidator().getValidator(SCHEMA as never);
    expect(ajvLoaded()).toBe(true);
    for (const sample of SAMPLES) expect(lazy(sample), JSON.stringify(sample)).toEqual(sdk(sample));
    expect((lazy(SAMPLES[1]) as { valid: boolean }).valid).toBe(false);
  });
});
