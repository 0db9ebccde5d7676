import { accessSync, constants } from 'node:fs';
import { LegibleError } from '../util/errors.js';

/** Where Chromium and Chrome usually live, most likely first. */
const KNOWN_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Picks the browser binary: the `--executable-path` flag, then `CHROME_PATH`, then the usual
 * install paths. Throws a LegibleError that says how to fix it when none is found.
 */
export function findChrome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  for (const [source, path] of [
    ['--executable-path', explicit],
    ['CHROME_PATH', env.CHROME_PATH],
  ] as const) {
    if (!path) continue;
    if (isExecutable(path)) return path;
    throw new LegibleError(
      `The browser given by ${source} (${path}) does not exist or is not executable.`,
      'Point it at a Chromium or Chrome binary, or leave it unset to search the usual paths.',
      { kind: 'environment' },
    );
  }
  const found = KNOWN_PATHS.find(isExecutable);
  if (found) return found;
  throw new LegibleError(
    'No Chromium or Chrome was found on this machine.',
    'Install one (Debian/Ubuntu: `apt-get install -y chromium`), or pass --executable-path or set CHROME_PATH, or attach to a running browser with --browser-url.',
    { kind: 'environment' },
  );
}
