import type { ElementHandle, Page } from 'puppeteer-core';
import { LegibleError, errorMessage } from '../util/errors.js';
import { clip } from '../util/text.js';

export type MouseButton = 'left' | 'right' | 'middle' | 'back' | 'forward';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Turns puppeteer's terse element errors into ones an agent can act on. */
function explain(action: string, error: unknown): LegibleError {
  const text = errorMessage(error);
  if (/detached|not attached|Cannot find context/i.test(text)) {
    return new LegibleError(
      `Could not ${action}: the element is no longer in the page.`,
      'Take a new snapshot and use a ref from it.',
    );
  }
  if (/not visible|not clickable|no.*box|zero.*size|not an HTMLElement/i.test(text)) {
    return new LegibleError(
      `Could not ${action}: the element is not visible or has no size (${clip(text, 200)}).`,
      'Scroll or open the part of the page that shows it, or pick another element from a new snapshot.',
    );
  }
  return new LegibleError(`Could not ${action}: ${clip(text, 300)}`, 'Take a new snapshot and try again; if something covers the element or it is disabled, deal with that first.');
}

/**
 * One element of the page, as the upper layers see it: what can be done to it, with no
 * puppeteer type showing through.
 */
export class ElementRef {
  constructor(
    private readonly handle: ElementHandle<Element>,
    private readonly page: Page,
  ) {}

  /** Clicks the element's centre, or `offset` from its top-left corner; `delay` ms between press and release. */
  async click(options: { button?: MouseButton; clickCount?: number; offset?: { x: number; y: number }; delay?: number } = {}): Promise<void> {
    try {
      await this.handle.click({ button: options.button ?? 'left', count: options.clickCount ?? 1, offset: options.offset, delay: options.delay });
    } catch (error) {
      throw explain('click', error);
    }
  }

  async hover(): Promise<void> {
    try {
      await this.handle.hover();
    } catch (error) {
      throw explain('hover', error);
    }
  }

  async focus(): Promise<void> {
    try {
      await this.handle.focus();
    } catch (error) {
      throw explain('focus', error);
    }
  }

  /** Types like a person (key events per character); long text is inserted in one go. */
  async type(text: string): Promise<void> {
    try {
      await this.handle.focus();
      if (text.length > 200) await this.page.keyboard.sendCharacter(text);
      else await this.page.keyboard.type(text);
    } catch (error) {
      throw explain('type', error);
    }
  }

  async select(values: string[]): Promise<string[]> {
    try {
      return await this.handle.select(...values);
    } catch (error) {
      throw explain('select an option', error);
    }
  }

  /** Puts files into an `<input type="file">` (as choosing them in the picker does: input and change events follow). */
  async setFiles(paths: string[]): Promise<void> {
    try {
      await (this.handle as unknown as ElementHandle<HTMLInputElement>).uploadFile(...paths);
    } catch (error) {
      throw explain('choose the files', error);
    }
  }

  /**
   * Clicks the element and hands the file chooser that opens the files; fails when none opens
   * within `timeout` ms.
   */
  async chooseFiles(paths: string[], timeout: number): Promise<void> {
    const chooser = this.page.waitForFileChooser({ timeout });
    chooser.catch(() => undefined);
    await this.click();
    let opened;
    try {
      opened = await chooser;
    } catch {
      throw new LegibleError('No file chooser opened when the element was clicked.', 'Give the ref of the <input type="file"> itself (a snapshot may show it), or of the button that opens the file picker.');
    }
    await opened.accept(paths);
  }

  async box(): Promise<Box | null> {
    return this.handle.boundingBox();
  }

  async scrollIntoView(): Promise<void> {
    try {
      await this.handle.scrollIntoView();
    } catch (error) {
      throw explain('scroll to the element', error);
    }
  }

  async screenshot(): Promise<Buffer> {
    try {
      return Buffer.from(await this.handle.screenshot({ type: 'png' }));
    } catch (error) {
      throw explain('take a screenshot of the element', error);
    }
  }

  /** Runs a function with the element as its first argument and returns its JSON-able result. */
  evaluate<A extends unknown[], R>(fn: (element: Element, ...args: A) => R, ...args: A): Promise<Awaited<R>> {
    return this.handle.evaluate(fn as never, ...(args as unknown as never[])) as Promise<Awaited<R>>;
  }

  /** Does not wait for the browser: while a dialog is open it answers only after the dialog closes. */
  async dispose(): Promise<void> {
    void this.handle.dispose().catch(() => undefined);
  }
}
