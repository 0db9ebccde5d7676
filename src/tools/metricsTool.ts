import { z } from 'zod';
import type { MetricsBackend, TimeWindow } from '../telemetry/backends.js';
import type { MetricsCatalog } from '../telemetry/metrics/catalog.js';
import { formatDuration, requireDuration } from '../telemetry/time.js';
import { UsageError } from '../util/errors.js';
import { plural } from '../util/text.js';
import { appStartTool } from './appTools.js';
import { callText } from './family.js';
import { defineTool } from './tool.js';
import { toolTime } from './tracesTool.js';

const BUDGET = 4_000;
/** A range without a step is cut into about this many steps (at least one second each). */
const AUTO_STEPS = 60;

export const metricsTool = defineTool({
  name: 'metrics',
  title: 'Metrics',
  description: "PromQL over the apps' metrics (OTLP, scraped), at time (default now) or over start/end/step; times: RFC 3339, Unix s, -5m.",
  input: {
    query: z.string().min(1),
    time: z.string().optional(),
    start: z.string().optional(),
    end: z.string().optional(),
    step: z.string().optional(),
  },
  kind: 'read',
  scope: 'browser',
  async handle({ params, context, response }) {
    const hub = context.telemetry();
    const backend = await hub.metrics();
    // Loaded here, not at start-up: the formatter reads queries with the PromQL grammar.
    const { formatMetricsAnswer } = await import('../format/metricsFormat.js');
    const now = Date.now();
    const ranged = params.start !== undefined || params.end !== undefined || params.step !== undefined;
    if (ranged && params.time !== undefined) {
      throw new UsageError('Give "time" for an instant query, or "start" (with "end", "step") for a range, not both.', 'For example {"query":"up","start":"-15m","step":"30s"}.');
    }
    const pageHint = (shown: number) => `topk(${shown + 20}, …) or bottomk(…) by value`;
    let text: string;
    let empty: boolean;
    if (ranged) {
      if (params.start === undefined) throw new UsageError('A range query needs "start".', 'For example {"query":"up","start":"-15m"} (end defaults to now, step to about 1/60 of the range).');
      const endMs = params.end !== undefined ? toolTime(params.end, now, 'end') : now;
      const startMs = toolTime(params.start, now, 'start');
      if (startMs >= endMs) throw new UsageError('The range is empty: "start" must be before "end".', 'For example {"start":"-1h","end":"-30m"}.');
      const stepMs = params.step !== undefined ? requireDuration(params.step, '"step"') : Math.max(1_000, Math.ceil((endMs - startMs) / AUTO_STEPS / 1_000) * 1_000);
      const result = await backend.queryRange(params.query, { startMs, endMs, stepMs });
      empty = result.data.resultType === 'matrix' && !result.data.result.length;
      const catalog = empty ? await catalogOf(backend, params.query, { startMs, endMs }) : undefined;
      text = formatMetricsAnswer({ query: params.query, data: result.data, range: { startMs, endMs, stepMs }, budget: BUDGET, pageHint, ...(catalog ? { catalog } : {}) });
      if (!params.step && !empty) text += `\n(step ${formatDuration(stepMs)}: give "step" for another)`;
      for (const warning of result.warnings) text += `\nWarning: ${warning}`;
    } else {
      const timeMs = params.time !== undefined ? toolTime(params.time, now, 'time') : now;
      const result = await backend.query(params.query, timeMs);
      empty = (result.data.resultType === 'vector' || result.data.resultType === 'matrix') && !result.data.result.length;
      const catalog = empty ? await catalogOf(backend, params.query, { startMs: timeMs - 3_600_000, endMs: timeMs }) : undefined;
      text = formatMetricsAnswer({ query: params.query, data: result.data, timeMs, budget: BUDGET, pageHint, ...(catalog ? { catalog } : {}) });
      for (const warning of result.warnings) text += `\nWarning: ${warning}`;
    }
    response.text(text);
    const status = hub.status();
    if (empty && !backend.remote && !status.scrapes.length && !status.received?.accepted.metrics) {
      const otlp = status.endpoint ? `Apps send OTLP metrics to ${status.endpoint} (those started with ${callText(appStartTool)} are pointed there); or ` : 'Or ';
      response.text(`${otlp}name a Prometheus endpoint for an app in legible.config.json: "metrics": {"path": "/metrics", "interval": "5s"}.`);
    }
    const dropped = status.samples?.dropped ?? 0;
    if (dropped && !backend.remote) response.text(`(${plural(dropped, 'older sample')} dropped by the cap of the metric store.)`);
  },
});

/** What exists, for an empty answer (none when the backend cannot list it). */
async function catalogOf(backend: MetricsBackend, query: string, window: TimeWindow): Promise<MetricsCatalog | undefined> {
  try {
    return await backend.catalog(query, window);
  } catch {
    return undefined;
  }
}
