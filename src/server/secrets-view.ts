/**
 * Views of delivery data shown to readers: receivers sometimes echo requests back (debug endpoints,
 * httpbin), so attempts may hold webhook credentials. Every secret of every webhook in force is
 * masked — literal values, and the values that `{ env }` and `{ file }` references resolve to — as
 * are custom header values and URL credentials (issue 14 item 4), besides anything that looks like a
 * credential by key or pattern.
 */
import { createSecretResolver, MASK, type SecretRef, type SecretResolver } from '../delivery/secrets.js';
import type { Webhook } from '../delivery/webhook.js';
import type { Runtime } from '../service/runtime.js';
import { redactSecrets } from './access.js';

// Very short values would mask ordinary words of a response; they are not secrets worth the name.
const MIN_SECRET = 4;
// Header values and URL query values are only sometimes credentials ('X-Team: infra', '?v=2'): a
// credential is longer than this, and shorter values are more likely words a response needs.
const MIN_INCIDENTAL = 8;

function secretRefsOf(webhook: Webhook): SecretRef[] {
  const refs: SecretRef[] = webhook.signature.type === 'none' ? [] : [webhook.signature.secret];
  const auth = webhook.auth;
  if (auth.type === 'basic') refs.push(auth.password);
  if (auth.type === 'bearer') refs.push(auth.token);
  if (auth.type === 'api_key') refs.push(auth.value);
  return refs;
}

/** A secret's value as delivery would read it; null when it cannot be read (then it was never sent). */
function resolved(ref: SecretRef, resolve: SecretResolver): string | null {
  try {
    return resolve(ref, 'scrub list');
  } catch {
    return null;
  }
}

/** Query values (as written and decoded), the fragment and the user info of a URL. */
function urlCredentials(url: string): string[] {
  const values: string[] = [];
  const hashAt = url.indexOf('#');
  if (hashAt !== -1) values.push(url.slice(hashAt + 1));
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  if (queryAt !== -1) {
    for (const part of beforeHash.slice(queryAt + 1).split('&')) {
      const value = part.includes('=') ? part.slice(part.indexOf('=') + 1) : part;
      values.push(value);
      try {
        values.push(decodeURIComponent(value.replace(/\+/g, ' ')));
      } catch {
        // not percent-encoded text: the raw value is on the list already
      }
    }
  }
  try {
    const parsed = new URL(url);
    values.push(decodeURIComponent(parsed.username), decodeURIComponent(parsed.password));
  } catch {
    // a URL the model accepted always parses
  }
  return values;
}

function secretsOf(webhook: Webhook, resolve: SecretResolver): string[] {
  const declared = secretRefsOf(webhook).map((ref) => resolved(ref, resolve))
    .filter((value): value is string => value !== null && value.length >= MIN_SECRET);
  const incidental = [...Object.values(webhook.headers), ...urlCredentials(webhook.url)]
    .filter((value) => value.length >= MIN_INCIDENTAL);
  return [...declared, ...incidental];
}

/**
 * Every secret of the webhooks in force: several webhooks may share one receiver. Env and file
 * secrets are read as delivery reads them, at each call, so a rotated secret is masked too.
 */
export function knownSecrets(runtime: Runtime, resolve: SecretResolver = createSecretResolver()): string[] {
  const all = [...runtime.configuration.webhooks.values()].flatMap((webhook) => secretsOf(webhook, resolve));
  // Longest first: a secret that contains another is masked whole, not around the shorter one.
  return [...new Set(all)].sort((a, b) => b.length - a.length);
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

