/**
 * Which events a webhook takes (events + events_policy, min_severity, rules, enabled), and the
 * Portal seed's warning about two webhooks configured alike.
 */
import type { TocsinEvent } from '../model/event.js';
import { severityRank } from '../model/severity.js';
import type { WebhookProblem } from './schema-problems.js';
import type { Webhook } from './webhook.js';

function normalisedUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/**
 * As the Portal seed warns, two webhooks with the same configuration send every notification twice.
 * Same URL, same event selection and same template is that case. The pointer holds the second
 * webhook's name; parseWebhooks turns it into a position.
 */
export function findDuplicateWebhooks(webhooks: readonly Webhook[]): WebhookProblem[] {
  const seen = new Map<string, string>();
  const warnings: WebhookProblem[] = [];
  for (const webhook of webhooks) {
    const key = JSON.stringify([normalisedUrl(webhook.url), webhook.events_policy, [...new Set(webhook.events)].sort(), webhook.template]);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, webhook.name);
      continue;
    }
    warnings.push({
      severity: 'warning',
      code: 'duplicate-webhook',
      pointer: webhook.name,
      message: `webhooks '${first}' and '${webhook.name}' have the same url, events and template; each notification would be sent twice`,
      hint: 'remove one, or give them different events or templates',
    });
  }
  return warnings;
}

/**
 * Why this webhook does not take the event, or null when it does. `ruleName` is the rule an
 * event comes from; events without one (config.changed, delivery.failed…) skip the rules filter.
 */
export function webhookRefusal(webhook: Webhook, event: TocsinEvent, ruleName: string | null = null): string | null {
  if (!webhook.enabled) return 'webhook disabled';
  const listed = webhook.events.includes('*') || webhook.events.includes(event.type);
  if (webhook.events_policy === 'include' && !listed) return `event type ${event.type} not in events`;
  if (webhook.events_policy === 'exclude' && listed) return `event type ${event.type} excluded by events`;
  if (severityRank(event.severity) < severityRank(webhook.min_severity)) return `severity ${event.severity} below min_severity ${webhook.min_severity}`;
  if (ruleName !== null && !webhook.rules.includes('*') && !webhook.rules.includes(ruleName)) return `rule ${ruleName} not in rules`;
  // A webhook that is failing would otherwise be told about its own failures, through itself.
  if (event.type === 'delivery.failed' && (event.data as { webhook?: unknown }).webhook === webhook.name) return 'delivery.failed about this webhook itself';
  // A backlogged webhook's own queue is the last place to report its backlog.
  if (event.type === 'delivery.backlog' && (event.data as { webhook?: unknown }).webhook === webhook.name) {
    return 'delivery.backlog about this webhook itself';
  }
  return null;
}

export function webhookAccepts(webhook: Webhook, event: TocsinEvent, ruleName: string | null = null): boolean {
  return webhookRefusal(webhook, event, ruleName) === null;
}
