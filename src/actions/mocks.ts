import { z } from 'zod';
import type { PageDriver } from '../cdp/pageDriver.js';
import type { InterceptRule } from '../cdp/interceptor.js';
import { parseUrlPattern } from '../util/urlPattern.js';
import { clip, printable, quoteValue, truncate } from '../util/text.js';

/**
 * A network mock as the network tool takes it and a journey keeps it (customStep `legible.mock`):
 * requests whose URL matches answer with a status, headers and body, fail as the network would,
 * or are held for a while first.
 */
export const mockSpecSchema = z.strictObject(
  {
    url: z.string().min(1),
    status: z.number().int().min(100).max(599).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.string().max(1_000_000).optional(),
    delay: z.number().int().min(0).max(60_000).optional(),
    fail: z.enum(['refused', 'timeout', 'aborted', 'failed', 'offline']).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `a mock takes url, status, body, headers, delay and fail, not ${issue.keys.map((key) => quoteValue(key, 40)).join(', ')}` : undefined,
  },
);
export type MockSpec = z.infer<typeof mockSpecSchema>;

/** `**\/api/cart → 500 (2 s later)`. */
export function describeMock(spec: MockSpec): string {
  const outcome = spec.fail ? `fails (${spec.fail})` : spec.status !== undefined || spec.body !== undefined ? `${spec.status ?? 200}${spec.body ? ` ${truncate(JSON.stringify(spec.body), 40)}` : ''}` : 'passes';
  return `${printable(clip(spec.url, 200))} → ${outcome}${spec.delay ? `, ${spec.delay} ms late` : ''}`;
}

function contentType(body: string): string {
  try {
    JSON.parse(body);
    return 'application/json';
  } catch {
    return /^\s*</.test(body) ? 'text/html' : 'text/plain';
  }
}

/**
 * The requests whose answer cannot run script (DevTools' resource types): data for the page's own
 * code, images, fonts, styles. A document (a page or frame), a script, a worker (Other) can.
 */
const DATA_REQUESTS = new Set(['XHR', 'Fetch', 'EventSource', 'Image', 'Media', 'Font', 'Stylesheet', 'TextTrack', 'Manifest', 'Ping', 'Preflight', 'CSPViolationReport']);

/** What a mock may answer with --no-evaluate: its body is the agent's, and must not run as script. */
export const SCRIPTLESS_MOCKS = 'With --no-evaluate, a mock answers data requests only (fetch, XHR, images, fonts, styles); a page, frame, script or worker it matches loads from the server.';

/**
 * The interceptor rule for a mock (the URL pattern is checked here: a bad one throws a
 * LegibleError). `scriptless` (--no-evaluate): a mock that answers does not answer a request whose
 * answer would run as script (a document, a script, a worker); that request goes on to the server.
 */
export function mockRule(id: string, spec: MockSpec, options: { scriptless?: boolean } = {}): InterceptRule {
  const pattern = parseUrlPattern(spec.url);
  const answers = spec.status !== undefined || spec.body !== undefined || spec.headers !== undefined;
  const body = spec.body ?? '';
  const scriptless = options.scriptless && answers && !spec.fail;
  return {
    id,
    label: `${id} ${describeMock(spec)}`,
    key: spec.url,
    test: scriptless ? (url, _method, type) => DATA_REQUESTS.has(type) && pattern.test(url) : (url) => pattern.test(url),
    fetchPattern: pattern.fetchPattern,
    delayMs: spec.delay,
    outcome: spec.fail
      ? { kind: 'fail', reason: spec.fail }
      : answers
        ? {
            kind: 'fulfil',
            status: spec.status ?? 200,
            // The page's own scripts may call another origin: a mock answers them as a CORS-open server would.
            headers: { 'content-type': contentType(body), 'access-control-allow-origin': '*', ...spec.headers },
            body,
          }
        : { kind: 'continue' },
  };
}

/** Adds a mock to the tab, ahead of the others (or in place of one for the same URL pattern); returns its id. */
export async function addMock(page: PageDriver, spec: MockSpec, options: { scriptless?: boolean } = {}): Promise<string> {
  const rules = page.interceptor.rules();
  const same = mocksOf(page).find((rule) => rule.key === spec.url);
  const used = rules.map((rule) => Number(/^m(\d+)$/.exec(rule.id)?.[1] ?? 0));
  const id = same?.id ?? `m${Math.max(0, ...used) + 1}`;
  // The newest mock decides first, as a person adding a narrower one after a broad one means.
  await page.interceptor.add(mockRule(id, spec, options), { first: true });
  return id;
}

/** The tab's mocks (its rules with mock ids). */
export function mocksOf(page: PageDriver): InterceptRule[] {
  return page.interceptor.rules().filter((rule) => /^m\d+$/.test(rule.id));
}
