// Bundles the compiled code (dist/) with esbuild into the two bins:
// - dist/legible.mjs (legible-mcp: the MCP server, the daemon, HTTP) from dist/cli/main.js. Why:
//   resolving and loading the ~280 small modules of zod, the MCP SDK and ajv one by one is most of
//   the start-up time, and an agent waits for tools/list on every session. puppeteer-core, sharp
//   and chrome-remote-interface stay external: they are loaded lazily, on the first call that
//   needs them; so does LogQL's grammar (@grafana/lezer-logql and the @lezer/lr runtime), on the
//   first logs call, and re2js (the regular expressions' engine), on the first pattern. The
//   telemetry that needs protobufjs and the TraceQL and PromQL grammars (src/telemetry/parts.ts
//   and the team backends' clients, ~300 ms to load) is imported with import() on first need:
//   code splitting puts it in chunks of its own (dist/chunks/), so start-up never reads it.
// - dist/legible-cli.mjs (legible: the shell command line) from dist/shell/main.js, which must
//   load no package at all (a warm call should cost little more than starting Node); it reads its
//   commands from dist/legible-commands.json, written here from the tool definitions.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { writeManifestFromBuild } from './gen-cli-manifest.mjs';

const common = {
  bundle: true,
  minify: true,
  sourcemap: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
};

await rm('dist/chunks', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { legible: 'dist/cli/main.js' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  external: ['puppeteer-core', 'sharp', 'chrome-remote-interface', 'ffmpeg-static', '@grafana/lezer-logql', '@lezer/lr', 're2js'],
  // CommonJS dependencies inside the bundle call require(); give them one.
  banner: { js: "import { createRequire as __legibleRequire } from 'node:module'; const require = __legibleRequire(import.meta.url);" },
});

const shell = await build({
  ...common,
  entryPoints: ['dist/shell/main.js'],
  outfile: 'dist/legible-cli.mjs',
  metafile: true,
});
const packages = Object.keys(shell.metafile.inputs).filter((input) => input.includes('node_modules'));
if (packages.length) throw new Error(`dist/legible-cli.mjs must load no package, but bundles: ${packages.join(', ')}`);

await writeManifestFromBuild();
