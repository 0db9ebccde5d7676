import { z } from 'zod';
import { checkQuery, type QueryLanguage } from '../telemetry/queryCheck.js';
import { formatDuration, parseDuration } from '../telemetry/time.js';
import { LegibleError, UsageError } from '../util/errors.js';
import { quoteValue, truncate } from '../util/text.js';

/**
 * Expectations about the server side of a run (issue 12), beside the page's own: what the apps
 * logged, the spans they sent, their metrics at the run's end, and how long an app took to start.
 * As short strings (journey save and run, the CLI's journeys) and as `legible.expect` steps:
 *
 *   noServerErrors              no error-level line and no error span from any app during the run
 *   noServerErrors:api          … from the app api
 *   log:{app="api"} |= "x"      no line matches (LogQL log query)    !log:…  at least one does
 *   trace:{ duration > 2s }     no span of the run matches (TraceQL) !trace:… at least one does
 *   metric:<PromQL> < 0.3       at the run's end, every series (or the scalar) compares true
 *   startup:api < 800ms         the app's most recent start took less (spawn → ready)
 *
 * Queries are checked with the real grammars when the expectation is saved or its journey file
 * loaded (`checkExpectationQueries`), never first when the run ends.
 */

export const COMPARE_OPS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

const app = z.string().min(1).max(100);

export const serverExpectationSchemas = [
  z.strictObject({ type: z.literal('noServerErrors'), app: app.optional() }),
  /** `present`: at least one line must match (`!log:`); otherwise none may. */
  z.strictObject({ type: z.literal('log'), query: z.string().min(1), present: z.boolean().optional() }),
  z.strictObject({ type: z.literal('trace'), query: z.string().min(1), present: z.boolean().optional() }),
  z.strictObject({ type: z.literal('metric'), query: z.string().min(1), op: z.enum(COMPARE_OPS), value: z.number() }),
  z.strictObject({ type: z.literal('startup'), app, op: z.enum(['<', '<=']), ms: z.number().positive() }),
] as const;

type ServerSchema = (typeof serverExpectationSchemas)[number];
export type ServerExpectation = z.infer<ServerSchema>;
export const SERVER_KINDS = new Set<string>(['noServerErrors', 'log', 'trace', 'metric', 'startup']);

export function isServerExpectation(expectation: { type: string }): expectation is ServerExpectation {
  return SERVER_KINDS.has(expectation.type);
}

export const SERVER_EXPECTATION_HINT =
  'Server expectations: "noServerErrors" or "noServerErrors:api", "log:{app=\\"api\\"} |= \\"timeout\\"" (no line may match; "!log:…" one must), "trace:{ duration > 2s }" (no span may match; "!trace:…" one must), "metric:<PromQL> < 0.3", "startup:api < 800ms".';

/** A metric expectation's text: the PromQL, then an operator and a number at the end. */
const METRIC = /^(.*?)\s*(<=|>=|==|!=|<|>)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*$/is;
const STARTUP = /^\s*([\w.-]+)\s*(<=|<)\s*(\S+)\s*$/;

/** The expectation a short string of a server kind stands for, or undefined for other kinds. */
export function parseServerKind(kind: string, negated: boolean, arg: string, text: string): ServerExpectation | undefined {
  const need = () => {
    if (!arg) throw new UsageError(`The expectation ${quoteValue(text)} needs something after "${kind}:".`, SERVER_EXPECTATION_HINT);
    return arg;
  };
  switch (kind) {
    case 'noServerErrors':
      return arg ? { type: 'noServerErrors', app: arg } : { type: 'noServerErrors' };
    case 'log':
      return negated ? { type: 'log', query: need(), present: true } : { type: 'log', query: need() };
    case 'trace':
      return negated ? { type: 'trace', query: need(), present: true } : { type: 'trace', query: need() };
    case 'metric': {
      const match = METRIC.exec(need());
      if (!match || !match[1]!.trim()) {
        throw new UsageError(`The expectation ${quoteValue(text)} needs an operator and a number after its PromQL.`, 'For example metric:histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket[1m]))) < 0.3.');
      }
      return { type: 'metric', query: match[1]!.trim(), op: match[2] as CompareOp, value: Number(match[3]) };
    }
    case 'startup': {
      const match = STARTUP.exec(need());
      const ms = match ? parseDuration(match[3]!) : undefined;
      if (!match || ms === undefined || ms <= 0) {
        throw new UsageError(`The expectation ${quoteValue(text)} is not "startup:<app> < <duration>".`, 'For example startup:api < 800ms, or startup:web <= 2s.');
      }
      return { type: 'startup', app: match[1]!, op: match[2] as '<' | '<=', ms };
    }
    default:
      return undefined;
  }
}

/** One line naming what the expectation checks. */
export function describeServerExpectation(expectation: ServerExpectation): string {
  switch (expectation.type) {
    case 'noServerErrors':
      return expectation.app ? `no server errors in ${expectation.app}` : 'no server errors';
    case 'log':
      return expectation.present ? `a log line matches ${expectation.query}` : `no log line matches ${expectation.query}`;
    case 'trace':
      return expectation.present ? `a span matches ${expectation.query}` : `no span matches ${expectation.query}`;
    case 'metric':
      return `${expectation.query} ${expectation.op} ${expectation.value}`;
    case 'startup':
      return `${expectation.app} starts in ${expectation.op} ${formatDuration(expectation.ms)}`;
  }
}

/** The query an expectation carries, with its language. */
export function queryOf(expectation: { type: string; query?: string }): { language: QueryLanguage; query: string } | undefined {
  if (!expectation.query) return undefined;
  const language: QueryLanguage | undefined = expectation.type === 'log' ? 'logql' : expectation.type === 'trace' ? 'traceql' : expectation.type === 'metric' ? 'promql' : undefined;
  return language ? { language, query: expectation.query } : undefined;
}

/**
 * Parses the queries of server expectations with their real grammars; the first that does not
 * parse is a LegibleError saying which expectation (and where, when `where` names it: "step 7
 * of cart.json") and the parser's own message (column, caret, corrected query).
 */
export async function checkExpectationQueries(expectations: { type: string; query?: string }[], where?: (index: number) => string): Promise<void> {
  for (const [index, expectation] of expectations.entries()) {
    const query = queryOf(expectation);
    if (!query) continue;
    try {
      await checkQuery(query.language, query.query);
    } catch (error) {
      if (!(error instanceof LegibleError)) throw error;
      const place = where ? `${where(index)}: ` : '';
      throw new UsageError(`${place}the ${expectation.type}: expectation ${JSON.stringify(truncate(query.query, 100))} does not parse. ${error.message}`, error.hint ?? SERVER_EXPECTATION_HINT);
    }
  }
}
