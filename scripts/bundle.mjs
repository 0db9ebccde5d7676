// Bundles the compiled server (dist/cli/main.js) into one file, dist/legible.mjs, which the
// `legible-mcp` bin runs. Why: resolving and loading the ~280 small modules of zod, the MCP SDK
// and ajv one by one is most of the start-up time, and an agent waits for tools/list on every
// session. puppeteer-core, sharp and chrome-remote-interface stay external: they are loaded
// lazily, on the first call that needs them; so does LogQL's grammar (@grafana/lezer-logql and
// the @lezer/lr runtime), on the first logs call. The telemetry that needs protobufjs and the
// TraceQL and PromQL grammars (src/telemetry/parts.ts, ~300 ms to load) is imported with import()
// on first need: code splitting puts it in chunks of its own (dist/chunks/), so start-up never
// reads it.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm('dist/chunks', { recursive: true, force: true });
await build({
  entryPoints: { legible: 'dist/cli/main.js' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['puppeteer-core', 'sharp', 'chrome-remote-interface', 'ffmpeg-static', '@grafana/lezer-logql', '@lezer/lr'],
  // CommonJS dependencies inside the bundle call require(); give them one.
  banner: { js: "import { createRequire as __legibleRequire } from 'node:module'; const require = __legibleRequire(import.meta.url);" },
  logLevel: 'warning',
});
