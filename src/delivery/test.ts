/**
 * The webhook test (SPEC §6; the "Test webhook" button of the IBM, Axibase and Elastio seeds): a
 * `webhook.test` event sent once through the real path — template, auth, signature, TLS, egress
 * guard — with status, latency and the response returned. No retries and no outbox: the person
 * pressing the button wants the answer now. A disabled webhook can be tested (before enabling it).
 */
import { randomUUID } from 'node:crypto';
import { deterministicUuidV7 } from '../model/ids.js';
import { EVENT_VERSIONS, type TocsinEvent, type WebhookTestData } from '../model/event.js';
import type { AttemptResult } from './attempt.js';
import { composeBatch, composeSingle, renderNotification, type ComposedBody } from './compose.js';
import { sendComposed, unsentAttempt } from './deliver.js';
import { describeError } from './errors.js';
import { systemClock, type Clock, type Renderer } from './ports.js';
import { createSecretResolver, type SecretResolver } from './secrets.js';
import type { Sender } from './sender.js';
import type { Webhook } from './webhook.js';

export interface WebhookTestDeps {
  renderer: Renderer;
  sender: Sender;
  clock?: Clock;
  secrets?: SecretResolver;
  /** Id of the test event; a fresh UUIDv7 by default. */
  newId?: (now: number) => string;
}

export function webhookTestEvent(webhook: Webhook, id: string, now: number): TocsinEvent<WebhookTestData> {
  return {
    id,
    type: 'webhook.test',
    version: EVENT_VERSIONS['webhook.test'],
    time: new Date(now).toISOString(),
    severity: 'info',
    data: { webhook: webhook.name, message: `Test event for webhook '${webhook.name}' from tocsin` },
  };
}

export async function testWebhook(webhook: Webhook, deps: WebhookTestDeps): Promise<AttemptResult> {
  const clock = deps.clock ?? systemClock;
  const now = clock.now();
  const id = (deps.newId ?? ((time: number) => deterministicUuidV7(time, randomUUID())))(now);
  const event = webhookTestEvent(webhook, id, now) as TocsinEvent;
  let composed: ComposedBody;
  try {
    const rendered = renderNotification(webhook, { event, template: null }, deps.renderer);
    composed = webhook.timing.batchMs > 0 ? composeBatch([event], [rendered]) : composeSingle(webhook, event, rendered, deps.renderer);
  } catch (error) {
    return unsentAttempt(webhook, { messageId: id, eventIds: [id] }, now, describeError(error));
  }
  return sendComposed(webhook, composed, { sender: deps.sender, clock, secrets: deps.secrets ?? createSecretResolver() });
}
