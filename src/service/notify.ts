/**
 * Which webhooks get an event: the routing between the engine's events and delivery's outbox.
 *
 * - A rule that lists `notify:` targets routes its alert events only to them, filtered by each
 *   target's `on:` statuses, with the target's template when it names one. The webhook's own
 *   event-type and severity filters still apply; its `rules` selection does not, since the rule
 *   named it explicitly.
 * - Every other event (alert events of rules without `notify:`, rule.error, config.changed,
 *   delivery.failed) goes to each webhook whose selection takes it (events + policy, min_severity,
 *   rules '*' or the rule's name), as the "send webhook for all alerts" option of the vendor UIs.
 * - A muted event (flapping, outside schedule, silenced) goes nowhere; the decision says why.
 *
 * Every decision is returned, sent or not, so `GET /alerts/:id` can explain each notification.
 */
import type { Webhook } from '../delivery/webhook.js';
import { webhookRefusal } from '../delivery/webhook.js';
import type { AlertEventData } from '../model/event.js';
import type { EmittedEvent } from '../engine/engine.js';
import type { OutboxInput } from '../store/store.js';

export interface NotificationDecision {
  webhook: string;
  sent: boolean;
  template: string | null;
  /** Why it was not sent: muted (flapping, schedule, silence), filtered (and by what). */
  reason?: string;
}

export interface NotificationPlan {
  outbox: OutboxInput[];
  decisions: NotificationDecision[];
}

/**
 * The ordering key of an alert notification: its series (rule + series key), not its episode, so
 * the cancel of one alert and the open of the next alert of the same series are never in flight
 * together and arrive in the order they were emitted (issue 13). JSON, so no name can collide;
 * migration 3 (src/store/migrations.ts) derives the same text with SQLite's json_array.
 */
export function seriesOrderingKey(rule: string, seriesKey: string): string {
  return JSON.stringify([rule, seriesKey]);
}

const MUTE_TEXT = { flapping: 'muted: series is flapping', schedule: 'muted: outside the rule schedule', silence: 'muted: silenced' } as const;

/** Whether a template can render an event type (a template serves the types it was checked for). */
export type TemplateServes = (template: string, type: string) => boolean;

export function planNotifications(emitted: EmittedEvent, webhooks: ReadonlyMap<string, Webhook>, serves: TemplateServes = () => true): NotificationPlan {
  const { event } = emitted;
  const isAlert = event.type.startsWith('alert.');
  const alertData = isAlert ? (event.data as AlertEventData) : null;
  const alertId = alertData?.alert_id ?? null;
  const status = alertData?.status ?? null;
  const orderingKey = alertData === null ? null : seriesOrderingKey(alertData.rule, alertData.series_key);
  const targets: Array<{ webhook: Webhook | undefined; name: string; template: string | null; refusal: string | null }> = [];

  if (isAlert && emitted.notify.length > 0) {
    for (const spec of emitted.notify) {
      const webhook = webhooks.get(spec.webhook);
      let refusal: string | null = null;
      if (!webhook) refusal = `no webhook named ${spec.webhook}`;
      else if (status !== null && !(spec.on as string[]).includes(status)) refusal = `status ${status} not in the rule's notify.on`;
      else refusal = webhookRefusal(webhook, event, null);
      targets.push({ webhook, name: spec.webhook, template: spec.template ?? null, refusal });
    }
  } else {
    for (const webhook of webhooks.values()) {
      const refusal = webhookRefusal(webhook, event, emitted.rule);
      // Webhooks that never subscribed are left out of the decisions to keep them readable.
      if (refusal !== null && !refusal.startsWith('rule ') && !refusal.startsWith('event type')) {
        targets.push({ webhook, name: webhook.name, template: null, refusal });
      } else if (refusal === null) {
        targets.push({ webhook, name: webhook.name, template: null, refusal: null });
      }
    }
  }

  const plan: NotificationPlan = { outbox: [], decisions: [] };
  for (const target of targets) {
    let reason = target.refusal;
    // A template that was not checked for this event type would fail at send time; say so now instead.
    const template = target.template ?? target.webhook?.template;
    if (reason === null && template !== undefined && !serves(template, event.type)) reason = `template ${template} does not serve ${event.type}`;
    if (reason === null && emitted.mutedBy) reason = MUTE_TEXT[emitted.mutedBy] + (emitted.silenceId ? ` (${emitted.silenceId})` : '');
    const decision: NotificationDecision = { webhook: target.name, sent: reason === null, template: target.template };
    if (reason !== null) decision.reason = reason;
    plan.decisions.push(decision);
    if (reason === null) {
      plan.outbox.push({ event, webhook: target.name, template: target.template, orderingKey, alertId });
    }
  }
  return plan;
}
