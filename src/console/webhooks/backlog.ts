/** The backlog badge of a webhook (SPEC §6: a backlogged webhook is visible), on the list and detail pages. */
import { badge } from '../components/badges.js';
import type { WebhookRow } from './types.js';

/** The backlog badge of a webhook (list and detail), or null when it is not backlogged. */
export function backlogBadgeSpec(
  row: Pick<WebhookRow, 'backlogged' | 'outboxDepth' | 'outboxLimit' | 'backloggedSince'>,
): { text: string; tone: 'warn'; title: string } | null {
  if (row.backlogged !== true) return null;
  const since = typeof row.backloggedSince === 'string' ? ` since ${row.backloggedSince}` : '';
  return {
    text: 'backlogged',
    tone: 'warn',
    title: `${row.outboxDepth ?? 0} notifications waiting, limit ${row.outboxLimit ?? '?'}${since}: ` +
      'the receiver is down or slow',
  };
}

/** `backlogged`, with the depth and limit on hover; nothing when the webhook keeps up. */
export function backlogBadge(row: WebhookRow): HTMLElement | null {
  const spec = backlogBadgeSpec(row);
  if (spec === null) return null;
  const element = badge(spec.text, spec.tone);
  element.title = spec.title;
  element.dataset.testid = 'backlogged';
  return element;
}
