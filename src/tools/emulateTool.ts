import { z } from 'zod';
import { performAction } from '../actions/perform.js';
import { NETWORK_PRESETS, findDevice, networkPreset, type Environment, type EnvironmentChange } from '../cdp/emulation.js';
import { formatEnvironment } from '../format/environmentFormat.js';
import { EMULATE_STEP } from '../journey/legibleSteps.js';
import type { Step } from '../journey/schema.js';
import { UsageError } from '../util/errors.js';
import { reportEffects } from './common.js';
import { defineTool } from './tool.js';
import { printable, quoteValue } from '../util/text.js';

const VIEWPORT_HINT = 'Give a size such as "390x844", "390x844@3 mobile" (device pixel ratio 3, a phone with touch), or a device such as "iPhone 15", "Pixel 5", "iPad Pro 11 landscape".';

/** "390x844@3 mobile" or a device name → the viewport (and a device's user agent). */
async function parseViewport(text: string): Promise<{ viewport: NonNullable<Environment['viewport']>; userAgent?: string }> {
  const size = /^\s*(\d{2,5})\s*[x×]\s*(\d{2,5})(?:\s*@\s*(\d+(?:\.\d+)?))?((?:\s+(?:mobile|touch|landscape))*)\s*$/i.exec(text);
  if (size) {
    const [width, height, dpr] = [Number(size[1]), Number(size[2]), Number(size[3] ?? 1)];
    const flags = (size[4] ?? '').toLowerCase();
    if (width > 10_000 || height > 10_000 || dpr <= 0 || dpr > 5) throw new UsageError(`${quoteValue(text)} is out of range (at most 10000×10000, ratio up to 5).`, VIEWPORT_HINT);
    const mobile = flags.includes('mobile');
    return { viewport: { width, height, deviceScaleFactor: dpr, isMobile: mobile, hasTouch: mobile || flags.includes('touch'), isLandscape: width > height } };
  }
  if (/^\s*\d/.test(text)) throw new UsageError(`${quoteValue(text)} is not a viewport size.`, VIEWPORT_HINT);
  const device = await findDevice(text.trim());
  return { viewport: { ...device.viewport, device: device.name }, userAgent: device.userAgent };
}

function parseGeolocation(text: string): { latitude: number; longitude: number } {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  const [latitude, longitude] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
    throw new UsageError(`${quoteValue(text)} is not a position.`, 'Give "latitude,longitude" in degrees, e.g. "52.52,13.405".');
  }
  return { latitude, longitude };
}

function checkLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0]!;
  } catch {
    throw new UsageError(`${quoteValue(locale)} is not a locale.`, 'Give a BCP 47 tag such as "en-US", "de-DE" or "ja".');
  }
}

function checkTimezone(timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    throw new UsageError(`${quoteValue(timezone)} is not a time zone.`, 'Give an IANA name such as "Europe/Berlin", "America/New_York" or "UTC".');
  }
}

const ALL_KEYS: (keyof Environment)[] = ['viewport', 'userAgent', 'colorScheme', 'reducedMotion', 'locale', 'timezone', 'geolocation', 'network', 'cpu'];

/** The Recorder steps that replay a change: setViewport and emulateNetworkConditions where Recorder has them, a Legible custom step for the rest. */
function journeySteps(change: EnvironmentChange, after: Environment, defaultViewport: { width: number; height: number }): Step[] {
  const steps: Step[] = [];
  if ('viewport' in change) {
    const v = after.viewport ?? { ...defaultViewport, deviceScaleFactor: 1, isMobile: false, hasTouch: false, isLandscape: defaultViewport.width > defaultViewport.height };
    steps.push({ type: 'setViewport', width: v.width, height: v.height, deviceScaleFactor: v.deviceScaleFactor, isMobile: v.isMobile, hasTouch: v.hasTouch, isLandscape: v.isLandscape });
  }
  if ('network' in change) {
    const n = after.network;
    // Recorder's offline is no bandwidth at all; -1 is DevTools' "no throttling".
    steps.push(n ? { type: 'emulateNetworkConditions', download: n.offline ? 0 : n.download, upload: n.offline ? 0 : n.upload, latency: n.offline ? 0 : n.latency } : { type: 'emulateNetworkConditions', download: -1, upload: -1, latency: 0 });
  }
  const rest = Object.fromEntries(Object.entries(change).filter(([key]) => key !== 'viewport' && key !== 'network'));
  if (Object.keys(rest).length) steps.push({ type: 'customStep', name: EMULATE_STEP, parameters: rest });
  return steps;
}

export const emulateTool = defineTool({
  name: 'emulate',
  title: 'Emulate',
  description:
    'Device and conditions for this tab and tabs it opens, kept across loads. No args: show.',
  input: {
    viewport: z.string().optional().describe('WxH[@dpr][ mobile] or a device'),
    colorScheme: z.enum(['light', 'dark']).optional(),
    reducedMotion: z.boolean().optional(),
    locale: z.string().optional(),
    timezone: z.string().optional(),
    geolocation: z.string().optional().describe('lat,lon'),
    userAgent: z.string().optional(),
    network: z.enum(NETWORK_PRESETS).optional(),
    cpu: z.number().int().min(1).max(20).optional().describe('Slowdown ×'),
    reset: z.boolean().optional(),
  },
  kind: 'action',
  scope: 'page',
  async handle({ params, state, context, response }) {
    const { page } = state;
    // Before anything changes: a journey started here records the viewport the page had.
    const journey = context.journey(state);
    const change: EnvironmentChange = {};
    if (params.reset) for (const key of ALL_KEYS) change[key] = null;
    const text = (value: string | undefined) => (value === undefined ? undefined : value.trim() === '' ? null : value.trim());
    const viewport = text(params.viewport);
    if (viewport !== undefined) {
      if (viewport === null) change.viewport = null;
      else {
        const parsed = await parseViewport(viewport);
        change.viewport = parsed.viewport;
        if (parsed.userAgent && params.userAgent === undefined) change.userAgent = parsed.userAgent;
      }
    }
    if (params.colorScheme) change.colorScheme = params.colorScheme;
    if (params.reducedMotion !== undefined) change.reducedMotion = params.reducedMotion;
    const locale = text(params.locale);
    if (locale !== undefined) change.locale = locale && checkLocale(locale);
    const timezone = text(params.timezone);
    if (timezone !== undefined) change.timezone = timezone && checkTimezone(timezone);
    const geolocation = text(params.geolocation);
    if (geolocation !== undefined) change.geolocation = geolocation === null ? null : parseGeolocation(geolocation);
    const userAgent = text(params.userAgent);
    if (userAgent && (userAgent.length > 1_000 || printable(userAgent) !== userAgent)) {
      throw new UsageError(`The user agent ${quoteValue(userAgent)} is not one a browser sends.`, 'Give at most 1,000 printable characters, such as a device\'s ("Mozilla/5.0 (iPhone; …)"), or a device preset as viewport.');
    }
    if (userAgent !== undefined) change.userAgent = userAgent;
    if (params.network) change.network = (await networkPreset(params.network)) ?? null;
    if (params.cpu !== undefined) change.cpu = params.cpu > 1 ? params.cpu : null;

    if (!Object.keys(change).length) {
      response.text(`Emulating: ${formatEnvironment(page.emulation.settings())}. Clear one setting with "" (or network "online"), all with reset.`);
      return;
    }
    const defaultViewport = context.config.viewport;
    let after: Environment = {};
    const effects = await performAction(
      state,
      async () => {
        after = await page.emulation.apply(change);
      },
      { what: 'Emulating' },
    );
    journey.add(...journeySteps(change, after, defaultViewport));
    reportEffects(response, `Emulating: ${formatEnvironment(after)}. Held across navigations; tabs this one opens start with it.`, effects);
  },
});
