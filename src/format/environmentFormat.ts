import type { Environment } from '../cdp/emulation.js';
import { quoteValue } from '../util/text.js';

/** `viewport 390×844 @3× mobile touch (iPhone 15), dark, reduced motion, de-DE, Europe/Berlin, …`; "defaults" when nothing is set. */
export function formatEnvironment(env: Environment): string {
  const parts: string[] = [];
  const v = env.viewport;
  if (v) {
    const flags = [v.deviceScaleFactor !== 1 ? `@${v.deviceScaleFactor}×` : '', v.isMobile ? 'mobile' : '', v.hasTouch ? 'touch' : ''].filter(Boolean);
    parts.push(`viewport ${v.width}×${v.height}${flags.length ? ` ${flags.join(' ')}` : ''}${v.device ? ` (${v.device})` : ''}`);
  }
  if (env.colorScheme) parts.push(`${env.colorScheme} colour scheme`);
  if (env.reducedMotion !== undefined) parts.push(env.reducedMotion ? 'reduced motion' : 'motion not reduced');
  if (env.locale) parts.push(`locale ${env.locale}`);
  if (env.timezone) parts.push(`timezone ${env.timezone}`);
  if (env.geolocation) parts.push(`at ${env.geolocation.latitude},${env.geolocation.longitude}`);
  if (env.userAgent) parts.push(`user agent ${quoteValue(env.userAgent, 80)}`);
  const n = env.network;
  if (n) parts.push(n.offline ? 'offline' : `network ${n.name === 'custom' ? '' : `${n.name}: `}${Math.round((n.download * 8) / 1000)} kbit/s down, ${Math.round((n.upload * 8) / 1000)} up, ${Math.round(n.latency)} ms latency`);
  if (env.cpu && env.cpu > 1) parts.push(`CPU ${env.cpu}× slower`);
  return parts.length ? parts.join(', ') : 'nothing emulated (the browser defaults)';
}
