import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APPS_CONFIG_FILE, parseAppsConfig, type AppSpec } from '../config/appsConfig.js';
import { goRegexProblem } from '../telemetry/regex.js';
import { LegibleError, errorMessage } from '../util/errors.js';

/** Where the apps come from: legible.config.json, or the package.json fallback. */
export interface AppSource {
  kind: 'config' | 'package.json';
  /** The file read. */
  file: string;
  /** The folder commands run in by default (the config file's). */
  root: string;
  apps: Map<string, AppSpec>;
  /** Said in app_start's answer when the fallback was used. */
  note?: string;
}

export const CONFIG_EXAMPLE = `{"apps":{"api":{"command":["node","server.js"],"port":"auto","ready":{"http":"/health"}},"web":{"command":"vite --port {port} --strictPort","port":"auto","env":{"VITE_API_URL":"{apps.api.url}"}}}}`;

/**
 * Reads the apps of the workspace at `root`: legible.config.json when it exists (a file that does
 * not parse or validate is an error, never a silent fallback), else the `dev` script (then
 * `start`) of package.json as one app on a free port.
 */
/** The workspace defines no app at all (no config, no usable package.json): not a broken config. */
export class NoAppsError extends LegibleError {}

export async function loadApps(root: string): Promise<AppSource> {
  const configFile = join(root, APPS_CONFIG_FILE);
  const text = await readText(configFile);
  if (text !== undefined) {
    const config = parseAppsConfig(text, configFile, { regexProblem: goRegexProblem });
    if (!Object.keys(config.apps).length) {
      throw new LegibleError(`${configFile} names no apps (only backends).`, `Add the apps Legible should start under "apps", for example: ${CONFIG_EXAMPLE}`, { kind: 'usage' });
    }
    return { kind: 'config', file: configFile, root, apps: new Map(Object.entries(config.apps)) };
  }
  const packageFile = join(root, 'package.json');
  const packageText = await readText(packageFile);
  const noApps = (why: string) =>
    new NoAppsError(`No ${APPS_CONFIG_FILE} in ${root}, and ${why}.`, `Write ${APPS_CONFIG_FILE} there (or start Legible with --root <your app's folder>), for example: ${CONFIG_EXAMPLE}`, {
      kind: 'usage',
    });
  if (packageText === undefined) throw noApps('no package.json either');
  let pkg: { name?: unknown; scripts?: Record<string, unknown> };
  try {
    pkg = JSON.parse(packageText) as typeof pkg;
  } catch (error) {
    throw new LegibleError(`${packageFile} is not valid JSON (${errorMessage(error)}), and there is no ${APPS_CONFIG_FILE}.`, `Fix package.json, or write ${APPS_CONFIG_FILE}: ${CONFIG_EXAMPLE}`, {
      kind: 'usage',
    });
  }
  const script = (['dev', 'start'] as const).find((key) => typeof pkg.scripts?.[key] === 'string' && (pkg.scripts[key] as string).trim());
  if (!script) throw noApps('its package.json has no "dev" or "start" script');
  const name = appNameOf(pkg.name);
  const command = (pkg.scripts![script] as string).trim();
  return {
    kind: 'package.json',
    file: packageFile,
    root,
    apps: new Map([[name, { command, port: 'auto' }]]),
    note:
      `No ${APPS_CONFIG_FILE} in ${root}: ran the "${script}" script of package.json (${JSON.stringify(command.slice(0, 80))}) as app "${name}", ` +
      `with a free port in PORT (a dev server that ignores PORT needs its own flag). To set the command, port, readiness or more apps, write ${APPS_CONFIG_FILE}, e.g. ${CONFIG_EXAMPLE}`,
  };
}

/** "@acme/shop-web" → "shop-web"; no usable name → "app". */
export function appNameOf(name: unknown): string {
  if (typeof name !== 'string') return 'app';
  const bare = name.replace(/^@[^/]+\//, '').replace(/[^\w-]/g, '-').replace(/^[^A-Za-z]+/, '').slice(0, 40);
  return bare || 'app';
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LegibleError(`Could not read ${file}: ${errorMessage(error)}.`, 'Check that the file is readable.', { kind: 'environment' });
  }
}
