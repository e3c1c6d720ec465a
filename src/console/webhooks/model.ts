/**
 * The webhook form's state and its two conversions: from the API's (masked) webhook to the form,
 * and from the form to the JSON body of POST/PUT /api/v1/webhooks (schemas/webhooks.schema.json).
 *
 * Secrets are write-only: the API returns them as '********'; sending '********' back keeps the
 * stored secret, so an admin can edit a webhook without ever seeing or retyping its password.
 */
export const MASK = '********';

export const AUTH_TYPES = ['none', 'basic', 'bearer', 'api_key'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];
export const SIGNATURE_TYPES = ['none', 'axibase', 'hmac-sha256', 'standard-webhooks'] as const;
export type SignatureType = (typeof SIGNATURE_TYPES)[number];
export const SECRET_SOURCES = ['value', 'env', 'file'] as const;
export type SecretSource = (typeof SECRET_SOURCES)[number];

export interface SecretField {
  source: SecretSource;
  /** The typed value, env name or file path; '' with `stored` keeps the server's secret. */
  text: string;
  /** The server holds a secret here (it came back masked). */
  stored: boolean;
}

export interface HeaderRow {
  name: string;
  value: string;
}

export interface WebhookForm {
  name: string;
  url: string;
  description: string;
  enabled: boolean;
  /** true: events ['*']. */
  allEvents: boolean;
  events: string[];
  eventsPolicy: 'include' | 'exclude';
  minSeverity: string;
  /** true: rules ['*']. */
  allRules: boolean;
  rules: string[];
  template: string;
  contentType: 'json' | 'form';
  headers: HeaderRow[];
  /** Template parameters (#params.NAME). */
  params: HeaderRow[];
  authType: AuthType;
  authUser: string;
  authPassword: SecretField;
  authToken: SecretField;
  apiKeyHeader: string;
  apiKeyValue: SecretField;
  signatureType: SignatureType;
  signatureSecret: SecretField;
  timeout: string;
  batch: string;
  discardAfter: string;
  lossy: boolean;
  /** Depth at which the webhook is backlogged (and a lossy one drops). */
  outboxLimit: string;
  allowInvalidCerts: boolean;
  caFile: string;
  concurrency: string;
  retryInitial: string;
  retryMax: string;
}

const emptySecret = (): SecretField => ({ source: 'value', text: '', stored: false });

/** A new webhook with the schema's defaults. */
export function emptyForm(): WebhookForm {
  return {
    name: '',
    url: '',
    description: '',
    enabled: true,
    allEvents: false,
    events: ['alert.open', 'alert.cancel'],
    eventsPolicy: 'include',
    minSeverity: 'info',
    allRules: true,
    rules: [],
    template: 'events',
    contentType: 'json',
    headers: [],
    params: [],
    authType: 'none',
    authUser: '',
    authPassword: emptySecret(),
    authToken: emptySecret(),
    apiKeyHeader: '',
    apiKeyValue: emptySecret(),
    signatureType: 'none',
    signatureSecret: emptySecret(),
    timeout: '30s',
    batch: '',
    discardAfter: '5m',
    lossy: false,
    outboxLimit: '10000',
    allowInvalidCerts: false,
    caFile: '',
    concurrency: '16',
    retryInitial: '1s',
    retryMax: '1m',
  };
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown, fallback = '') => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const oneOf = <T extends string>(value: unknown, options: readonly T[], fallback: T): T => (options.includes(value as T) ? (value as T) : fallback);

/** A secret as the API shows it: masked text, { env }, { file }, or { value } (masked). */
export function secretFromApi(value: unknown): SecretField {
  if (typeof value === 'string') return value === '' ? emptySecret() : { source: 'value', text: value === MASK ? '' : value, stored: value === MASK };
  if (isObject(value)) {
    if (typeof value.env === 'string') return { source: 'env', text: value.env === MASK ? '' : value.env, stored: value.env === MASK };
    if (typeof value.file === 'string') return { source: 'file', text: value.file === MASK ? '' : value.file, stored: value.file === MASK };
    if (typeof value.value === 'string') return { source: 'value', text: value.value === MASK ? '' : value.value, stored: value.value === MASK || value.value !== '' };
  }
  return emptySecret();
}

/** A secret for the request body; undefined when nothing was typed and nothing is stored. */
export function secretToApi(field: SecretField): string | { env: string } | { file: string } | undefined {
  const text = field.text.trim();
  if (text === '') return field.stored ? MASK : undefined;
  if (field.source === 'env') return { env: text };
  if (field.source === 'file') return { file: text };
  return field.text;
}

export function formFromWebhook(webhook: unknown): WebhookForm {
  const w = isObject(webhook) ? webhook : {};
  const form = emptyForm();
  const events = strings(w.events);
  const rules = strings(w.rules);
  const auth = isObject(w.auth) ? w.auth : {};
  const signature = isObject(w.signature) ? w.signature : {};
  const retry = isObject(w.retry) ? w.retry : {};
  const pairs = (value: unknown): HeaderRow[] => (isObject(value) ? Object.entries(value).map(([name, text]) => ({ name, value: str(text) })) : []);
  return {
    ...form,
    name: str(w.name),
    url: str(w.url),
    description: str(w.description),
    enabled: w.enabled !== false,
    allEvents: events.length === 0 || events.includes('*'),
    events: events.filter((e) => e !== '*'),
    eventsPolicy: oneOf(w.events_policy, ['include', 'exclude'] as const, 'include'),
    minSeverity: str(w.min_severity, 'info'),
    allRules: rules.length === 0 || rules.includes('*'),
    rules: rules.filter((r) => r !== '*'),
    template: str(w.template, 'events'),
    contentType: oneOf(w.content_type, ['json', 'form'] as const, 'json'),
    headers: pairs(w.headers),
    params: pairs(w.params),
    authType: oneOf(auth.type, AUTH_TYPES, 'none'),
    authUser: str(auth.user),
    authPassword: secretFromApi(auth.password),
    authToken: secretFromApi(auth.token),
    apiKeyHeader: str(auth.header),
    apiKeyValue: secretFromApi(auth.value),
    signatureType: oneOf(signature.type, SIGNATURE_TYPES, 'none'),
    signatureSecret: secretFromApi(signature.secret),
    timeout: str(w.timeout, form.timeout),
    batch: str(w.batch),
    discardAfter: str(w.discard_after, form.discardAfter),
    lossy: w.lossy === true,
    outboxLimit: str(w.outbox_limit, form.outboxLimit),
    allowInvalidCerts: w.allow_invalid_certs === true,
    caFile: str(w.ca_file),
    concurrency: str(w.concurrency, form.concurrency),
    retryInitial: str(retry.initial, form.retryInitial),
    retryMax: str(retry.max, form.retryMax),
  };
}

function authToApi(form: WebhookForm): Json {
  switch (form.authType) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return withDefined({ type: 'basic', user: form.authUser, password: secretToApi(form.authPassword) });
    case 'bearer':
      return withDefined({ type: 'bearer', token: secretToApi(form.authToken) });
    case 'api_key':
      return withDefined({ type: 'api_key', header: form.apiKeyHeader, value: secretToApi(form.apiKeyValue) });
  }
}

/** Drops undefined members, so a missing secret is reported by the API as missing (with its pointer). */
function withDefined(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/**
 * The request body. Text fields go as typed (the API validates and points at mistakes); empty
 * optional fields are left out so the schema's defaults apply.
 */
export function webhookFromForm(form: WebhookForm): Json {
  const pairs = (rows: HeaderRow[]) => Object.fromEntries(rows.filter((row) => row.name.trim() !== '' || row.value !== '').map((row) => [row.name.trim(), row.value]));
  const concurrency = form.concurrency.trim() === '' ? undefined : Number(form.concurrency);
  const outboxLimit = form.outboxLimit.trim() === '' ? undefined : Number(form.outboxLimit);
  return withDefined({
    name: form.name.trim(),
    url: form.url.trim(),
    description: form.description,
    enabled: form.enabled,
    events: form.allEvents ? ['*'] : form.events,
    events_policy: form.eventsPolicy,
    min_severity: form.minSeverity,
    rules: form.allRules ? ['*'] : form.rules,
    template: form.template,
    content_type: form.contentType,
    headers: pairs(form.headers),
    params: pairs(form.params),
    auth: authToApi(form),
    signature: form.signatureType === 'none' ? { type: 'none' } : withDefined({ type: form.signatureType, secret: secretToApi(form.signatureSecret) }),
    timeout: form.timeout.trim() || undefined,
    batch: form.batch.trim() || undefined,
    discard_after: form.discardAfter.trim() || undefined,
    lossy: form.lossy,
    outbox_limit: outboxLimit === undefined || Number.isInteger(outboxLimit) ? outboxLimit : form.outboxLimit,
    allow_invalid_certs: form.allowInvalidCerts,
    ca_file: form.caFile.trim() || undefined,
    // A non-number stays as text so the API's schema error points at the field.
    concurrency: concurrency === undefined ? undefined : Number.isInteger(concurrency) ? concurrency : form.concurrency,
    retry: withDefined({ initial: form.retryInitial.trim() || undefined, max: form.retryMax.trim() || undefined }),
  });
}

/** Same receiver, same selection, same template: probably a copy someone forgot. */
export interface WebhookSummary {
  name: string;
  url: string;
  events?: unknown;
  template?: unknown;
}

function eventKey(events: unknown): string {
  const list = strings(events);
  return (list.length === 0 ? ['*'] : list).slice().sort().join(',');
}

function urlKey(url: string): string {
  const trimmed = url.trim();
  try {
    const parsed = new URL(trimmed);
    return parsed.href;
  } catch {
    return trimmed;
  }
}

/** Names of other webhooks with the same URL, events and template as `form`. */
export function duplicatesOf(form: WebhookForm, others: readonly WebhookSummary[], editing: string | null): string[] {
  if (form.url.trim() === '') return [];
  const body = webhookFromForm(form);
  const key = `${urlKey(form.url)}|${eventKey(body.events)}|${form.template}`;
  return others
    .filter((other) => other.name !== editing)
    .filter((other) => `${urlKey(other.url)}|${eventKey(other.events)}|${str(other.template, 'events')}` === key)
    .map((other) => other.name);
}
