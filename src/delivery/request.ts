/**
 * The headers of one delivery request, assembled in a fixed order: custom headers, then what tocsin
 * owns (content type, user agent, idempotency, auth, signature). Pure apart from reading secrets
 * through the injected resolver.
 */
import { VERSION } from '../model/version.js';
import { authHeaders } from './auth.js';
import type { ComposedBody } from './compose.js';
import type { SecretResolver } from './secrets.js';
import { signatureHeaders } from './signing.js';
import type { Webhook } from './webhook.js';

export const USER_AGENT = `tocsin/${VERSION}`;

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function buildRequest(webhook: Webhook, composed: ComposedBody, nowMs: number, resolve: SecretResolver): OutgoingRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(webhook.headers)) headers[name.toLowerCase()] = value;
  Object.assign(headers, {
    'content-type': composed.contentType,
    'user-agent': USER_AGENT,
    // Receivers drop duplicates by these (delivery is at-least-once).
    'webhook-id': composed.messageId,
    'idempotency-key': composed.messageId,
  });
  Object.assign(headers, authHeaders(webhook.auth, resolve));
  Object.assign(
    headers,
    signatureHeaders(
      webhook.signature,
      { body: composed.body, axibasePayload: composed.axibasePayload, messageId: composed.messageId, timestampSec: Math.floor(nowMs / 1000) },
      resolve,
    ),
  );
  return { url: webhook.url, headers, body: composed.body };
}
