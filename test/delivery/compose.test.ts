import { describe, expect, it } from 'vitest';
import { composeBatch, composeSingle, renderNotification } from '../../src/delivery/compose.js';
import { DeliveryError } from '../../src/delivery/errors.js';
import { FakeRenderer, makeEvent, makeWebhook } from './helpers/fakes.js';

const renderer = new FakeRenderer();

describe('one event, one body', () => {
  it('uses the event id as message id and the rendered body as is', () => {
    const webhook = makeWebhook({ template: 'slack' });
    const event = makeEvent();
    const composed = composeSingle(webhook, event, renderNotification(webhook, { event, template: null }, renderer), renderer);
    expect(composed.messageId).toBe(event.id);
    expect(JSON.parse(composed.body)).toMatchObject({ template: 'slack', id: event.id });
    expect(composed.axibasePayload).toBe(composed.body);
  });

  it("prefers the rule's template over the webhook's", () => {
    const webhook = makeWebhook({ template: 'slack' });
    const rendered = renderNotification(webhook, { event: makeEvent(), template: 'teams' }, renderer);
    expect(JSON.parse(rendered.body)).toMatchObject({ template: 'teams' });
  });

  it('signs the canonical parameter string of a form body (Axibase)', () => {
    const webhook = makeWebhook({ content_type: 'form' });
    const event = makeEvent();
    const composed = composeSingle(webhook, event, renderNotification(webhook, { event, template: null }, renderer), renderer);
    expect(composed.axibasePayload).toBe(renderer.formSigningString(composed.body));
    expect(composed.axibasePayload).not.toBe(composed.body);
  });

  it('turns a template failure into render_failed', () => {
    const webhook = makeWebhook({ template: 'broken' });
    expect(() => renderNotification(webhook, { event: makeEvent(), template: null }, renderer)).toThrow(DeliveryError);
  });
});

describe('several events, one {"events": [...]} body', () => {
  const events = [makeEvent(), makeEvent()];

  it('merges the envelopes of the events preset into one flat list', () => {
    const webhook = makeWebhook({ template: 'events', batch: '1s' });
    const rendered = events.map((event) => renderNotification(webhook, { event, template: null }, renderer));
    const body = JSON.parse(composeBatch(events, rendered).body) as { events: Array<{ id: string }> };
    expect(body.events.map((item) => item.id)).toEqual(events.map((event) => event.id));
  });

  it('wraps any other rendered JSON as one element each', () => {
    const webhook = makeWebhook({ template: 'slack', batch: '1s' });
    const rendered = events.map((event) => renderNotification(webhook, { event, template: null }, renderer));
    const body = JSON.parse(composeBatch(events, rendered).body) as { events: Array<{ template: string }> };
    expect(body.events).toHaveLength(2);
    expect(body.events[0]?.template).toBe('slack');
  });

  it('derives a stable message id from the events, different from each event id', () => {
    const webhook = makeWebhook({ batch: '1s' });
    const rendered = events.map((event) => renderNotification(webhook, { event, template: null }, renderer));
    const first = composeBatch(events, rendered);
    expect(composeBatch(events, rendered).messageId).toBe(first.messageId);
    expect(events.map((event) => event.id)).not.toContain(first.messageId);
    expect(composeBatch([...events].reverse(), [...rendered].reverse()).messageId).not.toBe(first.messageId);
  });
});

describe('template settings', () => {
  it('renders with the webhook as #receiver and its params (the PagerDuty routing key)', async () => {
    const { createRenderer, presetTemplate, sampleEvent } = await import('../../src/templates/index.js');
    const renderer = createRenderer({ get: presetTemplate });
    const webhook = { ...makeWebhook({ name: 'pager', template: 'pagerduty' }), params: { routing_key: 'R0UT1NGKEY' } };
    const rendered = renderNotification(webhook, { event: sampleEvent('alert.open'), template: null }, renderer);
    expect(JSON.parse(rendered.body)).toMatchObject({ routing_key: 'R0UT1NGKEY', event_action: 'trigger' });
  });
});
