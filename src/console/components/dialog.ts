/**
 * A modal confirmation built on <dialog>: the browser traps focus, Escape cancels, and focus
 * returns to the button that opened it. Resolves true only on the explicit confirm button.
 */
import { h, uid, type Child } from '../lib/dom.js';

export interface ConfirmOptions {
  title: string;
  body: Child;
  confirmLabel: string;
  /** Destructive actions get the danger style. */
  danger?: boolean;
  /** Extra inputs (e.g. a comment) read by the caller once it resolves true. */
  extra?: Child;
}

export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const titleId = uid('dialog-title');
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', class: 'button', value: 'cancel' }, 'Cancel');
    const confirm = h('button', { type: 'submit', class: options.danger ? 'button danger' : 'button primary', value: 'confirm' }, options.confirmLabel);
    const form = h('form', { method: 'dialog' }, h('h2', { id: titleId }, options.title), h('div', { class: 'dialog-body' }, options.body), options.extra ?? null, h('div', { class: 'dialog-actions' }, cancel, confirm));
    const dialog = h('dialog', { class: 'confirm-dialog', 'aria-labelledby': titleId }, form);
    let confirmed = false;
    confirm.addEventListener('click', () => {
      confirmed = true;
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has focus first: Enter on a destructive dialog must not delete.
    cancel.focus();
  });
}
