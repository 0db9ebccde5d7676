import type { PerfSummary } from '../capture/perfTrace.js';
import { redactUrl } from '../util/redact.js';
import { plural, shortUrl } from '../util/text.js';

/** Web Vitals' thresholds: good up to the first, poor past the second. */
const RATINGS = { lcp: [2500, 4000], fcp: [1800, 3000], cls: [0.1, 0.25], inp: [200, 500] } as const;

function rate(metric: keyof typeof RATINGS, value: number): string {
  const [good, poor] = RATINGS[metric];
  return value <= good ? 'good' : value <= poor ? 'needs improvement' : 'poor';
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;
const s = (value: number) => `${(value / 1000).toFixed(2)} s`;

function rect(r: number[] | undefined): string {
  return r && r.length >= 4 ? `${Math.round(r[0]!)},${Math.round(r[1]!)} ${Math.round(r[2]!)}×${Math.round(r[3]!)}` : '?';
}

/**
 * A performance summary in few characters, most useful first: the vitals with their rating, then
 * what caused them (long tasks and their scripts, the shifts and what moved, requests that held
 * back the first paint). `nodes` describes DOM node ids (`div#banner`); unknown ones show as ids.
 */
export function formatPerformance(summary: PerfSummary, nodes: Map<number, string>, options: { maxItems?: number } = {}): string {
  const max = options.maxItems ?? 5;
  const node = (id: number) => nodes.get(id) ?? `node ${id}`;
  const base = summary.url;
  const metrics: string[] = [];
  if (summary.lcp) {
    const what = [summary.lcp.type, summary.lcp.nodeId ? node(summary.lcp.nodeId) : '', summary.lcp.url ? shortUrl(redactUrl(summary.lcp.url), base) : ''].filter(Boolean).join(' ');
    // The phases DevTools' LCP breakdown starts with: the document's first byte, then the rest until the paint.
    const phases = summary.ttfbMs !== undefined ? `; TTFB ${ms(summary.ttfbMs)}, then ${ms(summary.lcp.ms - summary.ttfbMs)} to paint` : '';
    metrics.push(`LCP ${ms(summary.lcp.ms)} (${rate('lcp', summary.lcp.ms)}${what ? `; ${what}` : ''}${phases})`);
  }
  if (summary.fcpMs !== undefined) metrics.push(`FCP ${ms(summary.fcpMs)} (${rate('fcp', summary.fcpMs)})`);
  metrics.push(`CLS ${summary.cls.toFixed(3)} (${rate('cls', summary.cls)})`);
  if (summary.inp) {
    const parts = summary.inp.inputDelayMs !== undefined ? `; input delay ${ms(summary.inp.inputDelayMs)}, processing ${ms(summary.inp.processingMs!)}, presentation ${ms(summary.inp.presentationMs!)}` : '';
    metrics.push(`INP ${ms(summary.inp.durationMs)} (${rate('inp', summary.inp.durationMs)}; ${summary.inp.type} at ${s(summary.inp.at)}${parts})`);
  } else metrics.push('INP: no interaction in the trace');
  metrics.push(`TBT ${ms(summary.totalBlockingMs)}`);
  const out = [`Metrics: ${metrics.join(' · ')}`];
  if (!summary.lcp && summary.navigationAt === undefined) out.push('No page load in the trace: LCP and FCP need one (reload while tracing).');

  if (summary.longTasks.length) {
    const worst = [...summary.longTasks].sort((a, b) => b.durationMs - a.durationMs).slice(0, max);
    const origin = base ? new URL(base).origin : undefined;
    const local = (text: string) => redactUrl(origin ? text.split(origin).join('') : text);
    const lines = worst.map((task) => `  at ${s(task.at)}: ${ms(task.durationMs)}${task.work.length ? ` — ${task.work.map((w) => `${local(w.what)} ${ms(w.ms)}`).join('; ')}` : ''}`);
    if (summary.longTasks.length > worst.length) lines.push(`  … ${summary.longTasks.length - worst.length} more`);
    out.push(`Long tasks (${summary.longTasks.length}, longest first):\n${lines.join('\n')}`);
  } else out.push('Long tasks: none (no main-thread task of 50 ms or more).');

  if (summary.shifts.length) {
    const worst = [...summary.shifts].sort((a, b) => b.score - a.score).slice(0, max);
    const lines = worst.map((shift) => {
      const moved = shift.nodes.slice(0, 3).map((n) => `${node(n.nodeId)} ${rect(n.from)} → ${rect(n.to)}`);
      return `  at ${s(shift.at)}: ${shift.score.toFixed(3)}${moved.length ? ` — ${moved.join('; ')}` : ''}`;
    });
    if (summary.shifts.length > worst.length) lines.push(`  … ${summary.shifts.length - worst.length} more`);
    out.push(`Layout shifts (${summary.shifts.length}, biggest first; x,y w×h in CSS px):\n${lines.join('\n')}`);
  }

  if (summary.renderBlocking.length) {
    const lines = summary.renderBlocking.slice(0, max).map((r) => `  ${shortUrl(redactUrl(r.url), base)} ${ms(r.durationMs)}${r.beforeFcp ? ', held back the first paint' : ''}`);
    if (summary.renderBlocking.length > max) lines.push(`  … ${summary.renderBlocking.length - max} more`);
    out.push(`Render-blocking requests (${summary.renderBlocking.length}):\n${lines.join('\n')}`);
  }
  out.push(`${plural(summary.requests, 'request')} in ${s(summary.durationMs)} of trace.`);
  return out.join('\n');
}
