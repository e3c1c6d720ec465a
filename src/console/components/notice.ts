/** Status messages: a polite live region for results, an alert role for errors. */
import { h, type Child } from '../lib/dom.js';

export type NoticeKind = 'info' | 'success' | 'warning' | 'error';

export function notice(kind: NoticeKind, ...content: Child[]): HTMLElement {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, content);
}

/** A region whose content is replaced as results arrive; screen readers announce the changes. */
export function liveRegion(className = 'live'): HTMLElement {
  return h('div', { class: className, 'aria-live': 'polite' });
}
