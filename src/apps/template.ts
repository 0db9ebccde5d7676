import { PLACEHOLDER } from '../config/appsConfig.js';

/** What an app's placeholders stand for: its own port, and the URL and port of the apps it depends on. */
export interface TemplateValues {
  port?: number;
  apps: Record<string, { url?: string; port?: number }>;
}

/**
 * Replaces `{port}`, `{apps.<name>.url}` and `{apps.<name>.port}`; other braces (a shell's
 * `${HOME}`, `{a,b}`) are left alone. The config schema has checked that every name exists.
 */
export function expandTemplate(text: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (whole, _key: string, app: string | undefined, field: 'url' | 'port' | undefined) => {
    if (!app) return values.port === undefined ? whole : String(values.port);
    const value = values.apps[app]?.[field!];
    return value === undefined ? whole : String(value);
  });
}
