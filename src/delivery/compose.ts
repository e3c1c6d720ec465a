/**
 * From events to the bytes of one request: render each event with its template, then either send
 * it alone or, for a webhook with `batch`, wrap several in the `{"events": [...]}` envelope (the
 * Stalwart seed's shape).
 */
import { deterministicUuidV7 } from '../model/ids.js';
import type { TocsinEvent } from '../model/event.js';
import { DeliveryError } from './errors.js';
import type { RenderedBody, Renderer } from './ports.js';
import type { Webhook } from './webhook.js';

export interface Notification {
  event: TocsinEvent;
  /** Overrides the webhook's template (a rule's `notify: template:`). */
  template: string | null;
}

export interface ComposedBody {
  body: string;
  contentType: string;
  /** What an Axibase signature covers: the body, or the canonical parameter string of a form body. */
  axibasePayload: string;
  /** Sent as webhook-id and Idempotency-Key. */
  messageId: string;
  eventIds: string[];
}

/** Renders one notification; a template that throws becomes a `render_failed` error value. */
export function renderNotification(webhook: Webhook, notification: Notification, renderer: Renderer): RenderedBody {
  const template = notification.template ?? webhook.template;
  try {
    return renderer.render(template, notification.event, webhook.content_type, { receiver: webhook.name, params: webhook.params });
  } catch (error) {
    throw new DeliveryError('render_failed', `template '${template}' failed for ${notification.event.type} ${notification.event.id}: ${(error as Error).message}`);
  }
}

export function composeSingle(webhook: Webhook, event: TocsinEvent, rendered: RenderedBody, renderer: Renderer): ComposedBody {
  return {
    body: rendered.body,
    contentType: rendered.contentType,
    axibasePayload: webhook.content_type === 'form' ? renderer.formSigningString(rendered.body) : rendered.body,
    messageId: event.id,
    eventIds: [event.id],
  };
}

function isEnvelope(value: unknown): value is { events: unknown[] } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && Array.isArray((value as { events?: unknown }).events);
}

/**
 * One body for several events. A template that already renders the envelope (the `events` preset)
 * has its lists merged, so receivers always see one flat `events` array; any other rendered JSON
 * becomes one element of it.
 */
export function composeBatch(events: readonly TocsinEvent[], rendered: readonly RenderedBody[]): ComposedBody {
  const first = events[0];
  if (first === undefined || events.length !== rendered.length) throw new Error('composeBatch: one rendered body per event, at least one');
  const items: unknown[] = [];
  rendered.forEach((part, index) => {
    let value: unknown;
    try {
      value = JSON.parse(part.body);
    } catch (error) {
      throw new DeliveryError('render_failed', `event ${events[index]?.id ?? '?'}: a batched body must be JSON: ${(error as Error).message}`);
    }
    if (isEnvelope(value)) items.push(...value.events);
    else items.push(value);
  });
  const body = JSON.stringify({ events: items });
  const eventIds = events.map((event) => event.id);
  return {
    body,
    contentType: rendered[0]?.contentType ?? 'application/json',
    axibasePayload: body,
    // The same events batched again (a retry) get the same id, so receivers can drop the duplicate.
    messageId: deterministicUuidV7(Date.parse(first.time) || 0, `batch\u0000${eventIds.join('\u0000')}`),
    eventIds,
  };
}
