import type { Dialog, Page } from 'puppeteer-core';
import { LegibleError, errorMessage } from '../util/errors.js';

export type DialogType = 'alert' | 'confirm' | 'prompt' | 'beforeunload';

export interface DialogInfo {
  type: DialogType;
  message: string;
  defaultValue: string;
  openedAt: number;
}

/**
 * One tab's JavaScript dialogs (alert, confirm, prompt, beforeunload): the one open now, who
 * wants to hear of the next, and answering it. A dialog blocks the page's JavaScript until answered.
 */
export class DialogWatch {
  private open: { info: DialogInfo; dialog: Dialog } | undefined;
  private readonly listeners = new Set<(info: DialogInfo) => void>();

  constructor(page: Page) {
    page.on('dialog', (dialog) => {
      const info: DialogInfo = {
        type: dialog.type() as DialogType,
        message: dialog.message(),
        defaultValue: dialog.defaultValue(),
        openedAt: Date.now(),
      };
      this.open = { info, dialog };
      for (const listener of this.listeners) listener(info);
    });
  }

  /** Calls `listener` for every dialog that opens from now on; returns a function that stops it. */
  onDialog(listener: (info: DialogInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The dialog open now. */
  current(): DialogInfo | undefined {
    return this.open?.info;
  }

  /** Forgets the open dialog (the tab is closing). */
  forget(): void {
    this.open = undefined;
  }

  /** Accepts (with a prompt's text) or dismisses the open dialog; answers what it was. */
  async answer(accept: boolean, promptText?: string): Promise<DialogInfo> {
    const open = this.open;
    if (!open) throw new LegibleError('No dialog is open on this page.', 'Nothing to answer: the action that opens a dialog reports it, and the next call answers it.');
    this.open = undefined;
    try {
      if (accept) await open.dialog.accept(promptText);
      else await open.dialog.dismiss();
    } catch (error) {
      // The dialog may have been closed by the page itself (navigation); nothing is left to do.
      if (!/not open|No dialog/i.test(errorMessage(error))) throw error;
    }
    return open.info;
  }

  /** Resolves with 'dialog' as soon as a dialog opens (a dialog blocks the page's JavaScript). */
  unless<T>(promise: Promise<T>): Promise<T | 'dialog'> {
    if (this.open) {
      promise.catch(() => undefined);
      return Promise.resolve('dialog');
    }
    let off: () => void = () => undefined;
    const opened = new Promise<'dialog'>((resolve) => {
      off = this.onDialog(() => resolve('dialog'));
    });
    promise.catch(() => undefined);
    return Promise.race([promise, opened]).finally(off);
  }
}
