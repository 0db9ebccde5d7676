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
//   Over stdio the server answers initialize and tools/list with only the SDK, zod, the flags and
//   dist/legible-tools.json (tools/list, written here from the tool definitions); the tools, the
//   ServerContext and every layer under them load on first need (src/server/createServer.ts).
//   The build fails if a static import brings them back into the start-up chunks. The SDK's
//   Ajv validator is made on its first use (scripts/lazyAjv.mjs), not with the server.
// - dist/legible-cli.mjs (legible: the shell command line) from dist/shell/main.js, which must
//   load no package at all (a warm call should cost little more than starting Node); it reads its
//   commands from dist/legible-commands.json, written here from the tool definitions.
import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeManifestFromBuild } from './gen-cli-manifest.mjs';
import { lazyAjv } from './lazyAjv.mjs';

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
const server = await build({
  ...common,
  entryPoints: { legible: 'dist/cli/main.js' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  external: ['puppeteer-core', 'sharp', 'chrome-remote-interface', 'ffmpeg-static', '@grafana/lezer-logql', '@lezer/lr', 're2js'],
  plugins: [lazyAjv],
  // CommonJS dependencies inside the bundle call require(); give them one.
  banner: { js: "import { createRequire as __legibleRequire } from 'node:module'; const require = __legibleRequire(import.meta.url);" },
  metafile: true,
});
const startup = startupInputs(server.metafile, 'dist/legible.mjs');
const loadedLater = ['dist/server/serverContext.js', 'dist/tools/registry.js'].filter((input) => startup.has(input));
if (loadedLater.length) throw new Error(`dist/legible.mjs must load ${loadedLater.join(' and ')} on first need (import()), but a static import puts them in its start-up chunks`);

// tools/list for every setting that changes it, made from the definitions: what a starting server reads.
const { toolListFile, TOOL_LIST_FILE } = await import('../dist/server/toolListing.js');
await writeFile(join('dist', TOOL_LIST_FILE), `${JSON.stringify(await toolListFile())}\n`);

const shell = await build({
  ...common,
  entryPoints: ['dist/shell/main.js'],
  outfile: 'dist/legible-cli.mjs',
  metafile: true,
});
const packages = Object.keys(shell.metafile.inputs).filter((input) => input.includes('node_modules'));
if (packages.length) throw new Error(`dist/legible-cli.mjs must load no package, but bundles: ${packages.join(', ')}`);

await writeManifestFromBuild();

/** The source files in an entry's output and in every chunk it imports statically: what its start-up evaluates. */
function startupInputs(metafile, entry) {
  const inputs = new Set();
  const seen = new Set();
  const visit = (output) => {
    if (seen.has(output)) return;
    seen.add(output);
    for (const input of Object.keys(metafile.outputs[output].inputs)) inputs.add(input);
    for (const imported of metafile.outputs[output].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  return inputs;
}
