import { describe, expect, it } from 'vitest';
import { planNotifications } from '../../src/service/notify.js';
import { parseWebhook, type Webhook } from '../../src/delivery/webhook.js';
import { sampleEvent } from '../../src/templates/index.js';
import type { EmittedEvent } from '../../src/engine/engine.js';

function webhook(config: Record<string, unknown>): Webhook {
  const parsed = parseWebhook({ url: 'http://127.0.0.1:9/', ...config });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.webhook;
}

const open = (notify: EmittedEvent['notify'] = [], extra: Partial<EmittedEvent> = {}): EmittedEvent => ({ event: sampleEvent('alert.open'), rule: 'cpu-high', notify, ...extra });

describe('notification routing', () => {
  const hooks = new Map<string, Webhook>([
    ['all', webhook({ name: 'all' })],
    ['chat', webhook({ name: 'chat', events: ['alert.open', 'alert.cancel'] })],
    ['db-only', webhook({ name: 'db-only', rules: ['disk-full'] })],
    ['off', webhook({ name: 'off', enabled: false })],
  ]);

  it('without notify: every webhook whose selection takes the event', () => {
    const plan = planNotifications(open(), hooks);
    expect(plan.outbox.map((o) => o.webhook).sort()).toEqual(['all', 'chat']);
    // Ordered per series (rule + series key), not per alert episode (issue 13).
    const data = sampleEvent('alert.open').data as { rule: string; series_key: string; alert_id: string };
    expect(plan.outbox[0]!.orderingKey).toBe(JSON.stringify([data.rule, data.series_key]));
    expect(plan.outbox[0]!.alertId).toBe(data.alert_id);
  });

  it('gives the next episode of a series the same ordering key as the one before', () => {
    const first = open();
    const data = first.event.data as { alert_id: string };
    const second = { ...first, event: { ...first.event, id: 'other', data: { ...first.event.data, alert_id: `${data.alert_id}-2` } } };
    const keys = [first, second].map((emitted) => planNotifications(emitted, hooks).outbox[0]!.orderingKey);
    expect(keys[0]).toBe(keys[1]);
  });

  it('with notify: only the listed webhooks, filtered by on:, with the target template', () => {
    const plan = planNotifications(open([{ webhook: 'db-only', on: ['open'], template: 'slack' }, { webhook: 'chat', on: ['cancel'] }, { webhook: 'ghost', on: ['open'] }]), hooks);
    expect(plan.outbox.map((o) => [o.webhook, o.template])).toEqual([['db-only', 'slack']]);
    expect(plan.decisions.filter((d) => !d.sent).map((d) => d.reason)).toEqual(["status open not in the rule's notify.on", 'no webhook named ghost']);
  });

  it('muted events queue nothing and say why', () => {
    const plan = planNotifications(open([], { mutedBy: 'silence', silenceId: 's-1' }), hooks);
    expect(plan.outbox).toEqual([]);
    expect(plan.decisions.map((d) => d.reason)).toEqual(['muted: silenced (s-1)', 'muted: silenced (s-1)', 'webhook disabled']);
  });

  it('does not queue an event the template cannot render', () => {
    const plan = planNotifications(open(), hooks, (template) => template !== 'events');
    expect(plan.outbox).toEqual([]);
    expect(plan.decisions.map((d) => d.reason)).toEqual(['template events does not serve alert.open', 'template events does not serve alert.open', 'webhook disabled']);
  });
});
