import { describe, expect, it } from 'vitest';
import { analyseTrace, nodeIdsOf, type TraceEvent } from '../../src/capture/perfTrace.js';
import { formatPerformance } from '../../src/format/perfFormat.js';

const PID = 10;
const TID = 1;
const T0 = 1_000_000_000;
const us = (ms: number) => T0 + ms * 1000;

/** A small trace in Chrome's shapes: a page load with a render-blocking stylesheet, two long tasks, two shifts and a click. */
function trace(): TraceEvent[] {
  const nav = { navigationId: 'N1', isOutermostMainFrame: true, documentLoaderURL: 'http://app.test/' };
  return [
    { name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: TID, args: { name: 'CrRendererMain' } },
    { name: 'thread_name', ph: 'M', ts: 0, pid: 99, tid: 1, args: { name: 'CrRendererMain' } },
    { name: 'TracingStartedInBrowser', ph: 'I', ts: us(0), pid: 1, tid: 1, args: { data: { frames: [{ processId: PID, url: 'http://app.test/' }] } } },
    { name: 'navigationStart', ph: 'R', ts: us(100), pid: PID, tid: TID, args: { data: nav } },
    { name: 'ResourceSendRequest', ph: 'I', ts: us(110), pid: PID, tid: TID, args: { data: { requestId: 'R0', url: 'http://app.test/', resourceType: 'Document' } } },
    { name: 'ResourceReceiveResponse', ph: 'I', ts: us(180), pid: PID, tid: TID, args: { data: { requestId: 'R0' } } },
    { name: 'ResourceSendRequest', ph: 'I', ts: us(150), pid: PID, tid: TID, args: { data: { requestId: 'R1', url: 'http://app.test/app.css', renderBlocking: 'blocking' } } },
    { name: 'ResourceFinish', ph: 'I', ts: us(450), pid: PID, tid: TID, args: { data: { requestId: 'R1', finishTime: us(450) / 1_000_000 } } },
    { name: 'ResourceSendRequest', ph: 'I', ts: us(160), pid: PID, tid: TID, args: { data: { requestId: 'R2', url: 'http://app.test/img.png', renderBlocking: 'non_blocking' } } },
    { name: 'firstContentfulPaint', ph: 'R', ts: us(600), pid: PID, tid: TID, args: { data: { navigationId: 'N1' } } },
    { name: 'largestContentfulPaint::Candidate', ph: 'R', ts: us(700), pid: PID, tid: TID, args: { data: { navigationId: 'N1', nodeId: 7, type: 'image', size: 5000 } } },
    { name: 'largestContentfulPaint::Candidate', ph: 'R', ts: us(900), pid: PID, tid: TID, args: { data: { navigationId: 'N1', nodeId: 8, type: 'text', size: 9000 } } },
    // Two shifts in one session window (0.1 + 0.05) and one after a 2 s gap (0.12): CLS is 0.15.
    { name: 'LayoutShift', ph: 'I', ts: us(1000), pid: PID, tid: TID, args: { data: { weighted_score_delta: 0.1, had_recent_input: false, impacted_nodes: [{ node_id: 12, old_rect: [0, 0, 100, 50], new_rect: [0, 120, 100, 50] }] } } },
    { name: 'LayoutShift', ph: 'I', ts: us(1500), pid: PID, tid: TID, args: { data: { weighted_score_delta: 0.05, had_recent_input: false, impacted_nodes: [] } } },
    { name: 'LayoutShift', ph: 'I', ts: us(3600), pid: PID, tid: TID, args: { data: { weighted_score_delta: 0.12, had_recent_input: false, impacted_nodes: [] } } },
    { name: 'LayoutShift', ph: 'I', ts: us(3700), pid: PID, tid: TID, args: { data: { weighted_score_delta: 0.5, had_recent_input: true } } },
    // A 200 ms task running a script, a 40 ms one (not long), and a long one in another process (not the page's).
    { name: 'RunTask', ph: 'X', ts: us(1100), dur: 200_000, pid: PID, tid: TID },
    { name: 'FunctionCall', ph: 'X', ts: us(1101), dur: 190_000, pid: PID, tid: TID, args: { data: { functionName: 'crunch', url: 'http://app.test/app.js', lineNumber: 9 } } },
    { name: 'RunTask', ph: 'X', ts: us(2000), dur: 40_000, pid: PID, tid: TID },
    { name: 'RunTask', ph: 'X', ts: us(2100), dur: 300_000, pid: 99, tid: 1 },
    { name: 'EventTiming', ph: 'b', ts: us(4000), pid: PID, tid: TID, id: 'a', args: { data: { type: 'pointerdown', interactionId: 5, duration: 240, timeStamp: 4000, processingStart: 4001, processingEnd: 4002 } } },
    { name: 'EventTiming', ph: 'b', ts: us(4000), pid: PID, tid: TID, id: 'b', args: { data: { type: 'click', interactionId: 5, duration: 240, timeStamp: 4000, processingStart: 4010, processingEnd: 4210 } } },
    { name: 'EventTiming', ph: 'e', ts: us(4240), pid: PID, tid: TID, id: 'b', args: {} },
  ];
}

describe('analyseTrace', () => {
  const summary = analyseTrace(trace());

  it('measures the load from its navigation: FCP and the last LCP candidate', () => {
    expect(summary.url).toBe('http://app.test/');
    expect(summary.fcpMs).toBe(500);
    expect(summary.lcp).toEqual({ ms: 800, nodeId: 8, type: 'text', size: 9000, url: undefined });
    expect(summary.ttfbMs).toBe(80);
  });

  it('groups layout shifts into session windows and leaves out those after input', () => {
    expect(summary.cls).toBeCloseTo(0.15, 5);
    expect(summary.shifts).toHaveLength(3);
    expect(summary.shifts[0]!.nodes).toEqual([{ nodeId: 12, from: [0, 0, 100, 50], to: [0, 120, 100, 50] }]);
    expect(nodeIdsOf(summary).sort()).toEqual([12, 8]);
  });

  it('finds long tasks on the page main thread only, with the script inside, and the blocking time', () => {
    expect(summary.longTasks).toHaveLength(1);
    expect(summary.longTasks[0]).toMatchObject({ at: 1100, durationMs: 200, work: [{ what: 'script http://app.test/app.js:10 (crunch)', ms: 190 }] });
    expect(summary.totalBlockingMs).toBe(150);
  });

  it('takes the interaction event whose handlers ran longest, with its breakdown', () => {
    expect(summary.inp).toEqual({ type: 'click', at: 4000, durationMs: 240, inputDelayMs: 10, processingMs: 200, presentationMs: 30 });
  });

  it('lists render-blocking requests and whether they held the first paint back', () => {
    expect(summary.renderBlocking).toEqual([{ url: 'http://app.test/app.css', startMs: 150, durationMs: 300, beforeFcp: true }]);
    expect(summary.requests).toBe(3);
  });

  it('formats it in a few lines, with the nodes described', () => {
    const text = formatPerformance(summary, new Map([[8, 'h1#hero'], [12, 'div#banner']]));
    expect(text).toContain('Metrics: LCP 800 ms (good; text h1#hero; TTFB 80 ms, then 720 ms to paint) · FCP 500 ms (good) · CLS 0.150 (needs improvement) · INP 240 ms (needs improvement; click at 4.00 s; input delay 10 ms, processing 200 ms, presentation 30 ms) · TBT 150 ms');
    expect(text).toContain('  at 1.10 s: 200 ms — script /app.js:10 (crunch) 190 ms');
    expect(text).toContain('  at 1.00 s: 0.100 — div#banner 0,0 100×50 → 0,120 100×50');
    expect(text).toContain('  /app.css 300 ms, held back the first paint');
    expect(text.length).toBeLessThan(900);
  });

  it('says when there was no page load or no interaction', () => {
    const empty = analyseTrace([{ name: 'RunTask', ph: 'X', ts: us(0), dur: 10, pid: PID, tid: TID }]);
    const text = formatPerformance(empty, new Map());
    expect(text).toContain('INP: no interaction in the trace');
    expect(text).toContain('No page load in the trace');
    expect(text).toContain('Long tasks: none');
  });
});
