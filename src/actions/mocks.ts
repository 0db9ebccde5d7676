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

/** The interceptor rule for a mock (the URL pattern is checked here: a bad one throws a LegibleError). */
export function mockRule(id: string, spec: MockSpec): InterceptRule {
  const pattern = parseUrlPattern(spec.url);
  const answers = spec.status !== undefined || spec.body !== undefined || spec.headers !== undefined;
  const body = spec.body ?? '';
  return {
    id,
    label: `${id} ${describeMock(spec)}`,
    key: spec.url,
    test: (url) => pattern.test(url),
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
export async function addMock(page: PageDriver, spec: MockSpec): Promise<string> {
  const rules = page.interceptor.rules();
  const same = mocksOf(page).find((rule) => rule.key === spec.url);
  const used = rules.map((rule) => Number(/^m(\d+)$/.exec(rule.id)?.[1] ?? 0));
  const id = same?.id ?? `m${Math.max(0, ...used) + 1}`;
  // The newest mock decides first, as a person adding a narrower one after a broad one means.
  await page.interceptor.add(mockRule(id, spec), { first: true });
  return id;
}

/** The tab's mocks (its rules with mock ids). */
export function mocksOf(page: PageDriver): InterceptRule[] {
  return page.interceptor.rules().filter((rule) => /^m\d+$/.test(rule.id));
}
