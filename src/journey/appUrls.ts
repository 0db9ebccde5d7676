import { z } from 'zod';
import type { Journey, Step, UnsupportedStep } from './schema.js';

/**
 * Which app each URL of a journey belongs to. An app started with `"port": "auto"` gets another
 * port on its next start, so a journey saved against `http://localhost:41234` would miss it on
 * replay. The journey keeps its steps' URLs as they were (Recorder and other tools read them) and
 * adds one `legible.apps` custom step naming each app and the origin it served then:
 *
 *   {"type": "customStep", "name": "legible.apps", "parameters": {"web": "http://localhost:41234"}}
 *
 * A replay moves every URL of that origin to the app's current one (`rebaseJourney`): navigate
 * URLs, the URLs of asserted navigations, popup targets and mock patterns. A loopback origin
 * (localhost, 127.0.0.1, [::1]) matches its other spellings on the same port, and keeps its
 * spelling when it moves (cookies are per host name).
 */
export const APPS_STEP = 'legible.apps';

export const appsStepSchema = z.record(z.string().regex(/^[\w.-]{1,100}$/, 'app names are letters, digits, dots, dashes or underscores'), z.string().url());

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Whether two origins are the same place (loopback spellings on one port count as one). */
function sameOrigin(a: URL, b: URL): boolean {
  if (a.origin === b.origin) return true;
  return a.protocol === b.protocol && a.port === b.port && LOOPBACK.has(a.hostname) && LOOPBACK.has(b.hostname);
}

/** Every URL a step names: its navigation, its asserted navigations, its target tab. */
function urlsOf(step: Step | UnsupportedStep): string[] {
  if ('unsupported' in step) return [];
  const out: string[] = [];
  if (step.type === 'navigate') out.push(step.url);
  for (const event of step.assertedEvents ?? []) if (event.url) out.push(event.url);
  const target = (step as { target?: string }).target;
  if (target && target !== 'main') out.push(target);
  return out;
}

/**
 * The `legible.apps` parameters for a flow's steps: each app (found by origin in `origins`, the
 * session's apps, stopped ones included) with the origin the steps use. Undefined when no step URL
 * is an app's.
 */
export function appsOfSteps(steps: Step[], origins: ReadonlyMap<string, string>): Record<string, string> | undefined {
  const apps: Record<string, string> = {};
  for (const url of steps.flatMap(urlsOf)) {
    const parsed = parse(url);
    const app = parsed && origins.get(parsed.origin);
    if (app && !apps[app]) apps[app] = parsed.origin;
  }
  return Object.keys(apps).length ? apps : undefined;
}

/**
 * The `legible.apps` step as a run used it, for its line among the steps (it is step 1 of a saved
 * journey, and the run counts steps as the file does): each app at the origin the run found it,
 * with the recorded one when it moved, or not running (its URLs then stay as recorded).
 */
export function describeAppsStep(parameters: unknown, urlOf: (app: string) => string | undefined): string {
  const parsed = appsStepSchema.safeParse(parameters);
  if (!parsed.success) return 'apps';
  const apps = Object.entries(parsed.data).map(([app, recorded]) => {
    const now = urlOf(app);
    const from = parse(recorded);
    const to = now ? parse(now) : undefined;
    if (!to) return `${app} not running (its URLs kept as recorded: ${recorded})`;
    return from && sameOrigin(from, to) ? `${app} at ${recorded}` : `${app} at ${to.origin} (recorded at ${recorded})`;
  });
  return `apps: ${apps.join(', ')}`;
}

/** The apps a journey's `legible.apps` step names, with the origins they had (the last such step wins). */
export function journeyApps(journey: Journey): Record<string, string> {
  let apps: Record<string, string> = {};
  for (const step of journey.steps) {
    if (!('unsupported' in step) && step.type === 'customStep' && step.name === APPS_STEP) {
      const parsed = appsStepSchema.safeParse(step.parameters);
      if (parsed.success) apps = parsed.data;
    }
  }
  return apps;
}

export interface MovedApp {
  app: string;
  from: string;
  to: string;
}

/**
 * The journey with every URL of a recorded app origin moved to where that app is now
 * (`current`: app → its URL). Apps not in `current` keep their recorded URLs. Answers which
 * origins moved.
 */
export function rebaseJourney(journey: Journey, current: ReadonlyMap<string, string>): { journey: Journey; moved: MovedApp[] } {
  const moves: { from: URL; to: URL; app: string }[] = [];
  for (const [app, origin] of Object.entries(journeyApps(journey))) {
    const from = parse(origin);
    const now = current.get(app);
    const to = now ? parse(now) : undefined;
    if (!from || !to || from.origin === to.origin) continue;
    // A loopback origin keeps its host name and only changes port.
    const target = new URL(to.origin);
    if (LOOPBACK.has(from.hostname) && LOOPBACK.has(to.hostname)) target.hostname = from.hostname;
    moves.push({ from, to: target, app });
  }
  if (!moves.length) return { journey, moved: [] };
  const move = (url: string): string => {
    const parsed = parse(url);
    if (!parsed) return url;
    const found = moves.find((m) => sameOrigin(parsed, m.from));
    if (!found) return url;
    const host = LOOPBACK.has(parsed.hostname) && LOOPBACK.has(found.to.hostname) ? parsed.hostname : found.to.hostname;
    // Only the scheme, host and port change; the rest stays as written (credentials, a missing "/").
    return url.replace(/^[a-z][\w+.-]*:\/\/((?:[^@/?#]*@)?)[^/?#]*/i, (_all, credentials: string) => `${found.to.protocol}//${credentials}${host}${found.to.port ? `:${found.to.port}` : ''}`);
  };
  const steps = journey.steps.map((step): Step | UnsupportedStep => {
    if ('unsupported' in step) return step;
    let out: Step = step;
    if (out.type === 'navigate') out = { ...out, url: move(out.url) };
    if (out.assertedEvents?.length) out = { ...out, assertedEvents: out.assertedEvents.map((event) => (event.url ? { ...event, url: move(event.url) } : event)) };
    const target = (out as { target?: string }).target;
    if (target && target !== 'main') out = { ...out, target: move(target) } as Step;
    if (out.type === 'customStep' && out.name === 'legible.mock') {
      const parameters = out.parameters as { url?: unknown };
      if (typeof parameters?.url === 'string') out = { ...out, parameters: { ...parameters, url: move(parameters.url) } };
    }
    return out;
  });
  return { journey: { ...journey, steps }, moved: moves.map((m) => ({ app: m.app, from: m.from.origin, to: m.to.origin })) };
}
