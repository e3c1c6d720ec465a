/** Delivery (SPEC §6): the webhook model, the outbox worker and its pure parts. */
export { admissionPlan, admit, DEFAULT_OUTBOX_LIMIT, type AdmissionResult } from './admission.js';
export { attemptSummary, isSuccessStatus, RESPONSE_BODY_LIMIT, type AttemptResult } from './attempt.js';
export { authHeaders } from './auth.js';
export { composeBatch, composeSingle, renderNotification, type ComposedBody, type Notification } from './compose.js';
export { DEFAULT_DENY, EgressGuard, systemResolver, type EgressPolicy, type Resolver } from './egress.js';
export { DELIVERY_ERROR_CODES, DeliveryError, describeError, type DeliveryErrorCode } from './errors.js';
export { deliveryFailedEvent } from './failed-event.js';
export type { AttemptLog, ClaimedRow, Clock, EventSink, Logger, OutboxDepthPort, OutboxPort, RenderedBody, Renderer, Settlement, WebhookDirectory } from './ports.js';
export { buildRequest, USER_AGENT, type OutgoingRequest } from './request.js';
export { backoffMs, isRetryable, parseRetryAfter, retryDecision, type RetryDecision } from './retry.js';
export { createSecretResolver, MASK, type SecretRef, type SecretResolver } from './secrets.js';
export { HttpSender, type Sender } from './sender.js';
export { axibaseSignature, hmacSha256Signature, standardWebhooksSignature } from './signing.js';
export { testWebhook, webhookTestEvent } from './test.js';
export {
  findDuplicateWebhooks,
  maskWebhook,
  parseWebhook,
  parseWebhooks,
  restoreMaskedSecrets,
  webhookAccepts,
  webhookRefusal,
  type MaskedWebhook,
  type Webhook,
  type WebhookProblem,
} from './webhook.js';
export { DeliveryWorker, type WorkerDeps, type WorkerOptions } from './worker.js';
