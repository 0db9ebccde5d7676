import { isAppMessage } from '../capture/consoleLog.js';
import { isFailed, isFavicon, type NetworkEntry } from '../capture/networkLog.js';
import type { Effects } from '../actions/perform.js';
import { isEmptyDiff, renderDiff } from '../snapshot/diff.js';
import { renderOutline } from '../snapshot/render.js';
import { redactUrl } from '../util/redact.js';
import { article, plural, quote } from '../util/text.js';
import { formatConsoleEntry, isProblem } from './consoleFormat.js';
import { formatRequest } from './networkFormat.js';
import { formatServerSection } from './serverFormat.js';

/** Request types worth naming in an action report even when they succeed. */
const NOTABLE = new Set(['Document', 'Fetch', 'XHR']);
const MAX_REQUESTS = 8;
const MAX_CONSOLE = 8;

export interface EffectsFormatOptions {
  diffBudget: number;
  /** When the action navigated, show this much of the new page's outline. */
  newPageBudget: number;
  /** The tool that shows the apps' logs, named in the Server section. */
  logsTool: string;
}

/** Renders an action's effects as a few short sections. */
export function formatEffects(effects: Effects, options: EffectsFormatOptions): string {
  const out: string[] = [];
  const base = effects.urlAfter;
  if (effects.urlAfter !== effects.urlBefore || effects.navigated) {
    out.push(`Page: ${effects.urlAfter}${effects.titleAfter ? ` ${quote(effects.titleAfter)}` : ''} (was ${effects.urlBefore})`);
  } else if (effects.titleAfter !== effects.titleBefore) {
    out.push(`Title: ${quote(effects.titleAfter)} (was ${quote(effects.titleBefore)})`);
  }

  if (effects.dialog) {
    const prompt = effects.dialog.type === 'prompt' ? ` (default ${quote(effects.dialog.defaultValue)})` : '';
    out.push(
      `Dialog: ${article(effects.dialog.type)} opened: ${quote(effects.dialog.message)}${prompt}. It blocks the page until answered: call dialog {"accept":true} or {"accept":false}.`,
    );
  }

  if (effects.navigated && effects.outline) {
    const rendered = renderOutline(effects.outline.lines, { budget: options.newPageBudget, collapse: true });
    out.push(`New page outline:\n${rendered.text}`);
  } else if (effects.diff && !isEmptyDiff(effects.diff)) {
    out.push(`Changes:\n${renderDiff(effects.diff, options.diffBudget)}`);
  } else if (effects.diff) {
    out.push('Changes: none in the outline.');
  }

  // "Failed to load resource" messages repeat the failed requests listed under Network.
  const problems = effects.console.filter((entry) => isProblem(entry) && isAppMessage(entry));
  if (problems.length) {
    const shown = problems.slice(0, MAX_CONSOLE).map((entry) => `  ${formatConsoleEntry(entry, { base, max: 200 })}`);
    if (problems.length > MAX_CONSOLE) shown.push(`  … ${problems.length - MAX_CONSOLE} more: see the console tool`);
    out.push(`Console: ${plural(problems.length, 'new error or warning', 'new errors and warnings')}\n${shown.join('\n')}`);
  }

  const network = formatNetworkSection(effects.network, base);
  if (network) out.push(network);
  const server = formatServerSection(effects.server, options.logsTool);
  if (server) out.push(server);
  if (effects.pending.length) {
    out.push(`Still loading when the report was made: ${effects.pending.map((entry) => `${entry.id} ${entry.method} ${redactUrl(entry.url)}`).join(', ')}`);
  }
  if (effects.popups) out.push(`Opened ${plural(effects.popups, 'new tab')}: see the pages tool.`);
  if (effects.settled === 'busy' || effects.settled === 'timeout') {
    out.push('Note: the page kept changing; this report is what it looked like when waiting stopped.');
  }
  return out.join('\n');
}

function formatNetworkSection(all: NetworkEntry[], base: string): string {
  const entries = all.filter((entry) => !(entry.resourceType === 'Other' && isFavicon(entry.url)));
  const failed = entries.filter(isFailed);
  const notable = entries.filter((entry) => !isFailed(entry) && NOTABLE.has(entry.resourceType));
  if (!failed.length && !notable.length) return '';
  const lines = [...failed, ...notable].slice(0, MAX_REQUESTS).map((entry) => `  ${formatRequest(entry, base)}`);
  const rest = failed.length + notable.length - lines.length;
  if (rest > 0) lines.push(`  … ${rest} more: see the network tool`);
  const head = `Network: ${plural(entries.length, 'new request')}${failed.length ? `, ${failed.length} failed` : ''}`;
  return `${head}\n${lines.join('\n')}`;
}
