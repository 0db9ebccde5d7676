/**
 * A Chrome performance trace (the Trace Event JSON DevTools' Performance panel records) read for
 * what a model can act on: Core Web Vitals, long main-thread tasks and what ran in them, layout
 * shifts and the nodes that moved, render-blocking requests. Pure: events in, numbers out; the
 * caller resolves node ids to elements and formats the result (format/perfFormat.ts).
 */

export interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: string | number;
  id2?: { local?: string; global?: string };
  args?: { data?: Record<string, unknown>; name?: string; frame?: string; [key: string]: unknown };
}

/** Milliseconds from the trace's start. */
type Ms = number;

export interface LongTask {
  at: Ms;
  durationMs: number;
  /** What ran inside, longest first: `script app.js:12 (onClick)`, `Layout`, … */
  work: { what: string; ms: number }[];
}

export interface LayoutShiftInfo {
  at: Ms;
  score: number;
  nodes: { nodeId: number; from: number[]; to: number[] }[];
}

export interface RenderBlocking {
  url: string;
  startMs: Ms;
  durationMs: number;
  /** Finished before first contentful paint (it held the first paint back). */
  beforeFcp: boolean;
}

export interface Interaction {
  type: string;
  at: Ms;
  durationMs: number;
  inputDelayMs?: number;
  processingMs?: number;
  presentationMs?: number;
}

export interface PerfSummary {
  durationMs: number;
  url?: string;
  /** The page load inside the trace, when there was one: its metrics count from its start. */
  navigationAt?: Ms;
  fcpMs?: number;
  /** Time to the document's first response byte, from the navigation. */
  ttfbMs?: number;
  lcp?: { ms: number; nodeId?: number; type?: string; size?: number; url?: string };
  cls: number;
  shifts: LayoutShiftInfo[];
  interactions: Interaction[];
  /** The longest interaction (INP's stand-in when there are few). */
  inp?: Interaction;
  longTasks: LongTask[];
  totalBlockingMs: number;
  renderBlocking: RenderBlocking[];
  requests: number;
}

const LONG_TASK_US = 50_000;

/** Work inside a task worth naming, and how to name it. */
function describeWork(event: TraceEvent): string | undefined {
  const data = event.args?.data ?? {};
  const where = (url: unknown, line: unknown) => (typeof url === 'string' && url ? `${url}${typeof line === 'number' && line >= 0 ? `:${line + 1}` : ''}` : '');
  switch (event.name) {
    case 'FunctionCall': {
      const fn = typeof data.functionName === 'string' && data.functionName ? ` (${data.functionName})` : '';
      return `script ${where(data.url, data.lineNumber) || '(anonymous)'}${fn}`;
    }
    case 'EvaluateScript':
      return `evaluate ${where(data.url, data.lineNumber) || 'inline script'}`;
    case 'v8.compile':
    case 'v8.compileModule':
      return `compile ${where(data.url, undefined) || 'script'}`;
    case 'TimerFire':
      return 'timer';
    case 'EventDispatch':
      return `${String(data.type ?? 'event')} handler`;
    case 'FireAnimationFrame':
      return 'requestAnimationFrame';
    case 'ParseHTML':
      return 'parse HTML';
    case 'Layout':
      return 'layout';
    case 'UpdateLayoutTree':
    case 'RecalculateStyles':
      return 'style recalculation';
    case 'Paint':
      return 'paint';
    case 'GCEvent':
    case 'MajorGC':
    case 'MinorGC':
    case 'V8.GC_SCAVENGER':
      return 'garbage collection';
    default:
      return undefined;
  }
}

/**
 * The renderer main threads (pid:tid) of the traced page: those of the processes its frames were
 * in (as the browser announced them at the start and at each commit), not other tabs' or the
 * browser's own pages' (chrome://).
 */
function mainThreads(events: TraceEvent[]): Set<string> {
  const pids = new Set<number>();
  for (const event of events) {
    const data = event.args?.data;
    if (event.name === 'TracingStartedInBrowser') for (const frame of (data?.frames as { processId?: number }[] | undefined) ?? []) if (frame.processId) pids.add(frame.processId);
    if (event.name === 'FrameCommittedInBrowser' && typeof data?.processId === 'number') pids.add(data.processId);
  }
  const threads = new Set<string>();
  for (const event of events) {
    if (event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain' && (!pids.size || pids.has(event.pid))) threads.add(`${event.pid}:${event.tid}`);
  }
  return threads;
}

export function analyseTrace(events: TraceEvent[]): PerfSummary {
  const timed = events.filter((event) => event.ph !== 'M' && event.ts > 0);
  const t0 = timed.reduce((min, event) => Math.min(min, event.ts), Number.POSITIVE_INFINITY);
  const end = timed.reduce((max, event) => Math.max(max, event.ts + (event.dur ?? 0)), 0);
  const at = (ts: number): Ms => (ts - t0) / 1000;
  const main = mainThreads(events);
  const onMain = (event: TraceEvent) => main.has(`${event.pid}:${event.tid}`);

  // The last main-frame navigation in the trace: load metrics count from it.
  const navigations = timed.filter((event) => event.name === 'navigationStart' && event.args?.data?.isOutermostMainFrame !== false && /^https?:/.test(String(event.args?.data?.documentLoaderURL ?? '')));
  const navigation = navigations[navigations.length - 1];
  const navId = navigation?.args?.data?.navigationId;
  const sameNav = (event: TraceEvent) => !navId || event.args?.data?.navigationId === navId;

  const fcp = timed.filter((event) => event.name === 'firstContentfulPaint' && sameNav(event)).pop();
  const lcpEvent = timed.filter((event) => event.name === 'largestContentfulPaint::Candidate' && sameNav(event)).pop();
  const lcpData = lcpEvent?.args?.data ?? {};

  // Layout shifts without recent input, grouped in session windows (gap < 1 s, window < 5 s): CLS is the worst window.
  const shiftEvents = timed.filter((event) => event.name === 'LayoutShift' && !event.args?.data?.had_recent_input).sort((a, b) => a.ts - b.ts);
  let cls = 0;
  let window = 0;
  let windowStart = 0;
  let previous = 0;
  const shifts: LayoutShiftInfo[] = [];
  for (const event of shiftEvents) {
    const data = event.args!.data!;
    const score = Number(data.weighted_score_delta ?? data.score ?? 0);
    if (!previous || event.ts - previous > 1_000_000 || event.ts - windowStart > 5_000_000) {
      window = 0;
      windowStart = event.ts;
    }
    previous = event.ts;
    window += score;
    cls = Math.max(cls, window);
    const nodes = ((data.impacted_nodes as { node_id: number; old_rect: number[]; new_rect: number[] }[] | undefined) ?? []).map((node) => ({ nodeId: node.node_id, from: node.old_rect, to: node.new_rect }));
    shifts.push({ at: at(event.ts), score, nodes });
  }

  // Interactions: EventTiming entries with an interaction id; the slowest per interaction.
  const byInteraction = new Map<unknown, Interaction>();
  for (const event of timed) {
    if (event.name !== 'EventTiming' || event.ph === 'e') continue;
    const data = event.args?.data ?? {};
    const id = data.interactionId;
    if (!id || typeof data.duration !== 'number') continue;
    const interaction: Interaction = { type: String(data.type ?? 'input'), at: at(event.ts), durationMs: data.duration };
    if (typeof data.processingStart === 'number' && typeof data.processingEnd === 'number' && typeof data.timeStamp === 'number') {
      interaction.inputDelayMs = data.processingStart - data.timeStamp;
      interaction.processingMs = data.processingEnd - data.processingStart;
      interaction.presentationMs = Math.max(0, data.timeStamp + data.duration - data.processingEnd);
    }
    // The events of one interaction (pointerdown, pointerup, click) share its duration within a frame: the one whose handlers ran longest stands for it.
    const known = byInteraction.get(id);
    const longer = !known || interaction.durationMs > known.durationMs + 8 || (interaction.durationMs >= known.durationMs - 8 && (interaction.processingMs ?? 0) > (known.processingMs ?? 0));
    if (longer) byInteraction.set(id, interaction);
  }
  const interactions = [...byInteraction.values()].sort((a, b) => a.at - b.at);
  // INP is the 98th percentile of interactions; with fewer than 50, the slowest.
  const sorted = [...interactions].sort((a, b) => b.durationMs - a.durationMs);
  const inp = sorted[Math.floor(interactions.length / 50)];

  // Long tasks on the main thread, with the work inside them.
  const tasks = timed.filter((event) => event.ph === 'X' && event.name === 'RunTask' && onMain(event) && (event.dur ?? 0) >= LONG_TASK_US);
  const inside = timed.filter((event) => event.ph === 'X' && onMain(event) && event.name !== 'RunTask');
  const longTasks: LongTask[] = tasks.map((task) => {
    const work = new Map<string, number>();
    const taskEnd = task.ts + task.dur!;
    for (const event of inside) {
      if (event.tid !== task.tid || event.pid !== task.pid || event.ts < task.ts || event.ts >= taskEnd) continue;
      const what = describeWork(event);
      if (what) work.set(what, Math.max(work.get(what) ?? 0, (event.dur ?? 0) / 1000));
    }
    return {
      at: at(task.ts),
      durationMs: task.dur! / 1000,
      work: [...work].map(([what, ms]) => ({ what, ms })).filter((w) => w.ms >= 1).sort((a, b) => b.ms - a.ms).slice(0, 3),
    };
  });
  const totalBlockingMs = tasks.reduce((sum, task) => sum + (task.dur! - LONG_TASK_US) / 1000, 0);

  // Requests; render-blocking ones with their time.
  const sent = new Map<string, TraceEvent>();
  const finished = new Map<string, number>();
  const responded = new Map<string, number>();
  for (const event of timed) {
    const id = String(event.args?.data?.requestId ?? '');
    if (!id) continue;
    if (event.name === 'ResourceSendRequest' && !sent.has(id)) sent.set(id, event);
    if (event.name === 'ResourceReceiveResponse' && !responded.has(id)) responded.set(id, event.ts);
    if (event.name === 'ResourceFinish' || event.name === 'ResourceReceivedData') {
      const finish = event.name === 'ResourceFinish' && typeof event.args?.data?.finishTime === 'number' && event.args.data.finishTime > 0 ? event.args.data.finishTime * 1_000_000 : event.ts;
      finished.set(id, Math.max(finished.get(id) ?? 0, finish));
    }
  }
  const fcpAt = fcp ? fcp.ts : Number.POSITIVE_INFINITY;
  const renderBlocking: RenderBlocking[] = [];
  for (const [id, event] of sent) {
    const blocking = String(event.args?.data?.renderBlocking ?? '');
    if (blocking !== 'blocking' && blocking !== 'in_body_parser_blocking') continue;
    const done = finished.get(id) ?? event.ts;
    renderBlocking.push({ url: String(event.args?.data?.url ?? ''), startMs: at(event.ts), durationMs: Math.max(0, (done - event.ts) / 1000), beforeFcp: done <= fcpAt });
  }
  renderBlocking.sort((a, b) => b.durationMs - a.durationMs);

  const base = navigation ? navigation.ts : t0;
  const documentRequest = navigation ? [...sent].find(([, event]) => event.args?.data?.resourceType === 'Document' && event.args?.data?.url === navigation.args?.data?.documentLoaderURL && event.ts >= base) : undefined;
  const documentResponse = documentRequest ? responded.get(documentRequest[0]) : undefined;
  return {
    durationMs: (end - t0) / 1000,
    url: navigation ? String(navigation.args?.data?.documentLoaderURL) : undefined,
    navigationAt: navigation ? at(navigation.ts) : undefined,
    fcpMs: fcp && navigation ? (fcp.ts - base) / 1000 : undefined,
    ttfbMs: documentResponse !== undefined ? (documentResponse - base) / 1000 : undefined,
    lcp: lcpEvent && navigation
      ? {
          ms: (lcpEvent.ts - base) / 1000,
          nodeId: typeof lcpData.nodeId === 'number' ? lcpData.nodeId : undefined,
          type: typeof lcpData.type === 'string' ? lcpData.type : undefined,
          size: typeof lcpData.size === 'number' ? lcpData.size : undefined,
          url: typeof lcpData.url === 'string' && lcpData.url ? lcpData.url : undefined,
        }
      : undefined,
    cls,
    shifts,
    interactions,
    inp,
    longTasks,
    totalBlockingMs,
    renderBlocking,
    requests: sent.size,
  };
}

/** The node ids a summary refers to (LCP element, nodes that shifted), for describing them while the page is there. */
export function nodeIdsOf(summary: PerfSummary): number[] {
  const ids = new Set<number>();
  if (summary.lcp?.nodeId) ids.add(summary.lcp.nodeId);
  for (const shift of [...summary.shifts].sort((a, b) => b.score - a.score).slice(0, 5)) for (const node of shift.nodes.slice(0, 3)) ids.add(node.nodeId);
  return [...ids];
}
