/**
 * Loopback hosts, without node:crypto (guard.ts's token check needs it): the command line's flags
 * check --host with isLoopbackHost before stdio's start-up, which must stay light.
 */

/** localhost, 127.0.0.0/8, ::1 (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127(?:\.\d{1,3}){3}$/.test(name);
}

/** The host name of a Host header (`127.0.0.1:3000`, `[::1]:3000`, `localhost`). */
export function hostName(header: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(header);
  if (bracketed) return bracketed[1]!;
  return header.replace(/:\d+$/, '');
}
