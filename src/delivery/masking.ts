/**
 * What the API shows of a webhook: every option as configured, secret values masked. Env and file
 * references stay visible: they say where a secret is, not what it is.
 *
 * Credentials also hide where no schema marks them (issue 14 item 4): in the URL (user info, query
 * values such as ?token=…, the fragment) and in custom header values. Those are masked too unless
 * the caller may see them and asks (`reveal`: admins with ?reveal=true); the names stay visible.
 */
import { isMasked, MASK, maskSecret } from './secrets.js';
import type { MaskedWebhook, Webhook, WebhookAuth } from './webhook.js';

export interface MaskOptions {
  /** Show the URL and header values as configured (secret values stay masked whatever this says). */
  reveal?: boolean;
}

/** The parts of a URL's text: everything before the query, the query (without '?'), the fragment (without '#'). */
function urlParts(url: string): { base: string; query: string | null; fragment: string | null } {
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  return {
    base: queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt),
    query: queryAt === -1 ? null : beforeHash.slice(queryAt + 1),
    fragment: hashAt === -1 ? null : url.slice(hashAt + 1),
  };
}

const maskQuery = (query: string): string =>
  query.split('&').map((part) => {
    const equals = part.indexOf('=');
    // A bare `?abc123` may be a key as much as a flag: only an empty part shows nothing.
    if (equals === -1) return part === '' ? '' : MASK;
    return `${part.slice(0, equals)}=${MASK}`;
  }).join('&');

/**
 * A URL without its credentials: user info, every query value and the fragment become '********';
 * scheme, host, port, path and query names stay as written. Text that is not a URL is masked whole.
 */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return MASK;
  }
  let text = url;
  // Rare (the model refuses user info), so the parser's normalised form is acceptable here.
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = MASK;
    parsed.password = '';
    text = parsed.href;
  }
  const { base, query, fragment } = urlParts(text);
  const maskedQuery = query === null ? '' : `?${maskQuery(query)}`;
  return `${base}${maskedQuery}${fragment === null || fragment === '' ? '' : `#${MASK}`}`;
}

function maskHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, MASK]));
}

/** The webhook as the API shows it: secret values, URL credentials and header values replaced by '********'. */
export function maskWebhook(webhook: Webhook, options: MaskOptions = {}): MaskedWebhook {
  const { timing: _timing, batch, ca_file, auth, signature, ...rest } = webhook;
  const masked: MaskedWebhook = {
    ...rest,
    url: options.reveal ? rest.url : maskUrl(rest.url),
    events: [...rest.events],
    rules: [...rest.rules],
    headers: options.reveal ? { ...rest.headers } : maskHeaders(rest.headers),
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
 * A URL edited from its masked form: the masked query, fragment and user info of `previous` stand
 * for the stored ones, so an admin may change the path of a URL whose token they never saw.
 */
function restoreUrl(url: string, previous: string): string {
  if (!url.includes(MASK)) return url;
  if (url === maskUrl(previous)) return previous;
  const shown = urlParts(maskUrl(previous));
  const stored = urlParts(previous);
  const edited = urlParts(url);
  let base = edited.base;
  const userInfo = /^([a-z][a-z0-9+.-]*:\/\/)\*{8}@/i;
  if (userInfo.test(base) && maskUrl(previous) !== previous) {
    const storedInfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*@)/i.exec(previous)?.[1];
    if (storedInfo !== undefined) base = base.replace(userInfo, `$1${storedInfo}`);
  }
  const query = edited.query !== null && edited.query === shown.query ? stored.query : edited.query;
  const fragment = edited.fragment !== null && edited.fragment === shown.fragment ? stored.fragment : edited.fragment;
  return `${base}${query === null ? '' : `?${query}`}${fragment === null ? '' : `#${fragment}`}`;
}

/**
 * An API client edits what GET returned, masks included; a masked secret in the update means
 * "keep the current one" — as does a masked header value (same header name, any case) and the masked
 * parts of the URL. Returns a copy of `input` with those taken from `previous`.
 */
export function restoreMaskedSecrets(input: unknown, previous: Webhook): unknown {
  if (input === null || typeof input !== 'object') return input;
  const copy = structuredClone(input) as Record<string, unknown>;
  if (typeof copy.url === 'string') copy.url = restoreUrl(copy.url, previous.url);
  const headers = copy.headers;
  if (headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
    const stored = new Map(Object.entries(previous.headers).map(([name, value]) => [name.toLowerCase(), value]));
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      const kept = stored.get(name.toLowerCase());
      if (value === MASK && kept !== undefined) (headers as Record<string, unknown>)[name] = kept;
    }
  }
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

