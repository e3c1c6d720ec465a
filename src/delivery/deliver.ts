/**
 * The one path every delivery takes, shared by the outbox worker and the webhook test: build the
 * request (auth, signature) for a composed body and send it. A request that cannot be built (an
 * unreadable secret) becomes an attempt with an error, like a network failure, never an exception.
 */
import type { AttemptResult } from './attempt.js';
import type { ComposedBody } from './compose.js';
import { describeError, type DeliveryErrorInfo } from './errors.js';
import type { Clock } from './ports.js';
import { buildRequest, type OutgoingRequest } from './request.js';
import type { SecretResolver } from './secrets.js';
import type { Sender } from './sender.js';
import type { Webhook } from './webhook.js';

export interface SendDeps {
  sender: Sender;
  clock: Clock;
  secrets: SecretResolver;
}

/** An attempt that never reached the network. */
export function unsentAttempt(webhook: Webhook, ids: { messageId: string; eventIds: string[] }, time: number, error: DeliveryErrorInfo): AttemptResult {
  return {
    webhook: webhook.name,
    url: webhook.url,
    messageId: ids.messageId,
    eventIds: ids.eventIds,
    time,
    statusCode: null,
    latencyMs: 0,
    responseHeaders: {},
    responseBody: '',
    responseTruncated: false,
    error,
    ok: false,
  };
}

export async function sendComposed(webhook: Webhook, composed: ComposedBody, deps: SendDeps): Promise<AttemptResult> {
  const now = deps.clock.now();
  const meta = { messageId: composed.messageId, eventIds: composed.eventIds };
  let outgoing: OutgoingRequest;
  try {
    outgoing = buildRequest(webhook, composed, now, deps.secrets);
  } catch (error) {
    return unsentAttempt(webhook, meta, now, describeError(error));
  }
  return deps.sender.send(webhook, outgoing, meta);
}
