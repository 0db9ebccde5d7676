import { access } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { performAction } from '../actions/perform.js';
import { clearStorage, listStorage, loadState, saveState, setStorage, shownCookieValue, shownStorageValue } from '../actions/storage.js';
import { STORAGE_STEP } from '../journey/legibleSteps.js';
import { UsageError } from '../util/errors.js';
import { REDACTED } from '../util/redact.js';
import { plural, truncate } from '../util/text.js';
import { nameParam, reportEffects } from './common.js';
import { defineTool } from './tool.js';

const MAX_SHOWN = 40;

/** A state file to load: as given when it exists, else inside the output folder (where save puts it). */
async function findStateFile(path: string, outputDir: string): Promise<string> {
  if (isAbsolute(path)) return path;
  const inOutput = resolve(outputDir, path);
  return access(inOutput).then(
    () => inOutput,
    () => resolve(path),
  );
}

export const storageTool = defineTool({
  name: 'storage',
  title: 'Cookies and storage',
  description:
    "Cookies and localStorage: list (redacted), set, clear, save or load a state file (to start logged in).",
  input: {
    set: z.array(z.string().min(1)).min(1).optional().describe('name=value or localStorage:key=value'),
    clear: z.boolean().optional(),
    save: nameParam.optional(),
    load: nameParam.optional(),
    showSecrets: z.boolean().optional(),
  },
  // clear throws away the browser's cookies.
  kind: 'destructive',
  scope: 'page',
  async handle({ params, state, context, response }) {
    const reveal = params.showSecrets ?? false;
    if (params.save) {
      if (params.set || params.clear || params.load) throw new UsageError('save goes alone.', 'Call storage {"save":"state.json"} in its own call.');
      const file = await context.outputPath('state', 'json', params.save);
      const saved = await saveState(await context.pages(), file, reveal);
      response.text(`Saved ${plural(saved.cookies, 'cookie')} and the localStorage of ${plural(saved.origins, 'origin')} to ${file}.`);
      response.text(
        saved.redacted
          ? `${plural(saved.redacted, 'value was', 'values were')} written as ${REDACTED} (a state file gets shared): save with showSecrets to keep them, then load skips nothing.`
          : reveal
            ? 'The file holds live credentials (readable by you only): keep it out of version control.'
            : '',
      );
      response.text(`Load it with storage {"load":"${params.save}"}; a journey saved after the load starts with it.`);
      response.fileLink(file, 'application/json');
      return;
    }
    if (params.set || params.clear || params.load) {
      const journey = context.journey(state);
      const file = params.load ? await findStateFile(params.load, context.config.outputDir) : undefined;
      const done: string[] = [];
      const effects = await performAction(
        state,
        async () => {
          if (params.clear) {
            await clearStorage(state);
            done.push('cleared every cookie and this origin\'s storage');
          }
          if (params.set) {
            const set = await setStorage(state, params.set);
            done.push(`set ${plural(set.cookies, 'cookie')} and ${plural(set.items, 'storage item')}`);
          }
          if (file) {
            const loaded = await loadState(state, file);
            done.push(
              `loaded ${plural(loaded.cookies, 'cookie')} and ${plural(loaded.items, 'storage item')} from ${file}` +
                (loaded.later.length ? ` (for ${loaded.later.join(', ')} when the tab opens a page there)` : '') +
                (loaded.skipped ? `; skipped ${plural(loaded.skipped, 'redacted value')}: save with showSecrets to keep them` : ''),
            );
          }
        },
        { what: 'Changing cookies and storage' },
      );
      journey.add({ type: 'customStep', name: STORAGE_STEP, parameters: { ...(params.clear ? { clear: true } : {}), ...(params.set ? { set: params.set } : {}), ...(file ? { load: file } : {}) } });
      reportEffects(response, `${done.join('; ')}. Reload the page for it to read them.`.replace(/^./, (c) => c.toUpperCase()), effects);
      return;
    }
    const listing = await listStorage(state);
    const cookies = listing.cookies.slice(0, MAX_SHOWN).map((cookie) => {
      const flags = [cookie.httpOnly ? 'HttpOnly' : '', cookie.secure ? 'Secure' : '', cookie.sameSite ?? '', cookie.expires > 0 ? `expires ${new Date(cookie.expires * 1000).toISOString().slice(0, 16)}` : 'session'].filter(Boolean);
      return `  ${cookie.name}=${truncate(shownCookieValue(cookie.value, reveal), 200)} (${cookie.domain}${cookie.path}; ${flags.join(', ')})`;
    });
    if (listing.cookies.length > MAX_SHOWN) cookies.push(`  … ${listing.cookies.length - MAX_SHOWN} more`);
    response.text(listing.cookies.length ? `Cookies (${listing.cookies.length}):\n${cookies.join('\n')}` : 'Cookies: none.');
    for (const [name, items] of [
      ['localStorage', listing.local],
      ['sessionStorage', listing.session],
    ] as const) {
      const lines = items.slice(0, MAX_SHOWN).map(([key, value]) => `  ${truncate(key, 100)} = ${truncate(shownStorageValue(key, value, reveal), 200)}`);
      if (items.length > MAX_SHOWN) lines.push(`  … ${items.length - MAX_SHOWN} more`);
      response.text(items.length ? `${name} of ${listing.origin} (${items.length}):\n${lines.join('\n')}` : `${name} of ${listing.origin || 'this page'}: empty.`);
    }
    if (!reveal && listing.cookies.length) response.text(`Values shown as ${REDACTED}: pass showSecrets to see them.`);
  },
});
