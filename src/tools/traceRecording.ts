import { writeFile } from 'node:fs/promises';
import type { PageState } from '../actions/pageState.js';
import { analyseTrace, nodeIdsOf, type TraceEvent } from '../capture/perfTrace.js';
import { formatBytes } from '../format/networkFormat.js';
import { formatPerformance } from '../format/perfFormat.js';
import { LegibleError, errorMessage } from '../util/errors.js';
import { redactNamedValues, redactText } from '../util/redact.js';
import { quote } from '../util/text.js';
import type { ToolContext } from './context.js';
import type { ToolResponse } from './response.js';

/** record_start {trace}: a performance trace runs until record_stop. */
export async function startTrace(state: PageState, label: string, response: ToolResponse): Promise<void> {
  await state.page.tracer.start(label);
  response.text(`Tracing ${quote(label)} on ${state.page.id}. Act (or navigate {"go":"reload"} for a page load), then call record {"action":"stop"} for the summary.`);
}

/**
 * record_stop of a trace: the summary (vitals, long tasks and their scripts, layout shifts and
 * what moved, render-blocking requests) and the whole trace saved, redacted, for DevTools.
 */
export async function finishTrace(state: PageState, context: ToolContext, response: ToolResponse): Promise<void> {
  const running = state.page.tracer.current()!;
  const text = await state.page.tracer.stop();
  let events: TraceEvent[];
  try {
    const data = JSON.parse(text) as { traceEvents?: TraceEvent[] } | TraceEvent[];
    events = Array.isArray(data) ? data : (data.traceEvents ?? []);
  } catch (error) {
    throw new LegibleError(`The browser's trace did not parse: ${errorMessage(error)}`, 'Trace again with record {"action":"start","trace":true}.');
  }
  const summary = analyseTrace(events);
  const nodes = await state.page.tracer.describeNodes(nodeIdsOf(summary)).catch(() => new Map<number, string>());
  // Files get shared: secrets in URLs, console messages and header lists are redacted.
  const saved = JSON.stringify(redactNamedValues(JSON.parse(text)));
  const file = await context.outputPath(`trace-${running.label}`, 'json');
  try {
    await writeFile(file, saved);
  } catch (error) {
    throw new LegibleError(`Could not save the trace to ${file}: ${errorMessage(error)}`, 'Check that the output folder is writable and has space.');
  }
  response.text(`Trace ${quote(running.label)}: ${((Date.now() - running.startedAt) / 1000).toFixed(1)} s${summary.url ? ` (page load of ${redactText(summary.url)})` : ''}.`);
  response.text(formatPerformance(summary, nodes));
  response.text(`Full trace (${formatBytes(Buffer.byteLength(saved))}): ${file} — open it in Chrome DevTools › Performance › Load profile.`);
  response.fileLink(file, 'application/json');
}
