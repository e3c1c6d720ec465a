/**
 * Body signatures (SPEC §6), pure functions of the secret and the bytes sent:
 *
 * - axibase:           `x-axi-signature: sha1=<lowercase hex HMAC-SHA1>` of the body; for form bodies
 *                      of the parameters sorted by name, URL-encoded, joined with '&' (Axibase seed).
 * - hmac-sha256:       `X-Signature: <base64 HMAC-SHA256>` of the body (Stalwart seed).
 * - standard-webhooks: `webhook-id`, `webhook-timestamp` (seconds) and
 *                      `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed with
 *                      the base64 bytes of a `whsec_…` secret (standardwebhooks.com).
 */
import { createHmac } from 'node:crypto';
import { DeliveryError } from './errors.js';
import type { SecretResolver } from './secrets.js';
import type { WebhookSignature } from './webhook.js';

export interface SigningInput {
  /** The exact body sent. */
  body: string;
  /** What Axibase signs: the body, or for form bodies the canonical parameter string. */
  axibasePayload: string;
  /** The `webhook-id` sent with the request. */
  messageId: string;
  /** Unix seconds (from the injected clock). */
  timestampSec: number;
}

export function axibaseSignature(secret: string, payload: string): string {
  return `sha1=${createHmac('sha1', secret).update(payload, 'utf8').digest('hex')}`;
}

export function hmacSha256Signature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

const STANDARD_SECRET = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key bytes of a Standard Webhooks secret: base64, with or without the `whsec_` prefix. */
export function standardWebhooksKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (!STANDARD_SECRET.test(encoded) || key.length === 0) {
    throw new DeliveryError('secret_unavailable', 'signature.secret: a Standard Webhooks secret must be whsec_ followed by base64');
  }
  return key;
}

export function standardWebhooksSignature(secret: string, messageId: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', standardWebhooksKey(secret)).update(`${messageId}.${timestampSec}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

export function signatureHeaders(signature: WebhookSignature, input: SigningInput, resolve: SecretResolver): Record<string, string> {
  if (signature.type === 'none') return {};
  const secret = resolve(signature.secret, 'signature.secret');
  switch (signature.type) {
    case 'axibase':
      return { 'x-axi-signature': axibaseSignature(secret, input.axibasePayload) };
    case 'hmac-sha256':
      return { 'x-signature': hmacSha256Signature(secret, input.body) };
    case 'standard-webhooks':
      return {
        'webhook-timestamp': String(input.timestampSec),
        'webhook-signature': standardWebhooksSignature(secret, input.messageId, input.timestampSec, input.body),
      };
  }
}
