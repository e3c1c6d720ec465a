/**
 * Request headers for each auth type (SPEC §6): basic, bearer, api_key. Secrets are resolved at
 * each use; a value read from env or a file must meet the same rule as an inline one (≤ 255 bytes
 * of printable ASCII, as in the Elastio seed), because a newline in it would split the header.
 */
import { DeliveryError } from './errors.js';
import type { SecretRef, SecretResolver } from './secrets.js';
import type { WebhookAuth } from './webhook.js';

const AUTH_TEXT = /^[\x20-\x7e]{1,255}$/;

function authValue(ref: SecretRef, where: string, resolve: SecretResolver): string {
  const value = resolve(ref, where);
  if (!AUTH_TEXT.test(value)) {
    throw new DeliveryError('secret_unavailable', `${where}: the value must be 1 to 255 printable ASCII characters (no newlines or non-ASCII)`);
  }
  return value;
}

export function authHeaders(auth: WebhookAuth, resolve: SecretResolver): Record<string, string> {
  switch (auth.type) {
    case 'none':
      return {};
    case 'basic': {
      const password = authValue(auth.password, 'auth.password', resolve);
      return { authorization: `Basic ${Buffer.from(`${auth.user}:${password}`, 'latin1').toString('base64')}` };
    }
    case 'bearer':
      return { authorization: `Bearer ${authValue(auth.token, 'auth.token', resolve)}` };
    case 'api_key':
      return { [auth.header.toLowerCase()]: authValue(auth.value, 'auth.value', resolve) };
  }
}
