/**
 * What the API shows of a webhook: every option as configured, secret values masked. Env and file
 * references stay visible: they say where a secret is, not what it is.
 */
import { isMasked, maskSecret } from './secrets.js';
import type { MaskedWebhook, Webhook, WebhookAuth } from './webhook.js';

/** The webhook as the API shows it: secret values replaced by '********'. */
export function maskWebhook(webhook: Webhook): MaskedWebhook {
  const { timing: _timing, batch, ca_file, auth, signature, ...rest } = webhook;
  const masked: MaskedWebhook = {
    ...rest,
    events: [...rest.events],
    rules: [...rest.rules],
    headers: { ...rest.headers },
    retry: { ...rest.retry },
    auth: maskAuth(auth),
    signature: signature.type === 'none' ? { type: 'none' } : { type: signature.type, secret: maskSecret(signature.secret) },
  };
  if (batch !== null) masked.batch = batch;
  if (ca_file !== null) masked.ca_file = ca_file;
  return masked;
}

function maskAuth(auth: WebhookAuth): WebhookAuth {
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', user: auth.user, password: maskSecret(auth.password) };
    case 'bearer':
      return { type: 'bearer', token: maskSecret(auth.token) };
    case 'api_key':
      return { type: 'api_key', header: auth.header, value: maskSecret(auth.value) };
  }
}

/**
 * An API client edits what GET returned, masks included; a masked secret in the update means
 * "keep the current one". Returns a copy of `input` with those secrets taken from `previous`.
 */
export function restoreMaskedSecrets(input: unknown, previous: Webhook): unknown {
  if (input === null || typeof input !== 'object') return input;
  const copy = structuredClone(input) as Record<string, unknown>;
  const auth = copy.auth as Record<string, unknown> | undefined;
  if (auth && typeof auth === 'object' && auth.type === previous.auth.type) {
    const current = previous.auth as Record<string, unknown>;
    for (const key of ['password', 'token', 'value']) {
      if (isMasked(auth[key]) && current[key] !== undefined) auth[key] = current[key];
    }
  }
  const signature = copy.signature as Record<string, unknown> | undefined;
  if (signature && typeof signature === 'object' && previous.signature.type !== 'none' && isMasked(signature.secret)) {
    signature.secret = previous.signature.secret;
  }
  return copy;
}

