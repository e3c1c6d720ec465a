/**
 * Views of delivery data shown to readers: receivers sometimes echo requests back (debug endpoints,
 * httpbin), so attempts may hold webhook credentials. Every literal secret of every webhook in
 * force is masked, besides anything that looks like a credential by key or pattern.
 */
import { MASK } from '../delivery/secrets.js';
import type { Webhook } from '../delivery/webhook.js';
import type { Runtime } from '../service/runtime.js';
import { redactSecrets } from './access.js';

function secretsOf(webhook: Webhook): string[] {
  const refs = [webhook.signature.type === 'none' ? null : webhook.signature.secret];
  const auth = webhook.auth;
  if (auth.type === 'basic') refs.push(auth.password);
  if (auth.type === 'bearer') refs.push(auth.token);
  if (auth.type === 'api_key') refs.push(auth.value);
  // Very short values would mask ordinary words of a response; they are not secrets worth the name.
  return refs.flatMap((ref) => (ref !== null && 'value' in ref && ref.value.length >= 4 ? [ref.value] : []));
}

/** Every literal secret of the webhooks in force: several webhooks may share one receiver. */
export function knownSecrets(runtime: Runtime): string[] {
  return [...runtime.configuration.webhooks.values()].flatMap(secretsOf);
}

/** A copy of `value` with credentials (by key and by pattern) and the given secret texts masked. */
export function scrubSecrets(value: unknown, secrets: readonly string[]): unknown {
  const redacted = redactSecrets(value);
  if (secrets.length === 0) return redacted;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return secrets.reduce((text, secret) => text.split(secret).join(MASK), item);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    return item;
  };
  return walk(redacted);
}

