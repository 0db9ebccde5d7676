import type { ElementHandle, Frame, JSHandle, Page } from 'puppeteer-core';
import { ElementRef } from './elementRef.js';

type PageFunction = (...args: never[]) => unknown;

/**
 * One frame of a page. `key` names the frame in element refs: '' for the main frame, `f<N>` for
 * the others, stable for as long as the frame lives.
 */
export class FrameDriver {
  constructor(
    private readonly frame: Frame,
    private readonly page: Page,
    readonly key: string,
    private readonly keyOf: (frame: Frame) => string,
  ) {}

  url(): string {
    return this.frame.url();
  }

  isDetached(): boolean {
    return this.frame.detached;
  }

  parentKey(): string | null {
    const parent = this.frame.parentFrame();
    return parent ? this.keyOf(parent) : null;
  }

  /**
   * Where the frame sits: the index among its parent's child frames at each level down from the
   * main frame ([] for the main frame), as a Chrome DevTools Recorder step's `frame` says it.
   */
  path(): number[] {
    const path: number[] = [];
    for (let frame = this.frame, parent = frame.parentFrame(); parent; frame = parent, parent = frame.parentFrame()) {
      path.unshift(parent.childFrames().indexOf(frame));
    }
    return path;
  }

  /** The frame at `path` below this one (child-frame indices at each level), if it is there. */
  child(path: readonly number[]): FrameDriver | undefined {
    let frame: Frame | undefined = this.frame;
    for (const index of path) frame = frame?.childFrames()[index];
    return frame && !frame.detached ? new FrameDriver(frame, this.page, this.keyOf(frame), this.keyOf) : undefined;
  }

  evaluate<F extends PageFunction>(fn: F, ...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> {
    return this.frame.evaluate(fn as never, ...(args as never[])) as Promise<Awaited<ReturnType<F>>>;
  }

  /** Evaluates a source string in the frame's main world (bypasses the page's CSP, as DevTools does). */
  evaluateExpression(expression: string): Promise<unknown> {
    return this.frame.evaluate(expression);
  }

  /** Runs `fn` in the frame; when it returns an Element, hands it back as an ElementRef. */
  async evaluateElement<F extends PageFunction>(fn: F, ...args: Parameters<F>): Promise<ElementRef | null> {
    const evaluateHandle = this.frame.evaluateHandle.bind(this.frame) as (fn: unknown, ...rest: unknown[]) => Promise<JSHandle>;
    const handle = await evaluateHandle(fn, ...args);
    const element = handle.asElement();
    if (!element) {
      await handle.dispose();
      return null;
    }
    return new ElementRef(element as ElementHandle<Element>, this.page);
  }

  /** The <iframe> element that holds this frame, in its parent frame. */
  async ownerElement(): Promise<ElementRef | null> {
    const element = await this.frame.frameElement().catch(() => null);
    return element ? new ElementRef(element as ElementHandle<Element>, this.page) : null;
  }
}
