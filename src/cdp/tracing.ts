import type { Protocol } from 'devtools-protocol';
import type { Page } from 'puppeteer-core';

/**
 * The trace categories DevTools' Performance panel records (without screenshots, which make the
 * file large): enough for it to open the file, and for analyseTrace to find vitals, tasks,
 * scripts, layout shifts and requests.
 */
const CATEGORIES = [
  '-*',
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'disabled-by-default-devtools.timeline.stack',
  'v8.execute',
  'disabled-by-default-v8.cpu_profiler',
  'blink.user_timing',
  'blink.console',
  'loading',
  'latencyInfo',
];

type Send = <T>(method: string, params?: Record<string, unknown>) => Promise<T>;

/** One tab's performance tracing (puppeteer's Tracing over DevTools' Tracing domain) and the node lookups its summary needs. */
export class PageTracer {
  private running: { label: string; startedAt: number; url: string } | undefined;

  constructor(
    private readonly page: Page,
    private readonly send: Send,
  ) {}

  current(): { label: string; startedAt: number; url: string } | undefined {
    return this.running;
  }

  async start(label: string): Promise<void> {
    await this.page.tracing.start({ categories: CATEGORIES });
    this.running = { label, startedAt: Date.now(), url: this.page.url() };
  }

  /** The trace as JSON text (`{"traceEvents":[…]}`), as DevTools' Performance panel opens it. */
  async stop(): Promise<string> {
    this.running = undefined;
    const data = await this.page.tracing.stop();
    return data ? Buffer.from(data).toString('utf8') : '{"traceEvents":[]}';
  }

  /** Short descriptions (`div#banner.promo`) of DOM nodes by their backend ids; nodes already gone are left out. */
  async describeNodes(ids: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const backendNodeId of ids.slice(0, 50)) {
      try {
        const { node } = await this.send<{ node: Protocol.DOM.Node }>('DOM.describeNode', { backendNodeId });
        const attrs = new Map<string, string>();
        for (let i = 0; i + 1 < (node.attributes ?? []).length; i += 2) attrs.set(node.attributes![i]!, node.attributes![i + 1]!);
        const classes = (attrs.get('class') ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 2);
        const name = node.nodeName === '#text' ? 'text' : node.nodeName.toLowerCase();
        out.set(backendNodeId, `${name}${attrs.get('id') ? `#${attrs.get('id')}` : ''}${classes.map((c) => `.${c}`).join('')}`);
      } catch {
        // gone since
      }
    }
    return out;
  }
}
