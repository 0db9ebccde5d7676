import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import type { Config } from '../config/config.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { logDebug } from '../util/log.js';
import { processRuns } from '../util/process.js';
import { withTimeout } from '../util/time.js';
import { findChrome } from './findChrome.js';

export interface Connection {
  browser: Browser;
  /** True when Legible launched the browser and so may close it. */
  owned: boolean;
  description: string;
  /**
   * The folder made for this launch (the browser's TMPDIR, and its profile unless --user-data-dir
   * is given): Chromium leaves org.chromium.Chromium.* folders in its temp folder when it is
   * killed, so each launch gets its own, removed on relaunch and on exit (removeScratch). Its
   * name carries the Legible process's pid (`legible-chromium-<pid>-XXXXXX`), so a folder left by
   * a Legible that was killed outright is swept by the next launch (sweepScratch).
   */
  scratchDir?: string;
}

/** Removes a launch's scratch folder (see Connection.scratchDir); never throws. */
export async function removeScratch(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 }).catch(() => undefined);
}

const SCRATCH_PREFIX = 'legible-chromium-';
const SCRATCH_NAME = /^legible-chromium-(\d+)-[\w]{6}$/;

/**
 * Removes the scratch folders of Legible processes that are gone (SIGKILLed, crashed): those
 * named `legible-chromium-<pid>-…`, owned by this user, whose pid no longer runs (a zombie, killed
 * and not yet reaped, does not: see processRuns). A folder whose
 * owner lives is never touched (other people run Legible on the same machine), nor one without a
 * pid in its name (older versions: its owner cannot be known). Returns the folders removed; never throws.
 */
export async function sweepScratch(dir = tmpdir()): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const removed: string[] = [];
  for (const name of names) {
    const owner = Number(SCRATCH_NAME.exec(name)?.[1] ?? 0);
    if (!owner || owner === process.pid || processRuns(owner)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    await removeScratch(path);
    removed.push(path);
  }
  return removed;
}

/**
 * Flags for a quiet, isolated Chromium. The network flags stop Chromium from calling home,
 * which on a closed network floods the log with refused connections.
 */
export function launchArgs(config: Config): string[] {
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--no-default-browser-check',
    '--mute-audio',
    '--hide-scrollbars',
    // A page restored from the back/forward cache replays its old console messages as new ones.
    '--disable-features=BackForwardCache',
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  return [...args, ...config.chromeArgs];
}

/** puppeteer-core is loaded on first use, so the server answers tools/list without waiting for it. */
async function loadPuppeteer() {
  return (await import('puppeteer-core')).default;
}

async function launch(config: Config): Promise<Connection> {
  const executablePath = findChrome(config.executablePath);
  const puppeteer = await loadPuppeteer();
  const swept = await sweepScratch();
  if (swept.length) logDebug(`removed ${swept.length} scratch folder(s) of Legible processes that are gone: ${swept.join(', ')}`);
  const scratchDir = await mkdtemp(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
  try {
    const browser = await puppeteer.launch({
      executablePath,
      headless: !config.headed,
      pipe: true,
      args: launchArgs(config),
      defaultViewport: config.viewport,
      userDataDir: config.userDataDir ?? join(scratchDir, 'profile'),
      env: { ...process.env, TMPDIR: scratchDir },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 30_000,
      protocolTimeout: 60_000,
    });
    return { browser, owned: true, description: `launched ${executablePath}`, scratchDir };
  } catch (error) {
    await removeScratch(scratchDir);
    if (config.headed && /Missing X server|\$DISPLAY/i.test(errorMessage(error))) {
      throw new LegibleError(
        `--headed needs a display to show the browser window, and there is none here (no X server${process.env.DISPLAY ? ` at DISPLAY=${process.env.DISPLAY}` : '; DISPLAY is not set'}).`,
        'Drop --headed to run the browser headless, or start Legible under a virtual display: xvfb-run legible-mcp --headed.',
        { cause: error, kind: 'environment' },
      );
    }
    throw new LegibleError(
      `Could not launch the browser at ${executablePath}: ${errorMessage(error).split('\n')[0]}`,
      'Check that the binary runs (try `chromium --headless --version`), pass another with --executable-path, or add flags with --chrome-arg.',
      { cause: error, kind: 'environment' },
    );
  }
}

/** Asks the DevTools HTTP endpoint for the browser's WebSocket address. */
async function wsFromBrowserUrl(browserUrl: string): Promise<string> {
  const url = new URL(browserUrl);
  const { default: CDP } = await import('chrome-remote-interface');
  try {
    const version = await withTimeout(
      CDP.Version({ host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), secure: url.protocol === 'https:' }),
      5_000,
      `Asking ${browserUrl} for its DevTools endpoint`,
    );
    if (!version.webSocketDebuggerUrl) throw new Error('the answer had no webSocketDebuggerUrl');
    return version.webSocketDebuggerUrl;
  } catch (error) {
    throw new LegibleError(
      `No browser with remote debugging answered at ${browserUrl} (${errorMessage(error)}).`,
      'Start Chrome (or the Electron app) with --remote-debugging-port=9222 and check the address, or drop --browser-url to let Legible launch its own browser.',
      { cause: error, kind: 'environment' },
    );
  }
}

/**
 * What went wrong while connecting, in words: the WebSocket library rejects with an ErrorEvent
 * (not an Error), whose own text is in `message` or in its `error`.
 */
function connectFailure(error: unknown): string {
  const event = error as { message?: unknown; error?: unknown } | null;
  const inner = event && typeof event === 'object' && event.error instanceof Error ? event.error : undefined;
  const text = inner?.message || (event && typeof event === 'object' && typeof event.message === 'string' && event.message) || errorMessage(error);
  if (/ECONNREFUSED/.test(text)) return `nothing is listening there (${text})`;
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return `the host could not be resolved (${text})`;
  if (/\b40[34]\b|Unexpected server response/.test(text)) return `the server answered, but not as a browser's DevTools WebSocket (${text})`;
  return text;
}

async function attach(endpoint: string, label: string): Promise<Connection> {
  const puppeteer = await loadPuppeteer();
  try {
    const browser = await puppeteer.connect({ browserWSEndpoint: endpoint, defaultViewport: null, protocolTimeout: 60_000 });
    return { browser, owned: false, description: `attached to the browser at ${label}` };
  } catch (error) {
    throw new LegibleError(
      `Could not attach to the browser at ${label}: ${connectFailure(error)}.`,
      'Check that the browser runs with remote debugging on (--remote-debugging-port) and that the address is right: the browser prints it as "DevTools listening on ws://…"; or drop the flag to let Legible launch its own browser.',
      { cause: error, kind: 'environment' },
    );
  }
}

/** Launches a browser, or attaches to one when the config names an endpoint. */
export async function connectBrowser(config: Config): Promise<Connection> {
  if (config.wsEndpoint) return attach(config.wsEndpoint, config.wsEndpoint);
  if (config.browserUrl) return attach(await wsFromBrowserUrl(config.browserUrl), config.browserUrl);
  return launch(config);
}
