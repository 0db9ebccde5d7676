import type { CDPSession, Page } from 'puppeteer-core';
import { errorMessage, UsageError } from '../util/errors.js';
import { quoteValue } from '../util/text.js';

export interface ViewportSettings {
  width: number;
  height: number;
  deviceScaleFactor: number;
  isMobile: boolean;
  hasTouch: boolean;
  isLandscape: boolean;
}

/** Network conditions in bytes per second and ms, as DevTools and Recorder's emulateNetworkConditions have them. */
export interface NetworkSettings {
  /** "Slow 4G", "offline", or "custom". */
  name: string;
  offline: boolean;
  download: number;
  upload: number;
  latency: number;
}

/** What a tab emulates; each setting holds until changed, across navigations. */
export interface Environment {
  viewport?: ViewportSettings & { device?: string };
  userAgent?: string;
  colorScheme?: 'light' | 'dark';
  reducedMotion?: boolean;
  locale?: string;
  timezone?: string;
  geolocation?: { latitude: number; longitude: number };
  network?: NetworkSettings;
  /** CPU slowdown factor (1: none). */
  cpu?: number;
}

/** Setting a key to null clears it. */
export type EnvironmentChange = { [K in keyof Environment]?: Environment[K] | null };

export const NETWORK_PRESETS = ['offline', 'online', 'Slow 3G', 'Fast 3G', 'Slow 4G', 'Fast 4G'] as const;

async function puppeteer() {
  return import('puppeteer-core');
}

/** A device preset by name ("iPhone 15", "pixel 5 landscape"), case and spacing aside. */
export async function findDevice(name: string): Promise<{ name: string; userAgent: string; viewport: ViewportSettings }> {
  const { KnownDevices } = await puppeteer();
  const key = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, '');
  const entry = Object.entries(KnownDevices).find(([known]) => key(known) === key(name));
  if (!entry) {
    const near = Object.keys(KnownDevices)
      .filter((known) => !known.endsWith('landscape') && key(known).includes(key(name).slice(0, 4)))
      .slice(0, 8);
    throw new UsageError(
      `No device preset is called ${quoteValue(name)}.`,
      `${near.length ? `Near it: ${near.join(', ')}. ` : ''}Presets are Chrome DevTools' (e.g. "iPhone 15", "iPhone 15 landscape", "Pixel 5", "iPad Pro 11", "Galaxy S9+"); or give a size such as "390x844@3 mobile".`,
    );
  }
  const [found, device] = entry;
  const v = device.viewport;
  return {
    name: found,
    userAgent: device.userAgent,
    viewport: { width: v.width, height: v.height, deviceScaleFactor: v.deviceScaleFactor ?? 1, isMobile: !!v.isMobile, hasTouch: !!v.hasTouch, isLandscape: !!v.isLandscape },
  };
}

/** A network preset's conditions. */
export async function networkPreset(name: (typeof NETWORK_PRESETS)[number]): Promise<NetworkSettings | undefined> {
  if (name === 'online') return undefined;
  if (name === 'offline') return { name, offline: true, download: 0, upload: 0, latency: 0 };
  const { PredefinedNetworkConditions } = await puppeteer();
  const preset = PredefinedNetworkConditions[name];
  return { name, offline: false, download: preset.download, upload: preset.upload, latency: preset.latency };
}

function mediaFeatures(env: Environment): { name: string; value: string }[] {
  return [
    { name: 'prefers-color-scheme', value: env.colorScheme ?? '' },
    { name: 'prefers-reduced-motion', value: env.reducedMotion === undefined ? '' : env.reducedMotion ? 'reduce' : 'no-preference' },
  ];
}

/**
 * Applies and remembers one tab's emulated environment. Every setting goes to the browser as
 * DevTools sets it (Emulation and Network domains, through puppeteer's own session where puppeteer
 * has a method for it), so it holds across navigations.
 */
export class EmulationState {
  private current: Environment = {};
  private browserSession: CDPSession | undefined;
  /** The browser's own user agent, once asked (an override of the locale alone needs it). */
  private browserUserAgent: string | undefined;

  constructor(
    private readonly page: Page,
    private readonly session: CDPSession,
    private readonly defaultViewport: () => { width: number; height: number },
  ) {}

  /**
   * Sends the settings to a tab this one opened, on the session puppeteer attached to it while the
   * browser still holds it paused (the `targetcreated` moment): the commands go out before the
   * tab is let go, so its first document already loads with them. Fire and forget; inheritFrom
   * applies them properly once the tab is tracked.
   */
  primeSession(session: { send(method: string, params?: object): Promise<unknown> }): void {
    const env = this.current;
    const send = (method: string, params: object) => void session.send(method, params).catch(() => undefined);
    const v = env.viewport;
    if (v) {
      send('Emulation.setDeviceMetricsOverride', { width: v.width, height: v.height, deviceScaleFactor: v.deviceScaleFactor, mobile: v.isMobile });
      if (v.hasTouch) send('Emulation.setTouchEmulationEnabled', { enabled: true });
    }
    const userAgent = env.userAgent ?? this.browserUserAgent;
    if (userAgent && (env.userAgent || env.locale)) send('Emulation.setUserAgentOverride', { userAgent, ...(env.locale ? { acceptLanguage: env.locale } : {}) });
    if (env.locale) send('Emulation.setLocaleOverride', { locale: env.locale });
    if (env.colorScheme || env.reducedMotion !== undefined) send('Emulation.setEmulatedMedia', { features: mediaFeatures(env) });
    if (env.timezone) send('Emulation.setTimezoneOverride', { timezoneId: env.timezone });
    if (env.geolocation) send('Emulation.setGeolocationOverride', { ...env.geolocation, accuracy: 10 });
    const n = env.network;
    if (n) send('Network.emulateNetworkConditions', { offline: n.offline, latency: n.latency, downloadThroughput: n.download, uploadThroughput: n.upload });
    if (env.cpu) send('Emulation.setCPUThrottlingRate', { rate: env.cpu });
  }

  settings(): Environment {
    return structuredClone(this.current);
  }

  /** Applies the changes (null clears a setting) and returns the environment now in force. */
  async apply(change: EnvironmentChange): Promise<Environment> {
    const next: Environment = { ...this.current };
    for (const [key, value] of Object.entries(change)) {
      if (value === null) delete next[key as keyof Environment];
      else if (value !== undefined) (next as Record<string, unknown>)[key] = value;
    }
    const page = this.page;
    const changed = (key: keyof Environment) => key in change;
    const step = async (what: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        throw new UsageError(`Could not set the ${what}: ${errorMessage(error)}`, 'Check the value; emulate {} shows what is set now.');
      }
    };
    if (changed('userAgent') || changed('locale')) {
      this.browserUserAgent ??= await page.browser().userAgent();
      const userAgent = next.userAgent ?? this.browserUserAgent;
      // Accept-Language and navigator.language follow the locale; Intl follows setLocaleOverride.
      await step('user agent', () => this.session.send('Emulation.setUserAgentOverride', { userAgent, ...(next.locale ? { acceptLanguage: next.locale } : {}) }));
      if (!next.userAgent && !next.locale) await this.session.send('Emulation.setUserAgentOverride', { userAgent: '' }).catch(() => undefined);
    }
    if (changed('locale')) {
      await this.session.send('Emulation.setLocaleOverride', {}).catch(() => undefined);
      if (next.locale) await step('locale', () => this.session.send('Emulation.setLocaleOverride', { locale: next.locale }));
    }
    if (changed('colorScheme') || changed('reducedMotion')) {
      await step('media features', () => page.emulateMediaFeatures(mediaFeatures(next)));
    }
    if (changed('timezone')) await step('timezone', () => page.emulateTimezone(next.timezone));
    if (changed('geolocation')) {
      if (next.geolocation) {
        await step('geolocation permission', async () => {
          this.browserSession ??= await page.browser().target().createCDPSession();
          await this.browserSession.send('Browser.grantPermissions', { permissions: ['geolocation'] });
        });
        await step('geolocation', () => page.setGeolocation({ ...next.geolocation!, accuracy: 10 }));
      } else {
        await step('geolocation', () => this.session.send('Emulation.clearGeolocationOverride'));
      }
    }
    if (changed('network')) {
      const n = next.network;
      await step('network conditions', () => page.emulateNetworkConditions(n ? { offline: n.offline, download: n.download, upload: n.upload, latency: n.latency } : null));
      // Offline also needs the Network domain's own flag for navigator.onLine and the online/offline events.
      await step('network conditions', () => page.setOfflineMode(!!n?.offline));
    }
    if (changed('cpu')) await step('CPU throttling', () => page.emulateCPUThrottling(next.cpu && next.cpu > 1 ? next.cpu : null));
    // Last: a resize makes pages render again, and they should see every other setting by then.
    if (changed('viewport')) {
      const fallback = this.defaultViewport();
      const { device: _device, ...v } = next.viewport ?? { ...fallback, deviceScaleFactor: 1, isMobile: false, hasTouch: false, isLandscape: fallback.width > fallback.height };
      await step('viewport', () => page.setViewport(v));
    }
    this.current = next;
    return this.settings();
  }
}
