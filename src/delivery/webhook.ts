/**
 * The webhook model (SPEC §6): validated against schemas/webhooks.schema.json (which also holds
 * every default), then checked for what a schema cannot say (URL, durations, header conflicts,
 * the Elastio limits on auth values), and turned into a typed `Webhook`. Which events a webhook
 * takes is in selection.ts; what the API shows of it, in masking.ts.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseDuration } from '../model/duration.js';
import type { Severity } from '../model/severity.js';
import { optionName, schemaProblems, type WebhookProblem } from './schema-problems.js';
import { toSecretRef, type SecretRef } from './secrets.js';
import { findDuplicateWebhooks } from './selection.js';

export type { WebhookProblem } from './schema-problems.js';
// The model's other faces live in their own files; importers may take them from here.
export { maskWebhook, restoreMaskedSecrets } from './masking.js';
export { findDuplicateWebhooks, webhookAccepts, webhookRefusal } from './selection.js';

export type ContentType = 'json' | 'form';
export type SignatureScheme = 'axibase' | 'hmac-sha256' | 'standard-webhooks';

export type WebhookAuth =
  | { type: 'none' }
  | { type: 'basic'; user: string; password: SecretRef }
  | { type: 'bearer'; token: SecretRef }
  | { type: 'api_key'; header: string; value: SecretRef };

export type WebhookSignature = { type: 'none' } | { type: SignatureScheme; secret: SecretRef };

/** Durations of a webhook in milliseconds, derived once from the text options. */
export interface WebhookTiming {
  timeoutMs: number;
  /** 0: no batching, one request per event. */
  batchMs: number;
  discardAfterMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

export interface Webhook {
  name: string;
  url: string;
  description: string;
  enabled: boolean;
  /** Event types, or '*'. */
  events: string[];
  events_policy: 'include' | 'exclude';
  min_severity: Severity;
  /** Rule names, or '*'. */
  rules: string[];
  template: string;
  content_type: ContentType;
  headers: Record<string, string>;
  /** Template parameters (#params.NAME). */
  params: Record<string, string>;
  auth: WebhookAuth;
  signature: WebhookSignature;
  timeout: string;
  batch: string | null;
  discard_after: string;
  lossy: boolean;
  /** Depth at which the webhook is backlogged (a lossy one then drops its oldest notifications). */
  outbox_limit: number;
  allow_invalid_certs: boolean;
  /** Absolute path once parsed with a base directory. */
  ca_file: string | null;
  concurrency: number;
  retry: { initial: string; max: string };
  timing: WebhookTiming;
}

/** The JSON the API returns: the options as configured, secret values masked. */
export type MaskedWebhook = Omit<Webhook, 'timing' | 'batch' | 'ca_file'> & { batch?: string; ca_file?: string };

/** The schema's shape after ajv applied the defaults: the options as written, secrets not yet parsed. */
interface WebhookInput extends Omit<Webhook, 'auth' | 'signature' | 'batch' | 'ca_file' | 'timing'> {
  auth: { type: WebhookAuth['type']; user?: string; password?: string | SecretRef; token?: string | SecretRef; header?: string; value?: string | SecretRef };
  signature: { type: 'none' | SignatureScheme; secret?: string | SecretRef };
  batch?: string;
  ca_file?: string;
}

export const WEBHOOKS_SCHEMA_ID = 'https://tocsin.dev/schemas/webhooks.schema.json';

const WEBHOOKS_SCHEMA: object = JSON.parse(readFileSync(new URL('../../schemas/webhooks.schema.json', import.meta.url), 'utf8')) as object;

/** `outbox_limit` of a webhook that does not say, from the schema (also for rows of a deleted webhook). */
export const DEFAULT_OUTBOX_LIMIT: number = (
  WEBHOOKS_SCHEMA as { definitions: { webhook: { properties: { outbox_limit: { default: number } } } } }
).definitions.webhook.properties.outbox_limit.default;

let validator: ValidateFunction | undefined;
function validateWebhook(): ValidateFunction {
  if (validator === undefined) {
    // strictRequired off: `required` inside if/then names properties declared one level up.
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
    ajv.addSchema(WEBHOOKS_SCHEMA);
    validator = ajv.getSchema(`${WEBHOOKS_SCHEMA_ID}#/definitions/webhook`);
    if (validator === undefined) throw new Error('schemas/webhooks.schema.json has no definitions/webhook');
  }
  return validator;
}

/** Headers tocsin computes itself; a custom header of the same name would silently fight them. */
const RESERVED_HEADERS = new Set([
  'content-type', 'content-length', 'host', 'connection', 'transfer-encoding', 'user-agent',
  'webhook-id', 'webhook-timestamp', 'webhook-signature', 'idempotency-key', 'x-signature', 'x-axi-signature',
]);

/** As in the Elastio seed: auth values are at most 255 bytes of (printable) ASCII. */
const AUTH_TEXT = /^[\x20-\x7e]{1,255}$/;
const STANDARD_WEBHOOKS_SECRET = /^(whsec_)?[A-Za-z0-9+/]+={0,2}$/;

export interface ParseWebhookOptions {
  /** Directory that relative `file:` secrets and `ca_file` are resolved against (the config file's). */
  baseDir?: string;
  /** Prefix of every problem pointer, e.g. `/webhooks/3` when the webhook sits in a list. */
  pointer?: string;
}

export type WebhookParseResult = { ok: true; webhook: Webhook; warnings: WebhookProblem[] } | { ok: false; problems: WebhookProblem[] };

function error(code: string, pointer: string, message: string, hint?: string): WebhookProblem {
  const result: WebhookProblem = { severity: 'error', code, pointer, message };
  if (hint !== undefined) result.hint = hint;
  return result;
}

function checkUrl(url: string, at: string, problems: WebhookProblem[]): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.push(error('invalid-url', at, `url '${url}' is not a valid URL`, 'write it in full, e.g. https://chat.example.com/hooks/abc'));
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push(error('invalid-url', at, `url must use http or https, not ${parsed.protocol.replace(':', '')}`));
  }
  if (parsed.username !== '' || parsed.password !== '') {
    problems.push(error('credentials-in-url', at, 'url contains a user name or password', "URLs end up in logs; use auth: { type: basic, user: …, password: … } instead"));
  }
}

function durationMs(text: string, at: string, problems: WebhookProblem[]): number {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    problems.push(error('invalid-duration', at, `${optionName(at)}: '${text}' is not a positive duration`, 'write a number and a unit, e.g. 250ms, 30s, 5m, 1h30m'));
    return 0;
  }
  return ms;
}

function checkAuthText(value: string | SecretRef | undefined, at: string, problems: WebhookProblem[]): void {
  if (value === undefined) return;
  const text = typeof value === 'string' ? value : 'value' in value ? value.value : null;
  if (text === null) return; // env/file values are checked when they are read
  const pointer = typeof value === 'string' ? at : `${at}/value`;
  if (!AUTH_TEXT.test(text)) {
    problems.push(error('invalid-auth-value', pointer, `${optionName(at)}: auth values must be 1 to 255 printable ASCII characters`, 'non-ASCII or control characters cannot be sent in HTTP headers reliably'));
  }
}

function checkAuth(auth: WebhookInput['auth'], at: string, problems: WebhookProblem[]): void {
  if (auth.user !== undefined) {
    checkAuthText(auth.user, `${at}/user`, problems);
    if (auth.user.includes(':')) problems.push(error('invalid-auth-value', `${at}/user`, "a basic-auth user name cannot contain ':'"));
  }
  checkAuthText(auth.password, `${at}/password`, problems);
  checkAuthText(auth.token, `${at}/token`, problems);
  checkAuthText(auth.value, `${at}/value`, problems);
}

function checkSignatureSecret(signature: WebhookInput['signature'], at: string, problems: WebhookProblem[]): void {
  if (signature.type !== 'standard-webhooks' || signature.secret === undefined) return;
  const ref = toSecretRef(signature.secret);
  if ('value' in ref && !STANDARD_WEBHOOKS_SECRET.test(ref.value)) {
    problems.push(error('invalid-secret', typeof signature.secret === 'string' ? `${at}/secret` : `${at}/secret/value`,
      'a Standard Webhooks secret is base64, usually written whsec_<base64>',
      "generate one with: node -e \"console.log('whsec_' + require('crypto').randomBytes(32).toString('base64'))\""));
  }
}

function checkHeaders(input: WebhookInput, base: string, problems: WebhookProblem[]): void {
  const at = `${base}/headers`;
  const authHeader = input.auth.type === 'api_key' ? input.auth.header?.toLowerCase() : input.auth.type === 'none' ? undefined : 'authorization';
  for (const name of Object.keys(input.headers)) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower)) {
      problems.push(error('reserved-header', `${at}/${name}`, `header '${name}' is set by tocsin itself`, 'remove it; content type, signatures and idempotency headers follow content_type and signature'));
    } else if (lower === authHeader) {
      problems.push(error('reserved-header', `${at}/${name}`, `header '${name}' conflicts with auth (${input.auth.type})`, 'set the credential in auth only'));
    }
  }
  if (input.auth.type === 'api_key' && input.auth.header !== undefined && RESERVED_HEADERS.has(input.auth.header.toLowerCase())) {
    problems.push(error('reserved-header', `${base}/auth/header`, `auth header '${input.auth.header}' is set by tocsin itself`, 'use a header such as X-API-Key'));
  }
}

function resolvePath(path: string, baseDir: string | undefined): string {
  return baseDir === undefined || isAbsolute(path) ? path : resolve(baseDir, path);
}

function secretFrom(input: string | SecretRef | undefined, baseDir: string | undefined): SecretRef {
  if (input === undefined) throw new Error('schema guarantees the secret is present');
  const ref = toSecretRef(input);
  return 'file' in ref ? { file: resolvePath(ref.file, baseDir) } : ref;
}

function toAuth(input: WebhookInput['auth'], baseDir: string | undefined): WebhookAuth {
  switch (input.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', user: input.user ?? '', password: secretFrom(input.password, baseDir) };
    case 'bearer':
      return { type: 'bearer', token: secretFrom(input.token, baseDir) };
    case 'api_key':
      return { type: 'api_key', header: input.header ?? '', value: secretFrom(input.value, baseDir) };
  }
}

function toSignature(input: WebhookInput['signature'], baseDir: string | undefined): WebhookSignature {
  return input.type === 'none' ? { type: 'none' } : { type: input.type, secret: secretFrom(input.secret, baseDir) };
}

/** Validates one webhook object (from YAML or the API) and applies the schema's defaults. */
export function parseWebhook(input: unknown, options: ParseWebhookOptions = {}): WebhookParseResult {
  const prefix = options.pointer ?? '';
  const placed = (list: WebhookProblem[]): WebhookProblem[] => list.map((problem) => ({ ...problem, pointer: prefix + problem.pointer }));
  const copy: unknown = structuredClone(input);
  const validate = validateWebhook();
  if (!validate(copy)) return { ok: false, problems: placed(schemaProblems(validate.errors ?? [])) };
  const config = copy as WebhookInput;
  const problems: WebhookProblem[] = [];
  // Pointers are relative to the webhook here; `placed` prefixes them with its place in the file.
  const at = '';
  checkUrl(config.url, `${at}/url`, problems);
  const timing: WebhookTiming = {
    timeoutMs: durationMs(config.timeout, `${at}/timeout`, problems),
    batchMs: config.batch === undefined ? 0 : durationMs(config.batch, `${at}/batch`, problems),
    discardAfterMs: durationMs(config.discard_after, `${at}/discard_after`, problems),
    retryInitialMs: durationMs(config.retry.initial, `${at}/retry/initial`, problems),
    retryMaxMs: durationMs(config.retry.max, `${at}/retry/max`, problems),
  };
  if (config.batch !== undefined && config.content_type === 'form') {
    problems.push(error('batch-needs-json', `${at}/batch`, 'batch sends an {"events": [...]} body, which a form body cannot carry', 'use content_type: json, or remove batch'));
  }
  checkHeaders(config, at, problems);
  checkAuth(config.auth, `${at}/auth`, problems);
  checkSignatureSecret(config.signature, `${at}/signature`, problems);
  if (problems.length > 0) return { ok: false, problems: placed(problems) };

  const warnings: WebhookProblem[] = [];
  if (timing.retryInitialMs > timing.retryMaxMs) {
    warnings.push({ severity: 'warning', code: 'retry-initial-above-max', pointer: `${at}/retry/initial`, message: `retry.initial (${config.retry.initial}) is above retry.max (${config.retry.max}); every wait will be ${config.retry.max}` });
  }
  const webhook: Webhook = {
    name: config.name,
    url: config.url,
    description: config.description,
    enabled: config.enabled,
    events: config.events,
    events_policy: config.events_policy,
    min_severity: config.min_severity,
    rules: config.rules,
    template: config.template,
    content_type: config.content_type,
    headers: config.headers,
    params: config.params,
    auth: toAuth(config.auth, options.baseDir),
    signature: toSignature(config.signature, options.baseDir),
    timeout: config.timeout,
    batch: config.batch ?? null,
    discard_after: config.discard_after,
    lossy: config.lossy,
    outbox_limit: config.outbox_limit,
    allow_invalid_certs: config.allow_invalid_certs,
    ca_file: config.ca_file === undefined ? null : resolvePath(config.ca_file, options.baseDir),
    concurrency: config.concurrency,
    retry: config.retry,
    timing,
  };
  return { ok: true, webhook, warnings: placed(warnings) };
}

/**
 * A `webhooks:` list: every webhook parsed, names unique, duplicates warned about. Problems of all
 * entries come back together, so one `tocsin check` shows every mistake.
 */
export function parseWebhooks(list: readonly unknown[], options: ParseWebhookOptions = {}): { webhooks: Webhook[]; problems: WebhookProblem[] } {
  const prefix = options.pointer ?? '/webhooks';
  const webhooks: Webhook[] = [];
  const problems: WebhookProblem[] = [];
  const firstIndex = new Map<string, number>();
  list.forEach((item, index) => {
    const result = parseWebhook(item, { ...options, pointer: `${prefix}/${index}` });
    if (!result.ok) {
      problems.push(...result.problems);
      return;
    }
    problems.push(...result.warnings);
    const earlier = firstIndex.get(result.webhook.name);
    if (earlier !== undefined) {
      problems.push(error('duplicate-name', `${prefix}/${index}/name`, `webhook '${result.webhook.name}' is already defined at ${prefix}/${earlier}`, 'webhook names must be unique; rename one'));
      return;
    }
    firstIndex.set(result.webhook.name, index);
    webhooks.push(result.webhook);
  });
  problems.push(...findDuplicateWebhooks(webhooks).map((warning) => ({ ...warning, pointer: `${prefix}/${firstIndex.get(warning.pointer) ?? 0}` })));
  return { webhooks, problems };
}
