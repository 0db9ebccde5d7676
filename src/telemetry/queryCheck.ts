import { UsageError } from '../util/errors.js';

/**
 * Checks a LogQL, TraceQL or PromQL query with the real grammar (the same parsers the `logs`,
 * `traces` and `metrics` tools use), for expectations that carry one: a journey's `log:`,
 * `trace:` and `metric:` are refused when saved or loaded, never first when they run.
 *
 * The parsers are imported on first use (the TraceQL and PromQL grammars live in the chunk that
 * `parts.ts` heads; LogQL's grammar loads on its first query), so start-up never pays for them.
 */
export type QueryLanguage = 'logql' | 'traceql' | 'promql';

/** Throws the language's own error (column, caret, a corrected query) when `query` does not parse, or is of the wrong kind. */
export async function checkQuery(language: QueryLanguage, query: string): Promise<void> {
  switch (language) {
    case 'logql': {
      const { loadLogql, parseLogql } = await import('./logs/logql/parse.js');
      await loadLogql();
      if (parseLogql(query).kind !== 'log') {
        throw new UsageError(
          `${JSON.stringify(query.slice(0, 100))} is a LogQL metric query; log: takes a log query (a selector and filters), and fails when a line matches.`,
          'For example log:{app="api"} |= "timeout", or !log:{app="api"} |= "order placed" for a line that must be there.',
        );
      }
      return;
    }
    case 'traceql': {
      const { parseTraceQL } = await import('./traces/traceql/parse.js');
      parseTraceQL(query);
      return;
    }
    case 'promql': {
      const [{ parsePromQL }, { typeOf }] = await Promise.all([import('./metrics/query.js'), import('./metrics/ast.js')]);
      const type = typeOf(parsePromQL(query));
      if (type !== 'vector' && type !== 'scalar') {
        throw new UsageError(
          `${JSON.stringify(query.slice(0, 100))} gives a ${type === 'matrix' ? 'range vector' : type}; metric: compares an instant vector or a scalar with a number.`,
          'Wrap a range in a function, for example metric:rate(http_server_request_duration_seconds_count[1m]) < 5.',
        );
      }
      return;
    }
  }
}
