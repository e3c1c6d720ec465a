/** Small status labels; text always says the state, colour only repeats it. */
import { h } from '../lib/dom.js';

export function badge(text: string, tone: 'ok' | 'bad' | 'warn' | 'muted' | 'info'): HTMLElement {
  return h('span', { class: `badge badge-${tone}` }, text);
}

const SEVERITY_TONE: Record<string, 'ok' | 'bad' | 'warn' | 'muted' | 'info'> = {
  info: 'info',
  warning: 'warn',
  minor: 'warn',
  major: 'bad',
  critical: 'bad',
  fatal: 'bad',
};

export function severityBadge(severity: unknown): HTMLElement {
  const text = typeof severity === 'string' ? severity : 'unknown';
  return h('span', { class: `badge badge-${SEVERITY_TONE[text] ?? 'muted'} severity-${text}` }, text);
}

export function enabledBadge(enabled: unknown): HTMLElement {
  return enabled === false ? badge('disabled', 'muted') : badge('enabled', 'ok');
}
