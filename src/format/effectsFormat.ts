import { isAppMessage } from '../capture/consoleLog.js';
import { isFailed, isFavicon, type NetworkEntry } from '../capture/networkLog.js';
import type { Effects } from '../actions/perform.js';
import { isEmptyDiff, renderDiff } from '../snapshot/diff.js';
import { renderOutline } from '../snapshot/render.js';
import { redactUrl } from '../util/redact.js';
import { article, plural, quote, shortUrl, showUrl } from '../util/text.js';
import { formatConsoleEntry, isProblem } from './consoleFormat.js';
import { formatRequest } from './networkFormat.js';
import { formatServerSection } from './serverFormat.js';

/** Request types worth naming in an action report even when they succeed. */
const NOTABLE = new Set(['Document', 'Fetch', 'XHR']);
const MAX_REQUESTS = 8;
const MAX_CONSOLE = 8;
const MAX_NEW_TABS = 5;
const MAX_PENDING = 5;

export interface EffectsFormatOptions {
  diffBudget: number;
  /** When the action navigated, show this much of the new page's outline. */
  newPageBudget: number;
  /** For the changes that came before the action (after the last call). */
  changedBeforeBudget?: number;
  /** The tools that show the apps' logs and traces, named in the Server section. */
  logsTool: string;
  tracesTool: string;
}

/** One section of the report: its text, or undefined when it has nothing to say. */
export type EffectsSection = (effects: Effects, options: EffectsFormatOptions) => string | undefined;

/** The page changed after the last call and before this action: shown first, apart from the action's own changes. */
const changedBefore: EffectsSection = ({ changedBefore: before }, options) => {
  if (before?.loaded) return `Changed since the last call, before this action: the page loaded ${showUrl(redactUrl(before.loaded))}.`;
  if (!before?.diff || isEmptyDiff(before.diff)) return undefined;
  return `Changed since the last call, before this action:\n${renderDiff(before.diff, options.changedBeforeBudget ?? Math.round(options.diffBudget / 2))}`;
};

const location: EffectsSection = (effects) => {
  if (effects.urlAfter !== effects.urlBefore || effects.navigated) {
    return `Page: ${showUrl(effects.urlAfter)}${effects.titleAfter ? ` ${quote(effects.titleAfter)}` : ''} (was ${showUrl(effects.urlBefore)})`;
  }
  if (effects.titleAfter !== effects.titleBefore) return `Title: ${quote(effects.titleAfter)} (was ${quote(effects.titleBefore)})`;
  return undefined;
};

const dialog: EffectsSection = ({ dialog: opened }) => {
  if (!opened) return undefined;
  const prompt = opened.type === 'prompt' ? ` (default ${quote(opened.defaultValue)})` : '';
  return `Dialog: ${article(opened.type)} opened: ${quote(opened.message)}${prompt}. It blocks the page until answered: call dialog {"accept":true} or {"accept":false}.`;
};

const changes: EffectsSection = (effects, options) => {
  if (effects.navigated && effects.outline) {
    return `New page outline:\n${renderOutline(effects.outline.lines, { budget: options.newPageBudget, collapse: true }).text}`;
  }
  if (!effects.diff) return undefined;
  return isEmptyDiff(effects.diff) ? 'Changes: none in the outline.' : `Changes:\n${renderDiff(effects.diff, options.diffBudget)}`;
};

// "Failed to load resource" messages repeat the failed requests listed under Network.
const consoleProblems: EffectsSection = (effects) => {
  const problems = effects.console.filter((entry) => isProblem(entry) && isAppMessage(entry));
  if (!problems.length) return undefined;
  const shown = problems.slice(0, MAX_CONSOLE).map((entry) => `  ${formatConsoleEntry(entry, { base: effects.urlAfter, max: 200 })}`);
  if (problems.length > MAX_CONSOLE) shown.push(`  … ${problems.length - MAX_CONSOLE} more: see the console tool`);
  return `Console: ${plural(problems.length, 'new error or warning', 'new errors and warnings')}\n${shown.join('\n')}`;
};

// The page's own polling is counted, not listed (a poll that failed still is): a page that polls
// every 100 ms would fill the section with the same line.
const network: EffectsSection = (effects) => {
  const entries = effects.network.filter((entry) => !(entry.resourceType === 'Other' && isFavicon(entry.url)));
  const polling = new Set(effects.pagePolling);
  const failed = entries.filter(isFailed);
  const notable = entries.filter((entry) => !isFailed(entry) && !polling.has(entry) && (NOTABLE.has(entry.resourceType) || entry.mockedBy));
  const polled = entries.filter((entry) => !isFailed(entry) && polling.has(entry)).length;
  if (!failed.length && !notable.length && !polled) return undefined;
  const lines = [...failed, ...notable].slice(0, MAX_REQUESTS).map((entry) => `  ${formatRequest(entry, effects.urlAfter)}`);
  const rest = failed.length + notable.length - lines.length;
  if (rest > 0) lines.push(`  … ${rest} more: see the network tool`);
  if (polled) lines.push(`  (${plural(polled, "request of the page's own polling", "requests of the page's own polling")} not listed: see the network tool)`);
  return `Network: ${plural(entries.length, 'new request')}${failed.length ? `, ${failed.length} failed` : ''}\n${lines.join('\n')}`;
};

/** What the apps under test printed while the action ran (warnings and errors). */
const server: EffectsSection = (effects, options) => formatServerSection(effects.server, { logs: options.logsTool, traces: options.tracesTool }) || undefined;

/** Requests on one line ("r3 GET /api/x, …"), the first few. */
function requestList(entries: NetworkEntry[], base: string): string {
  const shown = entries.slice(0, MAX_PENDING).map((entry) => `${entry.id} ${entry.method} ${shortUrl(redactUrl(entry.url), base)}`);
  const more = entries.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? `, … ${more} more: see the network tool` : ''}`;
}

const pending: EffectsSection = (effects) =>
  effects.pending.length ? `Still loading when the report was made: ${requestList(effects.pending, effects.urlAfter)}` : undefined;

/** Requests in flight that were left out as the page's own polling: named, as one may still be the action's (its loop sending what the action queued). */
const notWaitedFor: EffectsSection = (effects) =>
  effects.notWaitedFor.length
    ? `Not waited for, as the page's own polling (its loops asked these URLs before this action too): ${requestList(effects.notWaitedFor, effects.urlAfter)}`
    : undefined;

const newTabs: EffectsSection = ({ newTabs: tabs }) => {
  if (!tabs.length) return undefined;
  const lines = tabs
    .slice(0, MAX_NEW_TABS)
    .map((tab) =>
      tab.id
        ? `  ${tab.id} ${showUrl(redactUrl(tab.url))}${tab.title ? ` ${quote(tab.title)}` : ''}${tab.loading ? ' (still loading)' : ''}`
        : `  ${showUrl(redactUrl(tab.url))} (still loading: its server has not answered yet, so no tool can act there)`,
    );
  if (tabs.length > MAX_NEW_TABS) lines.push(`  … ${tabs.length - MAX_NEW_TABS} more: see the pages tool`);
  const first = tabs.find((tab) => tab.id)?.id;
  return (
    `Opened ${plural(tabs.length, 'new tab')}:\n${lines.join('\n')}\n` +
    (first
      ? `The selected tab did not change. To act there: pages {"action":"select","id":"${first}"}, or pass "page":"${first}" to a tool.`
      : 'The selected tab did not change. pages {"action":"list"} lists a tab still loading with its id, to close it or use it once its page arrives.')
  );
};

const unsettled: EffectsSection = (effects) => {
  if (effects.settled !== 'busy' && effects.settled !== 'timeout') return undefined;
  const what = effects.busy.length ? ` (${effects.busy.join(', ')})` : '';
  return `Note: the page was still busy when waiting stopped${what}; this report is what it looked like then. Later changes show in the next report.`;
};

/**
 * The report's sections, in order. A new kind of effect gets its own section here (a function
 * of the effects that returns its text or nothing).
 */
export const EFFECTS_SECTIONS: readonly EffectsSection[] = [changedBefore, location, dialog, changes, consoleProblems, network, server, pending, notWaitedFor, newTabs, unsettled];

/** Renders an action's effects as a few short sections. */
export function formatEffects(effects: Effects, options: EffectsFormatOptions, sections: readonly EffectsSection[] = EFFECTS_SECTIONS): string {
  return sections
    .map((section) => section(effects, options))
    .filter((text): text is string => !!text)
    .join('\n');
}
