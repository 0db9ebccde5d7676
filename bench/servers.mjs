// The three servers under test: how to spawn each one, and an adapter per server that maps each
// journey step to that server's own tools and arguments and finds refs in its snapshot text.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startSession } from './mcp.mjs';

export const ROOT = join(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const VIEWPORT = '1280x720';

/** Version and entry script of a package; `binName` picks one of several bins. */
function packageInfo(dir, binName) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.[binName];
  return { version: pkg.version, bin: bin && join(dir, bin) };
}

/** The line of `text` that shows `role "name"` exactly, or undefined. */
function lineOf(text, role, name) {
  const needle = `${role} "${name}"`;
  return text.split('\n').find((line) => {
    const at = line.indexOf(needle);
    return at >= 0 && /^[\s-]*$|=\S+ $/.test(line.slice(0, at));
  });
}

/** Adapter base: the journey only talks to servers through these methods. */
class Adapter {
  constructor(session) {
    this.session = session;
  }
  async init() {}
  findRef(text, role, name) {
    const line = lineOf(text, role, name);
    return line && this.refPattern.exec(line)?.[1];
  }
  /** Finds one element's ref without a full snapshot, where the server can (else undefined). */
  search() {
    return undefined;
  }
}

class LegibleAdapter extends Adapter {
  refPattern = /\[ref=([^\]\s]+)\]/;
  open(url) {
    return this.session.must('navigate', { url });
  }
  snapshot() {
    return this.session.must('snapshot', {});
  }
  search(text) {
    return this.session.must('snapshot', { search: text });
  }
  type(ref, text) {
    return this.session.must('type', { ref, text });
  }
  click(ref) {
    return this.session.must('click', { ref });
  }
  console() {
    return this.session.must('console', {});
  }
  network() {
    return this.session.must('network', {});
  }
  screenshot() {
    return this.session.must('screenshot', {});
  }
  evaluate(fn) {
    return this.session.must('evaluate', { function: fn });
  }
  async recordStart() {
    await this.session.must('record', { action: 'start', label: 'bench' });
  }
  async recordStop() {
    const result = await this.session.must('record', { action: 'stop' });
    return { result, video: /^Video: (.+)$/m.exec(result.text)?.[1]?.trim() };
  }
}

class ChromeDevtoolsAdapter extends Adapter {
  refPattern = /uid=(\S+)/;
  /** Page-scoped tools need a pageId; list_pages tells it (a call any agent makes first). */
  async init() {
    const pages = await this.session.must('list_pages', {});
    this.pageId = Number(/^(\d+):.*\[selected\]/m.exec(pages.text)?.[1] ?? 1);
  }
  page(name, args = {}) {
    return this.session.must(name, { pageId: this.pageId, ...args });
  }
  open(url) {
    return this.page('navigate_page', { type: 'url', url });
  }
  snapshot() {
    return this.page('take_snapshot');
  }
  type(uid, value) {
    return this.page('fill', { uid, value });
  }
  click(uid) {
    return this.page('click', { uid });
  }
  console() {
    return this.page('list_console_messages');
  }
  network() {
    return this.page('list_network_requests');
  }
  screenshot() {
    return this.page('take_screenshot');
  }
  evaluate(fn) {
    return this.page('evaluate_script', { function: fn });
  }
  async recordStart(videoPath) {
    this.videoPath = videoPath;
    await this.page('screencast_start', { filePath: videoPath });
  }
  async recordStop() {
    const result = await this.page('screencast_stop');
    return { result, video: this.videoPath };
  }
}

class PlaywrightAdapter extends Adapter {
  refPattern = /\[ref=([^\]\s]+)\]/;
  open(url) {
    return this.session.must('browser_navigate', { url });
  }
  snapshot() {
    return this.session.must('browser_snapshot', {});
  }
  search(text) {
    return this.session.must('browser_find', { text });
  }
  type(target, text) {
    return this.session.must('browser_type', { target, text });
  }
  click(target) {
    return this.session.must('browser_click', { target });
  }
  console() {
    return this.session.must('browser_console_messages', { level: 'info' });
  }
  network() {
    return this.session.must('browser_network_requests', { static: false });
  }
  screenshot() {
    return this.session.must('browser_take_screenshot', { scale: 'css' });
  }
  evaluate(fn) {
    return this.session.must('browser_evaluate', { function: fn });
  }
  async recordStart(videoPath) {
    this.videoPath = videoPath;
    await this.session.must('browser_start_video', { filename: videoPath });
  }
  async recordStop() {
    const result = await this.session.must('browser_stop_video', {});
    return { result, video: this.videoPath };
  }
}

/**
 * Playwright records video with its own ffmpeg build, which `npx playwright install ffmpeg` would
 * download to <PLAYWRIGHT_BROWSERS_PATH>/ffmpeg-<revision>/ffmpeg-linux. Nothing is downloaded
 * here: that path is a link to the system's ffmpeg (Playwright checks only that the file is
 * there, and its arguments — Matroska in, VP8 out — work with Debian's build). Returns the
 * environment for the Playwright process, or {} when there is no ffmpeg on the PATH.
 */
function playwrightFfmpegEnv(outDir) {
  let ffmpeg;
  try {
    ffmpeg = execFileSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).trim();
  } catch {
    return {};
  }
  const browsers = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'playwright-core', 'browsers.json'), 'utf8')).browsers;
  const revision = browsers.find((b) => b.name === 'ffmpeg')?.revision;
  if (!ffmpeg || !revision) return {};
  const dir = join(outDir, 'playwright-browsers');
  mkdirSync(join(dir, `ffmpeg-${revision}`), { recursive: true });
  const link = join(dir, `ffmpeg-${revision}`, 'ffmpeg-linux');
  if (!existsSync(link)) symlinkSync(ffmpeg, link);
  return { PLAYWRIGHT_BROWSERS_PATH: dir };
}

const legible = packageInfo(ROOT, 'legible-mcp');
const chromeDevtools = packageInfo(join(ROOT, 'node_modules', 'chrome-devtools-mcp'), 'chrome-devtools-mcp');
const playwright = packageInfo(join(ROOT, 'node_modules', '@playwright', 'mcp'), 'playwright-mcp');

/**
 * Each server: `args(outDir)` for its command line (headless, isolated profile, Debian's Chromium,
 * 1280x720), its adapter, and how it records video. `recording.extraArgs` starts a second process
 * for the recording step when the tools are only there with an option (kept out of the main
 * process so its tools/list stays the default one).
 */
export const SERVERS = [
  {
    id: 'legible',
    name: 'Legible',
    version: legible.version,
    // What `legible-mcp` runs (the package's bin), else the compiled entry it is built from.
    entry: legible.bin && existsSync(legible.bin) ? legible.bin : join(ROOT, 'dist', 'cli', 'main.js'),
    args: (outDir) => ['--executable-path', CHROMIUM, '--chrome-arg=--no-sandbox', '--chrome-arg=--disable-background-networking', '--viewport', VIEWPORT, '--output-dir', outDir],
    env: {},
    Adapter: LegibleAdapter,
    recording: { tool: 'record' },
  },
  {
    id: 'chrome-devtools-mcp',
    name: 'chrome-devtools-mcp',
    version: chromeDevtools.version,
    entry: chromeDevtools.bin,
    args: () => [
      '--headless',
      '--isolated',
      '--executablePath',
      CHROMIUM,
      '--chromeArg=--no-sandbox',
      '--chromeArg=--disable-background-networking',
      '--usageStatistics',
      'false',
      '--performanceCrux',
      'false',
      '--viewport',
      VIEWPORT,
    ],
    env: { CI: '1', CHROME_DEVTOOLS_MCP_NO_USAGE_STATISTICS: '1' },
    Adapter: ChromeDevtoolsAdapter,
    recording: { tool: 'screencast_start', ext: 'mp4' },
  },
  {
    id: 'playwright-mcp',
    name: '@playwright/mcp',
    version: playwright.version,
    entry: playwright.bin,
    args: (outDir) => ['--headless', '--isolated', '--no-sandbox', '--executable-path', CHROMIUM, '--viewport-size', VIEWPORT, '--output-dir', outDir],
    env: {},
    Adapter: PlaywrightAdapter,
    recording: { tool: 'browser_start_video', ext: 'webm', extraArgs: ['--caps', 'devtools'], env: playwrightFfmpegEnv },
  },
];

/** Spawns a server (node <entry> <args>) in `outDir` and returns { session, adapter } once tools/list answered. */
export async function launch(server, outDir, extraArgs = [], extraEnv = {}) {
  mkdirSync(outDir, { recursive: true });
  const session = await startSession({ command: process.execPath, args: [server.entry, ...server.args(outDir), ...extraArgs], env: { ...server.env, ...extraEnv }, cwd: outDir });
  const adapter = new server.Adapter(session);
  return { session, adapter };
}
