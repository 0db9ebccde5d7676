/**
 * Enforces the layering of src/ by reading every import (static, re-export, dynamic and
 * `import('x')` types) of every src/**\/*.ts file with the TypeScript parser.
 *
 *   util(0) < config(1) < cdp(2), media(2), telemetry(2) < snapshot(3), capture(3), recording(3),
 *   apps(3) < actions(4)
 *   < format(5), journey(5) < report(6) < tools(7) < server(8) < daemon(9), http(9)
 *   < cli(10), shell(10)
 *
 * A module may import from its own layer and lower ones. Layers of the same rank are siblings and
 * may not import each other. Each third-party library belongs to the layers listed in PACKAGES.
 * ARCHITECTURE.md explains why; every failure says how to fix it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');

const LAYERS: Record<string, number> = {
  util: 0,
  config: 1,
  cdp: 2,
  media: 2,
  // Telemetry (the apps' logs, spans and metrics; LogQL, TraceQL, PromQL; OTLP): pure data, no browser.
  telemetry: 2,
  snapshot: 3,
  capture: 3,
  // Recording (screencast -> video, filmstrips, comparisons): it uses cdp, media and util.
  recording: 3,
  // The apps under test (legible.config.json, processes, ports, readiness); their output goes to telemetry.
  apps: 3,
  actions: 4,
  format: 5,
  // Journeys (Recorder-format steps, replay, expectations): they drive actions.
  journey: 5,
  // Reports (runs, HAR, HTML): they bundle journeys' runs and recordings.
  report: 6,
  tools: 7,
  server: 8,
  // The per-workspace daemon (a Unix socket, one MCP server per connection over one shared
  // ServerContext) and how a client finds, starts and reaches it.
  daemon: 9,
  // MCP over Streamable HTTP: sessions, each with an isolated browser context; Host/Origin/token checks.
  http: 9,
  // legible-mcp: flags, stdio, `run`, and the modes above.
  cli: 10,
  // legible: the command line for the shell; must load no zod, no MCP SDK, no puppeteer-core.
  shell: 10,
};

const ALL = Object.keys(LAYERS);

/**
 * Which layers may import each third-party package, and what to do instead elsewhere.
 * `typesOnly`: the package has no runtime code and must be imported with `import type`.
 */
const PACKAGES: Record<string, { layers: string[]; instead: string; typesOnly?: boolean }> = {
  'puppeteer-core': {
    layers: ['cdp'],
    instead: 'use what src/cdp exposes (PageDriver, FrameDriver, ElementRef, BrowserSession), or add the method you need there',
  },
  'chrome-remote-interface': {
    layers: ['cdp'],
    instead: 'use what src/cdp exposes (PageDriver.send/onCdp for raw CDP), or add the method you need there',
  },
  sharp: { layers: ['media'], instead: 'call a function of src/media (encodeImage), or add one there' },
  // Pixel comparison of two images (screenshot {diff}); it works on raw pixels sharp decodes.
  pixelmatch: { layers: ['media'], instead: 'call diffImages from src/media/pixelDiff.ts' },
  '@modelcontextprotocol/sdk': {
    layers: ['tools', 'server', 'daemon', 'http', 'cli'],
    instead: 'return plain data and let src/tools (ToolResponse) or src/server turn it into MCP types',
  },
  // The grammars of PromQL, LogQL and TraceQL (Prometheus' and Grafana's own Lezer grammars) and
  // the Lezer runtime they need (types only: the grammars bring it).
  '@prometheus-io/lezer-promql': { layers: ['telemetry'], instead: 'parse PromQL with parsePromQL from src/telemetry/metrics/query.ts' },
  '@grafana/lezer-logql': { layers: ['telemetry'], instead: 'parse LogQL with parseLogql from src/telemetry/logs/logql/parse.ts' },
  '@lezer/lr': { layers: ['telemetry'], instead: 'parse with parsePromQL (src/telemetry/metrics/query.ts), parseLogql (src/telemetry/logs/logql/parse.ts) or parseTraceQL (src/telemetry/traces/traceql)', typesOnly: true },
  protobufjs: { layers: ['telemetry'], instead: 'hand OTLP bytes to src/telemetry/otlp (OtlpReceiver, the decoders), or add what you need there' },
  '@grafana/lezer-traceql': { layers: ['telemetry'], instead: 'parse TraceQL with parseTraceQL from src/telemetry/traces/traceql' },
  '@lezer/common': { layers: ['telemetry'], instead: 'parse TraceQL with parseTraceQL from src/telemetry/traces/traceql', typesOnly: true },
  // RE2 in JavaScript: every user-supplied regular expression (the three query languages, readiness patterns) in linear time.
  re2js: { layers: ['telemetry'], instead: 'compile patterns with compileGoRegex from src/telemetry/regex.ts' },
  'devtools-protocol': { layers: ALL, instead: '', typesOnly: true },
  // The shell command line must start fast: it gets its commands from a JSON manifest instead.
  zod: { layers: ALL.filter((layer) => layer !== 'shell'), instead: 'the legible command line loads no zod: validate by hand, or leave it to the daemon' },
};

/** Any package with ffmpeg in its name (fluent-ffmpeg, ffmpeg-static, @ffmpeg-installer/ffmpeg, …). */
const FFMPEG = { layers: ['media'], instead: 'call a function of src/media, or add one there' };

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
  line: number;
}

/** Every module a source file refers to, with whether the reference is erased at compile time. */
function importsOf(fileName: string, text: string): { imports: ImportRef[]; spawned: ImportRef[] } {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports: ImportRef[] = [];
  const spawned: ImportRef[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (specifier && ts.isStringLiteralLike(specifier)) imports.push({ specifier: specifier.text, typeOnly, line: lineOf(node) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      let typeOnly = false;
      if (clause) {
        const named = clause.namedBindings;
        typeOnly =
          clause.isTypeOnly ||
          (!clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((element) => element.isTypeOnly));
      }
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const clause = node.exportClause;
      const typeOnly =
        node.isTypeOnly || (!!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire =
        (ts.isIdentifier(callee) && callee.text === 'require') ||
        // createRequire(import.meta.url)('pkg')
        (ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'createRequire');
      if (callee.kind === ts.SyntaxKind.ImportKeyword || isRequire) {
        add(node, node.arguments[0], false);
      }
      // Running ffmpeg as a program counts as using it: spawn('ffmpeg', …), execFile('ffmpeg', …).
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const first = node.arguments[0];
      if (/^(spawn|spawnSync|exec|execSync|execFile|execFileSync|fork)$/.test(name) && first && ts.isStringLiteralLike(first) && /ffmpeg|ffprobe/i.test(first.text)) {
        spawned.push({ specifier: first.text, typeOnly: false, line: lineOf(node) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, spawned };
}

/** The layer folder of a path relative to the repository root (src/<layer>/…), or undefined. */
function layerOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const BUILTINS = new Set(builtinModules);

/** Every source file must sit in a layer folder. */
function checkFile(file: string): string | undefined {
  const layer = layerOf(file);
  if (layer && LAYERS[layer] !== undefined) return undefined;
  return `${file} is not in a known layer: put it in one of src/{${ALL.join(',')}}/, or add its folder to LAYERS in test/unit/architecture.test.ts (and to ARCHITECTURE.md).`;
}

/**
 * The rule violations of one import, as messages that name the file, the import and the fix.
 * `file` is relative to the repository root, with forward slashes.
 */
function checkImport(file: string, ref: Pick<ImportRef, 'specifier' | 'typeOnly'>): string[] {
  const from = layerOf(file);
  const { specifier } = ref;
  const where = `${file} imports ${specifier}`;
  const misplaced = checkFile(file);
  if (misplaced) return [misplaced];
  if (specifier.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    const to = layerOf(target);
    if (!to || LAYERS[to] === undefined) {
      return [`${where}, which is outside the layers of src/ (resolves to ${target}); move the code it needs into a layer, at or below ${from}.`];
    }
    const fromRank = LAYERS[from]!;
    const toRank = LAYERS[to]!;
    if (to === from || toRank < fromRank) return [];
    if (toRank === fromRank) {
      const lower = ALL.filter((layer) => LAYERS[layer]! < fromRank);
      return [
        `${where}: ${from} and ${to} are siblings (both layer ${fromRank}) and may not depend on each other; move the shared code down into ${lower.join(' or ')}, or combine them in a higher layer that imports both.`,
      ];
    }
    return [
      `${where}: ${from} (layer ${fromRank}) may not depend on ${to} (layer ${toRank}); move the shared code down into ${from} or a lower layer, or pass it in from ${to}.`,
    ];
  }
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!)) return [];
  const name = packageName(specifier);
  const rule = PACKAGES[name] ?? (/ffmpeg|ffprobe/i.test(name) ? FFMPEG : undefined);
  if (!rule) {
    return [
      `${where}, a package the layering rules do not know; decide which layer owns it (one layer per library) and add it to PACKAGES in test/unit/architecture.test.ts and to ARCHITECTURE.md.`,
    ];
  }
  const problems: string[] = [];
  if (rule.typesOnly && !ref.typeOnly) {
    problems.push(`${where} as a value, but ${name} has no runtime code; write \`import type { … } from '${specifier}'\`.`);
  }
  if (!rule.layers.includes(from)) {
    const allowed = rule.layers.map((layer) => `src/${layer}`).join(', ');
    problems.push(`${where}: ${name} may be used only under ${allowed}, not in ${from}; ${rule.instead}.`);
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : /\.(m|c)?tsx?$/.test(entry.name) ? [join(dir, entry.name)] : []))
    .sort();
}

const files = sourceFiles(SRC).map((path) => ({
  path: relative(ROOT, path).split('\\').join('/'),
  text: readFileSync(path, 'utf8'),
}));

describe('the rules themselves', () => {
  it('allow importing the same layer and lower layers', () => {
    expect(checkImport('src/tools/x.ts', { specifier: './y.js', typeOnly: false })).toEqual([]);
    expect(checkImport('src/tools/x.ts', { specifier: '../actions/perform.js', typeOnly: false })).toEqual([]);
    expect(checkImport('src/cli/main.ts', { specifier: '../util/errors.js', typeOnly: false })).toEqual([]);
    expect(checkImport('src/snapshot/x.ts', { specifier: '../cdp/pageDriver.js', typeOnly: true })).toEqual([]);
  });

  it('refuse an upward import, with a message that says how to fix it', () => {
    expect(checkImport('src/snapshot/x.ts', { specifier: '../tools/y.js', typeOnly: false })).toEqual([
      'src/snapshot/x.ts imports ../tools/y.js: snapshot (layer 3) may not depend on tools (layer 7); move the shared code down into snapshot or a lower layer, or pass it in from tools.',
    ]);
    // Types count too: a type from a higher layer is still a dependency on it.
    expect(checkImport('src/cdp/x.ts', { specifier: '../actions/pageState.js', typeOnly: true })).toHaveLength(1);
    expect(checkImport('src/util/x.ts', { specifier: '../config/config.js', typeOnly: false })).toHaveLength(1);
  });

  it('refuse imports between siblings', () => {
    const [media] = checkImport('src/media/image.ts', { specifier: '../cdp/pageDriver.js', typeOnly: true });
    expect(media).toContain('src/media/image.ts imports ../cdp/pageDriver.js: media and cdp are siblings (both layer 2)');
    expect(media).toContain('move the shared code down into util or config');
    expect(checkImport('src/cdp/x.ts', { specifier: '../media/image.js', typeOnly: false })).toHaveLength(1);
    expect(checkImport('src/snapshot/x.ts', { specifier: '../capture/consoleLog.js', typeOnly: false })).toHaveLength(1);
    expect(checkImport('src/capture/x.ts', { specifier: '../snapshot/outline.js', typeOnly: true })).toHaveLength(1);
    expect(checkImport('src/recording/x.ts', { specifier: '../capture/networkLog.js', typeOnly: true })).toHaveLength(1);
    expect(checkImport('src/recording/x.ts', { specifier: '../media/videoEncoder.js', typeOnly: false })).toEqual([]);
  });

  it('refuse files and imports outside the layers', () => {
    expect(checkImport('src/index.ts', { specifier: './cli/main.js', typeOnly: false })[0]).toContain('src/index.ts is not in a known layer');
    expect(checkImport('src/journeys/x.ts', { specifier: '../util/errors.js', typeOnly: false })[0]).toContain('add its folder to LAYERS');
    expect(checkImport('src/tools/x.ts', { specifier: '../../test/helpers/y.js', typeOnly: false })[0]).toContain('outside the layers of src/');
  });

  it('keep each third-party library in its layers', () => {
    expect(checkImport('src/cdp/connect.ts', { specifier: 'puppeteer-core', typeOnly: false })).toEqual([]);
    expect(checkImport('src/cdp/connect.ts', { specifier: 'chrome-remote-interface', typeOnly: false })).toEqual([]);
    expect(checkImport('src/snapshot/x.ts', { specifier: 'puppeteer-core', typeOnly: true })).toEqual([
      'src/snapshot/x.ts imports puppeteer-core: puppeteer-core may be used only under src/cdp, not in snapshot; use what src/cdp exposes (PageDriver, FrameDriver, ElementRef, BrowserSession), or add the method you need there.',
    ]);
    expect(checkImport('src/actions/x.ts', { specifier: 'chrome-remote-interface', typeOnly: false })).toHaveLength(1);
    expect(checkImport('src/media/image.ts', { specifier: 'sharp', typeOnly: false })).toEqual([]);
    expect(checkImport('src/tools/x.ts', { specifier: 'sharp', typeOnly: false })).toHaveLength(1);
    expect(checkImport('src/media/video.ts', { specifier: 'fluent-ffmpeg', typeOnly: false })).toEqual([]);
    expect(checkImport('src/tools/x.ts', { specifier: '@ffmpeg-installer/ffmpeg', typeOnly: false })).toHaveLength(1);
    expect(checkImport('src/server/x.ts', { specifier: '@modelcontextprotocol/sdk/server/mcp.js', typeOnly: false })).toEqual([]);
    expect(checkImport('src/tools/x.ts', { specifier: '@modelcontextprotocol/sdk/types.js', typeOnly: true })).toEqual([]);
    expect(checkImport('src/format/x.ts', { specifier: '@modelcontextprotocol/sdk/types.js', typeOnly: true })[0]).toContain(
      'may be used only under src/tools, src/server, src/daemon, src/http, src/cli',
    );
  });

  it('allow devtools-protocol everywhere, but only as types', () => {
    expect(checkImport('src/capture/x.ts', { specifier: 'devtools-protocol', typeOnly: true })).toEqual([]);
    expect(checkImport('src/util/x.ts', { specifier: 'devtools-protocol', typeOnly: true })).toEqual([]);
    expect(checkImport('src/capture/x.ts', { specifier: 'devtools-protocol', typeOnly: false })[0]).toContain("write `import type { … } from 'devtools-protocol'`");
  });

  it('allow node built-ins everywhere and refuse unknown packages', () => {
    expect(checkImport('src/util/x.ts', { specifier: 'node:fs', typeOnly: false })).toEqual([]);
    expect(checkImport('src/util/x.ts', { specifier: 'path', typeOnly: false })).toEqual([]);
    expect(checkImport('src/util/x.ts', { specifier: 'left-pad', typeOnly: false })[0]).toContain('a package the layering rules do not know');
  });

  it('find every kind of import and tell types from values', () => {
    const { imports, spawned } = importsOf(
      'x.ts',
      [
        "import a from 'a';",
        "import type { B } from 'b';",
        "import { type C, type D } from 'c';",
        "import { type E, F } from 'e';",
        "import * as G from 'g';",
        "import 'h';",
        "export { I } from 'i';",
        "export type { J } from 'j';",
        "export * from 'k';",
        "const l = await import('l');",
        "let m: import('m').M;",
        "import N = require('n');",
        "const o = createRequire(import.meta.url)('o');",
        "spawn('ffmpeg', ['-i', 'x']);",
        "childProcess.execFile('/usr/bin/ffprobe');",
        "spawn('chromium');",
      ].join('\n'),
    );
    expect(imports.map(({ specifier, typeOnly }) => `${specifier}:${typeOnly ? 'type' : 'value'}`)).toEqual([
      'a:value',
      'b:type',
      'c:type',
      'e:value',
      'g:value',
      'h:value',
      'i:value',
      'j:type',
      'k:value',
      'l:value',
      'm:type',
      'n:value',
      'o:value',
    ]);
    expect(spawned.map((ref) => ref.specifier)).toEqual(['ffmpeg', '/usr/bin/ffprobe']);
  });
});

describe('src/ follows the layering', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('has no import that breaks a layer or library rule', () => {
    const problems: string[] = [];
    for (const file of files) {
      const misplaced = checkFile(file.path);
      if (misplaced) {
        problems.push(misplaced);
        continue;
      }
      const { imports, spawned } = importsOf(file.path, file.text);
      for (const ref of imports) problems.push(...checkImport(file.path, ref).map((problem) => `${problem} (line ${ref.line})`));
      for (const ref of spawned) {
        if (layerOf(file.path) !== 'media') {
          problems.push(`${file.path} runs ${ref.specifier} (line ${ref.line}): ffmpeg may be used only under src/media; ${FFMPEG.instead}.`);
        }
      }
    }
    expect(problems, `Layering violations (see ARCHITECTURE.md):\n${problems.join('\n')}`).toEqual([]);
  });

  it('keeps every package out of the legible command line, including through the modules it imports', () => {
    // A warm `legible snapshot` must cost little more than starting Node: no zod, no MCP SDK, no
    // puppeteer-core, however indirectly (scripts/bundle.mjs checks the bundle the same way).
    const byPath = new Map(files.map((file) => [file.path, file]));
    const seen = new Set<string>();
    const problems: string[] = [];
    const stack = ['src/shell/main.ts'];
    while (stack.length) {
      const path = stack.pop()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const file = byPath.get(path);
      if (!file) {
        problems.push(`${path} is imported but not found`);
        continue;
      }
      for (const ref of importsOf(file.path, file.text).imports) {
        if (ref.typeOnly) continue;
        if (ref.specifier.startsWith('.')) stack.push(posix.normalize(posix.join(posix.dirname(path), ref.specifier)).replace(/\.js$/, '.ts'));
        else if (!ref.specifier.startsWith('node:') && !BUILTINS.has(ref.specifier)) problems.push(`${path} imports ${ref.specifier} (line ${ref.line}), which the legible command line would then load`);
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(problems, 'Move what the command line needs into a module that uses only Node built-ins (see src/shell/manifest.ts).').toEqual([]);
  });

  it('reports files over 400 lines (a soft limit: look for the seam)', () => {
    const long = files
      .map((file) => ({ path: file.path, lines: file.text.split('\n').length }))
      .filter((file) => file.lines > 400);
    for (const file of long) {
      console.warn(`${file.path} has ${file.lines} lines; past about 400, look for a seam to split it along.`);
    }
    expect(Array.isArray(long)).toBe(true);
  });
});
